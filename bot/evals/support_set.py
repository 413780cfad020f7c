"""The support checker's eval: on labelled sentences, how many unfaithful ones it drops and faithful ones it keeps.

A support set is a claims file (``bot.claims``) whose lines carry ``"label": "faithful" | "unfaithful"``; by
default ``evals/datasets/faithfulness*.jsonl``. Each sentence is judged by the same checker as LLM phrasing
(``_judge``), then ``_score`` gives ``catch_rate`` (unfaithful sentences dropped / unfaithful sentences) and
``keep_rate`` (faithful sentences kept / faithful sentences), gated like every other metric
(``evals/thresholds*.toml``). A sealed set is scored the same way and shown in aggregate only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..claims import Claim, ClaimsFileError, read_claims
from ..support import Checker
from .metrics.base import MetricResult, Verdict, ratio
from .runner import EvalResult
from .thresholds import Thresholds, check

NAME = "support"
PREFIX = "faithfulness"  # evals/datasets/faithfulness*.jsonl are support sets, not question cases
METRICS = ("catch_rate", "keep_rate")


@dataclass(frozen=True)
class ClaimVerdict(Verdict):
    label: str
    claim_kind: str
    supported: bool


def default_paths(root: Path) -> list[Path]:
    """``evals/datasets/faithfulness*.jsonl`` under ``root``, sorted."""
    return sorted((root / "evals" / "datasets").glob(f"{PREFIX}*.jsonl"))


def load(paths: Sequence[Path]) -> list[Claim]:
    """Every labelled claim of ``paths``; ids must be unique across them (``ClaimsFileError`` otherwise)."""
    claims: list[Claim] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for claim in read_claims(path, labelled=True):
            if claim.id in seen:
                raise ClaimsFileError(f"{path}: id {claim.id!r} is also in {seen[claim.id]}")
            seen[claim.id] = path
            claims.append(claim)
    return claims


def _judge(claim: Claim, check: Checker) -> ClaimVerdict:
    verdict = check(claim.sentence, claim.quotes)
    faithful = claim.label == "faithful"
    ok = verdict.supported == faithful
    if ok:
        reason = "kept" if faithful else f"dropped: {verdict.reason}"
        kind = ""
    elif faithful:
        reason, kind = f"dropped a faithful sentence: {verdict.reason}", "faithful dropped"
    else:
        reason, kind = "kept an unfaithful sentence", "unfaithful kept"
    return ClaimVerdict(claim.id, ok, reason, kind, str(claim.label), claim.kind, verdict.supported)


def _score(verdicts: Sequence[ClaimVerdict]) -> dict[str, float | None]:
    bad = [v for v in verdicts if v.label == "unfaithful"]
    good = [v for v in verdicts if v.label == "faithful"]
    return {
        "catch_rate": ratio(sum(not v.supported for v in bad), len(bad)),
        "keep_rate": ratio(sum(v.supported for v in good), len(good)),
        "support_claims": float(len(verdicts)),
    }


def evaluate(claims: Sequence[Claim], check: Checker) -> MetricResult:
    """Judge every claim with ``check`` and score the set."""
    verdicts = [_judge(c, check) for c in claims]
    return MetricResult(NAME, _score(verdicts), tuple(verdicts))


def with_support(result: EvalResult, support: MetricResult, thresholds: Thresholds) -> EvalResult:
    """``result`` with the support set's metrics, its verdicts and the gates of ``catch_rate`` and ``keep_rate``
    (which replace the ones the run checked before these metrics had a value)."""
    metrics = {**result.metrics, **support.values}
    kept = tuple(c for c in result.checks if c.metric not in METRICS)
    gated = tuple(c for c in check(thresholds, metrics) if c.metric in METRICS)
    return replace(result, metrics=metrics, checks=kept + gated, results=(*result.results, support))
