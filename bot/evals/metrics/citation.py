"""Citations: is the first citation in an acceptable section (section accuracy), and what share of all
citations are (any-citation precision)?

Section accuracy is end to end over answerable cases: a refused answer has no citation and counts as wrong.
Precision pools every citation of every answered answerable case.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import section_matches
from .base import MetricResult, Record, Verdict, answerable, ratio

NAME = "citation"


@dataclass(frozen=True)
class CitationVerdict(Verdict):
    good: int  # citations in an acceptable section
    total: int


def _select(records: list[Record]) -> list[tuple[str, list[str], bool, list[str]]]:
    return [
        (
            r["case"]["id"],
            r["case"]["sections"],
            bool(r["answer"]["refused"]),
            [c["section"] for c in r["answer"]["citations"]],
        )
        for r in answerable(records)
    ]


def _judge(case_id: str, sections: list[str], refused: bool, cited: list[str]) -> CitationVerdict:
    if not cited:
        why = "the answer was refused" if refused else "the answer cites nothing"
        return CitationVerdict(
            case_id, False, f"no citation ({why}), expected one of {sections}", "wrong section", 0, 0
        )
    good = sum(section_matches(s, sections) for s in cited)
    ok = section_matches(cited[0], sections)
    reason = f"first citation in {cited[0]!r}"
    reason += f" ({good}/{len(cited)} citations in expected sections)" if ok else f", expected one of {sections}"
    return CitationVerdict(case_id, ok, reason, "wrong section", good, len(cited))


def _score(verdicts: list[CitationVerdict]) -> dict[str, float | None]:
    return {
        "section_accuracy": ratio(sum(v.ok for v in verdicts), len(verdicts)),
        "citation_precision": ratio(sum(v.good for v in verdicts), sum(v.total for v in verdicts)),
    }


def evaluate(records: list[Record]) -> MetricResult:
    verdicts = [_judge(*selected) for selected in _select(records)]
    return MetricResult(NAME, _score(verdicts), tuple(verdicts))
