"""Latency: wall-clock time of each ``ask``, reported as p50 and p95 in milliseconds. Never gated."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .base import MetricResult, Record, Verdict

NAME = "latency"


@dataclass(frozen=True)
class LatencyVerdict(Verdict):
    ms: float


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _select(records: list[Record]) -> list[tuple[str, float]]:
    return [(r["case"]["id"], float(r["seconds"])) for r in records]


def _judge(case_id: str, seconds: float) -> LatencyVerdict:
    ms = seconds * 1000
    return LatencyVerdict(case_id, True, f"answered in {ms:.0f} ms", "slow", ms)


def _score(verdicts: list[LatencyVerdict]) -> dict[str, float | None]:
    times = [v.ms for v in verdicts]
    return {"latency_p50_ms": percentile(times, 50), "latency_p95_ms": percentile(times, 95)}


def evaluate(records: list[Record]) -> MetricResult:
    verdicts = [_judge(*selected) for selected in _select(records)]
    return MetricResult(NAME, _score(verdicts), tuple(verdicts))
