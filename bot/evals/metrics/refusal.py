"""Refusal: does the bot refuse what it should (precision and recall on ``expect: refuse``) without refusing
answerable questions (false-refusal rate)?
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import MetricResult, Record, Verdict, ratio

NAME = "refusal"


@dataclass(frozen=True)
class RefusalVerdict(Verdict):
    should_refuse: bool
    refused: bool


def _select(records: list[Record]) -> list[tuple[str, bool, bool, str | None, float, str | None]]:
    out = []
    for r in records:
        a = r["answer"]
        first = a["citations"][0]["section"] if a["citations"] else None
        out.append(
            (r["case"]["id"], r["case"]["expect"] == "refuse", bool(a["refused"]), a["reason"], a["confidence"], first)
        )
    return out


def _judge(
    case_id: str, should_refuse: bool, refused: bool, reason: str | None, confidence: float, first_section: str | None
) -> RefusalVerdict:
    if should_refuse and refused:
        return RefusalVerdict(case_id, True, f"refused ({reason})", "missed refusal", True, True)
    if should_refuse:
        where = f"from {first_section!r}" if first_section else "without citations"
        return RefusalVerdict(
            case_id, False, f"answered {where} (confidence {confidence:.2f})", "missed refusal", True, False
        )
    if refused:
        return RefusalVerdict(
            case_id, False, f"refused as {reason} (confidence {confidence:.2f})", "false refusal", False, True
        )
    return RefusalVerdict(case_id, True, f"answered (confidence {confidence:.2f})", "false refusal", False, False)


def _score(verdicts: list[RefusalVerdict]) -> dict[str, float | None]:
    caught = sum(v.should_refuse and v.refused for v in verdicts)
    return {
        "refusal_precision": ratio(caught, sum(v.refused for v in verdicts)),
        "refusal_recall": ratio(caught, sum(v.should_refuse for v in verdicts)),
        "false_refusal_rate": ratio(
            sum(v.refused and not v.should_refuse for v in verdicts), sum(not v.should_refuse for v in verdicts)
        ),
    }


def evaluate(records: list[Record]) -> MetricResult:
    verdicts = [_judge(*selected) for selected in _select(records)]
    return MetricResult(NAME, _score(verdicts), tuple(verdicts))
