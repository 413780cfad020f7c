"""Run eval cases through a PolicyBot, score them, and hold the scores against the thresholds.

A case passes when: ``expect: answer`` -> not refused, first citation in an acceptable section, an evidence phrase
in the quotes, every quote verbatim; ``expect: refuse`` -> refused (and any quote it shows verbatim).
The gate (``EvalResult.passed``) holds when every threshold holds; failing cases are listed with their reasons.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..answer import answer_to_dict
from ..errors import InvalidQuestionError
from ..followup import Turn
from ..phrasing import Phraser, dropped_reasons, phrased_to_dict
from ..pipeline import PolicyBot
from .dataset import Case
from .metrics import citation, evidence, faithfulness, latency, phrasing, qualifiers, refusal, retrieval
from .metrics.base import MetricResult, Record, Verdict
from .stale import find_stale
from .thresholds import Check, Thresholds, check

# The failures that decide whether a case passes, in the order they are listed. Retrieval and latency are reported.
CASE_METRICS = ("refusal", "citation", "evidence", "faithfulness", "phrasing", "qualifiers")
FAILURE_KINDS = (
    "false refusal",
    "missed refusal",
    "wrong section",
    "missing evidence",
    "unfaithful quote",
    "unsupported sentence",
    "dropped qualifier",
)
# With --llm: no generated sentence that fails the checks may be shown. Fixed, not a threshold to loosen.
PHRASING_GATE = Check("unsupported_shown", "<=", 0.0, None)
# No answer may quote a sentence without the next sentence that qualifies it ("The preceding does not apply to…").
QUALIFIER_GATE = Check("dropped_qualifiers", "<=", 0.0, None)

Progress = Callable[[int, int, Case], None]


@dataclass(frozen=True)
class CaseOutcome:
    case: Case
    answer: dict[str, Any]  # answer_to_dict
    seconds: float
    failures: tuple[Verdict, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class StaleCase:
    case: Case
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "stale: " + "; ".join(self.reasons)


@dataclass(frozen=True)
class EvalResult:
    datasets: tuple[str, ...]
    outcomes: tuple[CaseOutcome, ...]
    stale: tuple[StaleCase, ...]
    metrics: dict[str, float | None]
    checks: tuple[Check, ...]
    results: tuple[MetricResult, ...]

    @property
    def passed(self) -> bool:
        """Every threshold holds (over at least one case that ran)."""
        return bool(self.outcomes) and all(c.ok for c in self.checks)

    @property
    def failing(self) -> tuple[CaseOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)


def refused_record(question: str, exc: InvalidQuestionError) -> dict[str, Any]:
    """What ``answer_to_dict`` would say for a question the bot rejects outright: a refusal."""
    return {
        "question": question,
        "answer": str(exc),
        "refused": True,
        "reason": "invalid_question",
        "confidence": 0.0,
        "resolved_question": question,
        "citations": [],
        "retrieved": [],
        "contact": None,
    }


def ask(bot: PolicyBot, case: Case, phraser: Phraser | None = None) -> Record:
    """Ask one case, timed (phrased by ``phraser`` when given); the plain record the metrics read."""
    history = [Turn(role, content) for role, content in case.history]
    began = time.perf_counter()
    try:
        answered = bot.ask(case.question, history)
        if phraser is None:
            answer = answer_to_dict(answered)
        else:
            phrased = phraser.phrase(answered, case.question, history)
            answer = {**phrased_to_dict(phrased), "dropped_reasons": dropped_reasons(phrased)}
    except InvalidQuestionError as exc:
        answer = refused_record(case.question, exc)
    return {"case": case.to_dict(), "answer": answer, "seconds": time.perf_counter() - began}


def score(records: list[Record], root: Path, phraser: Phraser | None = None) -> tuple[MetricResult, ...]:
    return (
        retrieval.evaluate(records),
        citation.evaluate(records),
        evidence.evaluate(records),
        faithfulness.evaluate(records, root),
        refusal.evaluate(records),
        latency.evaluate(records),
        phrasing.evaluate(records, phraser.check if phraser else None),
        qualifiers.evaluate(records, root),
    )


def case_failures(verdicts: Sequence[Verdict]) -> tuple[Verdict, ...]:
    """The failing verdicts of one case. A false refusal hides its consequences (no citation, no evidence)."""
    failures = [v for v in verdicts if not v.ok]
    if any(v.kind == "false refusal" for v in failures):
        failures = [v for v in failures if v.kind not in ("wrong section", "missing evidence")]
    return tuple(failures)


def run_eval(
    bot: PolicyBot,
    cases: Sequence[Case],
    thresholds: Thresholds,
    datasets: Sequence[str] = (),
    progress: Progress | None = None,
    phraser: Phraser | None = None,
) -> EvalResult:
    """Check cases for staleness, ask the rest, score them and check the thresholds.

    With ``phraser`` every answer is phrased by its LLM, and the run also fails when a shown generated
    sentence does not pass the checks again (``unsupported_shown`` must be 0).
    """
    stale_ids = find_stale(cases, bot.read_corpus())
    stale = tuple(StaleCase(c, tuple(stale_ids[c.id])) for c in cases if c.id in stale_ids)
    active = [c for c in cases if c.id not in stale_ids]
    bot.warm_up()  # load the models before the clock starts
    records = []
    for n, case in enumerate(active, start=1):
        records.append(ask(bot, case, phraser))
        if progress:
            progress(n, len(active), case)
    results = score(records, bot.settings.root, phraser)
    metrics: dict[str, float | None] = {}
    for result in results:
        metrics.update(result.values)
    by_case: dict[str, list[Verdict]] = {c.id: [] for c in active}
    by_name = {r.name: r for r in results}
    for name in CASE_METRICS:
        for verdict in by_name[name].verdicts:
            by_case[verdict.case_id].append(verdict)
    outcomes = tuple(
        CaseOutcome(case, r["answer"], r["seconds"], case_failures(by_case[case.id]))
        for case, r in zip(active, records, strict=True)
    )
    checks = (*check(thresholds, metrics), replace(QUALIFIER_GATE, value=metrics.get("dropped_qualifiers")))
    if phraser is not None:
        checks += (replace(PHRASING_GATE, value=metrics.get("unsupported_shown")),)
    return EvalResult(tuple(datasets), outcomes, stale, metrics, checks, results)


def result_to_dict(result: EvalResult, thresholds: Thresholds) -> dict[str, Any]:
    """The JSON of ``python -m bot eval --json``."""
    return {
        "passed": result.passed,
        "metrics": {k: None if v is None else round(v, 4) for k, v in result.metrics.items()},
        "thresholds": thresholds.to_dict(),
        "checks": [
            {"metric": c.metric, "op": c.op, "limit": c.limit, "value": c.value, "ok": c.ok} for c in result.checks
        ],
        "datasets": list(result.datasets),
        "stale": [{"id": s.case.id, "question": s.case.question, "reason": s.reason} for s in result.stale],
        "cases": [
            {
                "id": o.case.id,
                "question": o.case.question,
                "expect": o.case.expect,
                "passed": o.passed,
                "failures": [v.failure for v in o.failures],
                "refused": o.answer["refused"],
                "answer": o.answer["answer"],
                "citations": o.answer["citations"],
                "retrieved": o.answer["retrieved"],
                **{k: o.answer[k] for k in ("mode", "sentences", "sentences_dropped", "fallback") if k in o.answer},
            }
            for o in result.outcomes
        ],
    }
