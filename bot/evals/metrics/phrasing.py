"""Phrasing: is every LLM-generated sentence that is shown supported by the quotes it cites? (``eval --llm``)

Only answers in mode ``"llm"`` have generated sentences. For each, the check trusts nothing the phraser
reported: the shown ``answer`` text must be exactly the listed sentences followed by the numbered quotes
(``bot.phrasing.compose``; nothing else generated may be shown), and the sentences are split again and each
judged again by the same verifier (``bot.support``), with the record's own quotes. ``unsupported_shown``
counts the sentences that fail; the eval gate holds only when it is 0. ``sentences_dropped`` counts the
generated sentences not shown, and ``dropped:<check>`` how many of them each check dropped first (the record's
``dropped_reasons``): citation, number, name, link, currency, absolute word, polarity, entailment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...claim_text import split_sentences
from ...phrasing import compose
from ...support import Checker
from ..text import clip
from .base import MetricResult, Record, Verdict, ratio

NAME = "phrasing"


@dataclass(frozen=True)
class PhrasingVerdict(Verdict):
    mode: str
    refused: bool
    generated: int
    shown: int
    unsupported: int
    dropped: tuple[str, ...] = ()


# The first words of a checker's reason -> the check that failed (bot.checker, bot.support).
_CHECKS = (
    ("cites", "citation"), ("says nothing", "citation"), ("number", "number"), ("name", "name"),
    ("link", "link"), ("currency", "currency"), ("word", "absolute word"), ("has", "polarity"),
    ("not entailed", "entailment"),
)  # fmt: skip


def check_of(reason: str) -> str:
    """The check a dropped sentence failed, read from its reason ("other" when unknown)."""
    return next((check for head, check in _CHECKS if reason.startswith(head)), "other")


def _select(records: list[Record]) -> list[tuple[str, dict[str, Any]]]:
    return [(r["case"]["id"], r["answer"]) for r in records]


def _judge(case_id: str, answer: dict[str, Any], check: Checker) -> PhrasingVerdict:
    mode = answer.get("mode", "extractive")
    sentences = [s["text"] for s in answer.get("sentences", [])]
    generated = len(sentences) + int(answer.get("sentences_dropped", 0))
    refused = bool(answer["refused"])
    dropped = tuple(check_of(r) for r in answer.get("dropped_reasons", []))
    if mode != "llm":
        if sentences:
            reason = f"an extractive answer lists {len(sentences)} generated sentence(s)"
            return PhrasingVerdict(case_id, False, reason, "unsupported sentence", mode, refused, generated, 0, 1)
        return PhrasingVerdict(
            case_id, True, "no generated sentence shown", "", mode, refused, generated, 0, 0, dropped
        )
    quotes = [c["quote"] for c in answer["citations"]]
    problems = []
    unsupported = 0
    if answer["answer"] != compose(sentences, [(c["section"], c["quote"]) for c in answer["citations"]]):
        problems.append("the answer shows text besides the checked sentences and the quotes")
        unsupported += 1
    resplit = split_sentences(" ".join(sentences))
    for sentence in resplit:
        verdict = check(sentence, quotes)
        if not verdict.supported:
            unsupported += 1
            problems.append(f"{clip(sentence)!r}: {verdict.reason}")
    shown = len(resplit)
    if problems:
        reason = "; ".join(problems)
        return PhrasingVerdict(
            case_id, False, reason, "unsupported sentence", mode, refused, generated, shown, unsupported, dropped
        )
    reason = f"{shown} generated sentence(s) supported"
    return PhrasingVerdict(case_id, True, reason, "", mode, refused, generated, shown, 0, dropped)


def _score(verdicts: list[PhrasingVerdict]) -> dict[str, float | None]:
    answered = [v for v in verdicts if not v.refused]
    by_check: dict[str, float | None] = {}
    for v in verdicts:
        for check in v.dropped:
            by_check[f"dropped:{check}"] = (by_check.get(f"dropped:{check}") or 0.0) + 1.0
    return {
        "unsupported_shown": float(sum(v.unsupported for v in verdicts)),
        "llm_rate": ratio(sum(v.mode == "llm" for v in answered), len(answered)),
        "sentences_generated": float(sum(v.generated for v in verdicts)),
        "sentences_shown": float(sum(v.shown for v in verdicts)),
        "sentences_dropped": float(sum(v.generated - v.shown for v in verdicts)),
        **dict(sorted(by_check.items())),
    }


def evaluate(records: list[Record], check: Checker | None) -> MetricResult:
    """Judge every case; with no checker (no LLM in the run) every case passes and no value is reported."""
    selected = _select(records)
    if check is None:
        verdicts = [PhrasingVerdict(cid, True, "no LLM", "", "extractive", False, 0, 0, 0) for cid, _ in selected]
        return MetricResult(NAME, {}, tuple(verdicts))
    judged = [_judge(case_id, answer, check) for case_id, answer in selected]
    return MetricResult(NAME, _score(judged), tuple(judged))
