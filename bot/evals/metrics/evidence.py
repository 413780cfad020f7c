"""Evidence: does one of the case's ``quote_contains`` phrases appear in the cited quotes?

Compared folded (case, typographic quotes, whitespace runs); the quotes are joined in answer order, so a phrase
may run across two consecutive quoted sentences. End to end over answerable cases: a refusal has no evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import clip, found_phrases
from .base import MetricResult, Record, Verdict, answerable, ratio

NAME = "evidence"


@dataclass(frozen=True)
class EvidenceVerdict(Verdict):
    found: tuple[str, ...]


def _select(records: list[Record]) -> list[tuple[str, list[str], list[str]]]:
    return [
        (r["case"]["id"], r["case"]["quote_contains"], [c["quote"] for c in r["answer"]["citations"]])
        for r in answerable(records)
    ]


def _judge(case_id: str, phrases: list[str], quotes: list[str]) -> EvidenceVerdict:
    if not quotes:
        return EvidenceVerdict(case_id, False, f"no quotes to find any of {phrases} in", "missing evidence", ())
    found = tuple(found_phrases(phrases, " ".join(quotes)))
    if found:
        return EvidenceVerdict(case_id, True, f"found {found[0]!r}", "missing evidence", found)
    shown = "; ".join(repr(clip(q)) for q in quotes)
    return EvidenceVerdict(
        case_id, False, f"none of {phrases} in the {len(quotes)} quote(s): {shown}", "missing evidence", ()
    )


def _score(verdicts: list[EvidenceVerdict]) -> dict[str, float | None]:
    return {"evidence": ratio(sum(v.ok for v in verdicts), len(verdicts))}


def evaluate(records: list[Record]) -> MetricResult:
    verdicts = [_judge(*selected) for selected in _select(records)]
    return MetricResult(NAME, _score(verdicts), tuple(verdicts))
