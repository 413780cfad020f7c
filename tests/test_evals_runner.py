"""The eval runner with the real bot, real models and a real index: the gate holds for PolicyBot and fails
for deliberately broken answerers (real subclasses of PolicyBot, no mocks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from evals_support import SMALL_CASES, eval_settings, write_jsonl

from bot.answer import Answer, citation
from bot.evals.dataset import Case, load_cases
from bot.evals.report import format_markdown, format_text
from bot.evals.runner import EvalResult, result_to_dict, run_eval
from bot.evals.thresholds import Thresholds
from bot.followup import Turn
from bot.pipeline import PolicyBot
from bot.settings import Settings


class OffByOneBot(PolicyBot):
    """Shifts the first quote's offsets by one character: the quote no longer sits where it claims."""

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        answer = super().ask(question, history)
        if not answer.citations:
            return answer
        first = answer.citations[0]
        shifted = replace(first, start=first.start + 1, end=first.end + 1)
        return replace(answer, citations=(shifted, *answer.citations[1:]))


class WrongSectionBot(PolicyBot):
    """Cites, first, a verbatim sentence from a section the answer did not come from."""

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        answer = super().ask(question, history)
        if not answer.citations:
            return answer
        doc = self.index.document(answer.citations[0].source)
        cited = {c.section for c in answer.citations}
        other = next(s for s in doc.sections if s.title not in cited and doc.section_sentences(s.index))
        sentence = doc.section_sentences(other.index)[0]
        wrong = citation(self.index, doc.source, other.index, sentence.start, sentence.end, 1.0)
        return replace(answer, citations=(wrong, *answer.citations))


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return eval_settings(tmp_path_factory)


@pytest.fixture(scope="module")
def real_bot(settings: Settings) -> PolicyBot:
    bot = PolicyBot(settings)
    bot.warm_up(rebuild=False)
    return bot


def _sharing_models(cls: type[PolicyBot], real: PolicyBot) -> PolicyBot:
    bot = cls(real.settings)
    bot.embedder, bot.reranker = real.embedder, real.reranker  # load the models once for every bot
    return bot


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    return load_cases([write_jsonl(tmp_path_factory.mktemp("cases") / "small.jsonl", SMALL_CASES)])


@pytest.fixture(scope="module")
def real_result(real_bot: PolicyBot, cases: list[Case]) -> EvalResult:
    return run_eval(real_bot, cases, Thresholds(), ["small.jsonl"])


def test_the_real_bot_passes_the_gate_with_exact_faithfulness(real_result: EvalResult) -> None:
    assert real_result.metrics["faithfulness"] == 1.0
    assert real_result.passed, format_text(real_result)
    assert real_result.metrics["section_accuracy"] == 1.0
    assert real_result.metrics["refusal_recall"] == 1.0
    assert real_result.metrics["latency_p50_ms"] > 0
    assert not real_result.failing and not real_result.stale


def test_a_bot_that_shifts_a_quote_by_one_fails_the_gate(real_bot: PolicyBot, cases: list[Case]) -> None:
    result = run_eval(_sharing_models(OffByOneBot, real_bot), cases, Thresholds())
    assert not result.passed
    assert result.metrics["faithfulness"] is not None and result.metrics["faithfulness"] < 1.0
    assert [c.metric for c in result.checks if not c.ok] == ["faithfulness"]
    answered = {c.id for c in cases if c.answerable}
    assert {o.case.id for o in result.failing} == answered
    for outcome in result.failing:
        assert [v.kind for v in outcome.failures] == ["unfaithful quote"]
        assert outcome.failures[0].reason.startswith("citation 1: corpus/infrascale-privacy-policy.md[")
    assert "FAILED: faithfulness" in format_text(result)


def test_a_bot_that_cites_the_wrong_section_fails_the_gate(
    real_bot: PolicyBot, cases: list[Case], real_result: EvalResult
) -> None:
    result = run_eval(_sharing_models(WrongSectionBot, real_bot), cases, Thresholds())
    assert not result.passed
    assert result.metrics["faithfulness"] == 1.0  # the wrong quote is still verbatim
    assert result.metrics["section_accuracy"] == 0.0 < real_result.metrics["section_accuracy"]
    assert result.metrics["citation_precision"] < real_result.metrics["citation_precision"]
    assert "section_accuracy" in [c.metric for c in result.checks if not c.ok]
    reasons = [v.failure for o in result.failing for v in o.failures]
    assert any(
        r.startswith("wrong section: first citation in ") and "expected one of ['Cookies']" in r for r in reasons
    )


def test_stale_cases_are_listed_not_run(real_bot: PolicyBot) -> None:
    gone = Case("gone", "Do you use cookies?", "answer", ("Cookie Jar",), ("use cookies",))
    moved = Case("moved", "Do you use cookies?", "answer", ("Security",), ("use cookies",))
    keep = Case("keep", "asdfghjkl", "refuse")
    result = run_eval(real_bot, [gone, moved, keep], Thresholds())
    assert [(s.case.id, s.reason) for s in result.stale] == [
        (
            "gone",
            "stale: section 'Cookie Jar' is not in the corpus; phrase 'use cookies' occurs in none of its sections",
        ),
        ("moved", "stale: phrase 'use cookies' occurs in none of its sections"),
    ]
    assert [o.case.id for o in result.outcomes] == ["keep"]
    assert "Stale cases (2)" in format_text(result)


def test_json_and_markdown_reports(real_result: EvalResult, real_bot: PolicyBot, tmp_path: Path) -> None:
    data = result_to_dict(real_result, Thresholds())
    assert data["passed"] is True
    assert data["thresholds"]["min"]["faithfulness"] == 1.0
    case = data["cases"][0]
    assert list(case) == [
        "id",
        "question",
        "expect",
        "passed",
        "failures",
        "refused",
        "answer",
        "citations",
        "retrieved",
    ]
    answer = real_bot.ask(case["question"])
    from bot.answer import answer_to_dict

    assert case["citations"] == answer_to_dict(answer)["citations"]
    assert case["retrieved"] == answer_to_dict(answer)["retrieved"]
    md = format_markdown(real_result)
    assert (
        md.startswith("# PolicyBot eval report") and "| faithfulness (quotes verbatim at their offsets) | 1.000 |" in md
    )
