"""What every metric returns: per-case verdicts that carry their reason, and the aggregate values.

A metric reads plain records, one per case::

    {"case": Case.to_dict(), "answer": answer_to_dict(answer), "seconds": 0.41}

and runs ``_select`` (pick the fields it needs) -> ``_judge`` (one verdict per case) -> ``_score`` (aggregate).
``_judge`` and ``_score`` are pure functions over plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    """One case judged by one metric. ``kind`` names the failure ("wrong section") when ``ok`` is False."""

    case_id: str
    ok: bool
    reason: str
    kind: str

    @property
    def failure(self) -> str:
        return f"{self.kind}: {self.reason}"


@dataclass(frozen=True)
class MetricResult:
    name: str
    values: dict[str, float | None]  # None when no case applies
    verdicts: tuple[Verdict, ...]


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def answerable(records: list[Record]) -> list[Record]:
    return [r for r in records if r["case"]["expect"] == "answer"]
