"""Retrieval: is a chunk from an expected section among the top k retrieved (hit@1/3/5), and how high (MRR).

Measured on answerable cases over the chunks the answer was built from (``Settings.top_k``, 5 by default), so
MRR is MRR@top_k. A refused answer still carries what was retrieved, except for noise and instruction refusals.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import section_matches
from .base import MetricResult, Record, Verdict, answerable, ratio

NAME = "retrieval"
KS = (1, 3, 5)


@dataclass(frozen=True)
class RetrievalVerdict(Verdict):
    rank: int | None  # 1-based rank of the first chunk in an expected section


def _select(records: list[Record]) -> list[tuple[str, list[str], list[str]]]:
    return [
        (r["case"]["id"], r["case"]["sections"], [h["section"] for h in r["answer"]["retrieved"]])
        for r in answerable(records)
    ]


def _judge(case_id: str, sections: list[str], retrieved: list[str]) -> RetrievalVerdict:
    rank = next((i for i, s in enumerate(retrieved, start=1) if section_matches(s, sections)), None)
    if rank is None:
        reason = f"no expected section {sections} among {len(retrieved)} retrieved: {retrieved}"
    else:
        reason = f"first chunk from an expected section at rank {rank} ({retrieved[rank - 1]!r})"
    return RetrievalVerdict(case_id, rank is not None, reason, "retrieval miss", rank)


def _score(verdicts: list[RetrievalVerdict]) -> dict[str, float | None]:
    n = len(verdicts)
    values: dict[str, float | None] = {
        f"hit@{k}": ratio(sum(v.rank is not None and v.rank <= k for v in verdicts), n) for k in KS
    }
    values["mrr"] = sum(1 / v.rank for v in verdicts if v.rank) / n if n else None
    return values


def evaluate(records: list[Record]) -> MetricResult:
    verdicts = [_judge(*selected) for selected in _select(records)]
    return MetricResult(NAME, _score(verdicts), tuple(verdicts))
