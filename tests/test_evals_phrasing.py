"""The phrasing metric of ``eval --llm``: it re-checks what was shown from the record alone, and the runner's
gate fails a run that showed one unsupported sentence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.evals.metrics.phrasing import _judge, _score, evaluate
from bot.evals.runner import PHRASING_GATE, case_failures
from bot.phrasing import compose
from bot.support import SentenceCheck

QUOTE = {"section": "Children", "quote": "You must be over the age of 18 to use the Sites."}


def check(sentence: str, quotes: Sequence[str]) -> SentenceCheck:
    """Supported when it cites [1] and does not mention 21 (stands in for the real verifier)."""
    ok = "[1]" in sentence and "21" not in sentence
    return SentenceCheck(sentence, (1,), ok, 9.0 if ok else None, "ok" if ok else "invented")


def llm_answer(sentences: list[str], dropped: int = 0, answer: str | None = None) -> dict[str, Any]:
    return {
        "refused": False,
        "mode": "llm",
        "answer": compose(sentences, [(QUOTE["section"], QUOTE["quote"])]) if answer is None else answer,
        "citations": [QUOTE],
        "sentences": [{"text": s, "citations": [1], "score": 9.0} for s in sentences],
        "sentences_dropped": dropped,
    }


def test_supported_shown_sentences_pass() -> None:
    verdict = _judge("ok", llm_answer(["You must be over 18 [1]."], dropped=2), check)
    assert verdict.ok and (verdict.generated, verdict.shown, verdict.unsupported) == (3, 1, 0)


def test_an_unsupported_shown_sentence_fails_the_case() -> None:
    verdict = _judge("bad", llm_answer(["You must be over 18 [1].", "Or 21 with a parent [1]."]), check)
    assert not verdict.ok and verdict.unsupported == 1 and verdict.kind == "unsupported sentence"
    assert "Or 21 with a parent" in verdict.reason
    assert case_failures([verdict]) == (verdict,)


def test_text_shown_besides_the_checked_sentences_fails() -> None:
    record = llm_answer(["You must be over 18 [1]."], answer="You must be over 18 [1]. Also 21 is fine.")
    verdict = _judge("extra", record, check)
    assert not verdict.ok and "besides the checked sentences" in verdict.reason


def test_extractive_answers_have_nothing_to_check() -> None:
    plain = {"refused": False, "mode": "extractive", "answer": "From ...", "citations": [QUOTE], "sentences": []}
    assert _judge("plain", plain, check).ok
    assert _judge("old", {"refused": True, "answer": "...", "citations": []}, check).ok  # no mode: pre-LLM record


def test_scores_count_sentences_and_the_share_phrased() -> None:
    records = [
        {
            "case": {"id": "a"},
            "answer": {
                **llm_answer(["You must be over 18 [1]."], dropped=1),
                "dropped_reasons": ["number 21 not in the cited quotes"],
            },
        },
        {
            "case": {"id": "b"},
            "answer": {
                **llm_answer([], dropped=2),
                "mode": "extractive",
                "answer": "From",
                "dropped_reasons": ["cites no quote", "not entailed by the cited quotes"],
            },
        },
        {"case": {"id": "c"}, "answer": {"refused": True, "answer": "no", "citations": [], "mode": "extractive"}},
    ]
    result = evaluate(records, check)
    assert result.values == {
        "unsupported_shown": 0.0,
        "llm_rate": 0.5,
        "sentences_generated": 4.0,
        "sentences_shown": 1.0,
        "sentences_dropped": 3.0,
        "dropped:citation": 1.0,
        "dropped:entailment": 1.0,
        "dropped:number": 1.0,
    }
    assert _score([]) == {
        "unsupported_shown": 0.0,
        "llm_rate": None,
        "sentences_generated": 0.0,
        "sentences_shown": 0.0,
        "sentences_dropped": 0.0,
    }
    assert evaluate(records, None).values == {}  # no LLM in the run: nothing reported, nothing gated


def test_the_gate_allows_no_unsupported_sentence() -> None:
    from dataclasses import replace

    assert replace(PHRASING_GATE, value=0.0).ok
    assert not replace(PHRASING_GATE, value=1.0).ok
