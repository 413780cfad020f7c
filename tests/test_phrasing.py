"""LLM phrasing over real answers of the real bot, with the real support checker (the packaged verifier) checking
sentences and LangChain's fake chat models writing them (deterministic). Real-model runs are in test_llm_gemma.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage
from test_llm import Failing, Slow

from bot.answer import Answer
from bot.checker import SupportChecker
from bot.errors import ModelUnavailableError
from bot.llm import ChatWriter
from bot.phrasing import Phraser, compose, extractive, phrase, phrased_to_dict
from bot.pipeline import PolicyBot
from bot.serve.app import create_app
from bot.serve.service import Service
from bot.serve.store import Store
from bot.settings import Settings

QUESTION = "How old do I have to be to use the site?"


def fake(*replies: str) -> ChatWriter:
    return ChatWriter(GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies])), timeout=10)


class Counting:
    """A writer that counts its calls (to show refusals never reach the model)."""

    def __init__(self) -> None:
        self.calls = 0

    def write(self, question: str, history: Any, quotes: Any) -> str:
        self.calls += 1
        return "You must be over the age of 18 to use the Sites [1]."


@pytest.fixture(scope="module")
def checker() -> SupportChecker:
    return SupportChecker.packaged()


@pytest.fixture(scope="module")
def age(bot: PolicyBot) -> Answer:
    answer = bot.ask(QUESTION)
    assert not answer.refused and answer.citations[0].quote == "You must be over the age of 18 to use the Sites."
    return answer


def test_supported_sentences_are_shown_with_their_citations_and_scores_then_the_quotes(
    age: Answer, checker: SupportChecker
) -> None:
    writer = fake(
        "You must be over 18 to use the Sites [1]. Children under 13 are welcome with a parent [1]. "
        "Users must be at least 21 [1]."
    )
    phrased = Phraser(writer, checker).phrase(age, QUESTION)
    assert phrased.mode == "llm" and phrased.fallback is None
    assert [s.supported for s in phrased.sentences] == [True, False, False]
    shown = phrased.shown[0]
    assert shown.text == "You must be over 18 to use the Sites [1]." and shown.citations == (1,)
    assert shown.score is not None and shown.score >= checker.threshold
    assert "number 21" in phrased.sentences[2].reason
    assert "number 13" in phrased.sentences[1].reason  # the age quote says nothing of 13
    quotes = [(c.section, c.quote) for c in age.citations]
    assert phrased.text == compose([shown.text], quotes)
    assert phrased.text.startswith("You must be over 18 to use the Sites [1].\n\n[1] From “")
    assert all(f"“{c.quote}”" in phrased.text for c in age.citations)  # the quotes are always shown
    assert "21" not in phrased.text and "welcome" not in phrased.text
    assert phrased.answer is age  # the extractive answer is kept unchanged


def test_nothing_supported_returns_the_extractive_answer_unchanged(age: Answer, checker: SupportChecker) -> None:
    phrased = Phraser(fake("Anyone over 12 can use the Sites [1]. Ask Google [2]."), checker).phrase(age, QUESTION)
    assert phrased.mode == "extractive" and phrased.fallback == "no_supported_sentence"
    assert phrased.text == age.answer and phrased.shown == ()
    assert len(phrased.sentences) == 2 and not any(s.supported for s in phrased.sentences)


def test_refusals_are_never_phrased(bot: PolicyBot, checker: SupportChecker) -> None:
    refusal = bot.ask("What is the capital of France?")
    assert refusal.refused
    writer = Counting()
    phrased = Phraser(writer, checker).phrase(refusal, "What is the capital of France?")
    assert writer.calls == 0
    assert phrased.mode == "extractive" and phrased.fallback == "refused" and phrased.text == refusal.answer


@pytest.mark.parametrize(
    ("model", "fallback"),
    [
        (Failing(error=ConnectionError("connection refused")), "model_error"),
        (Failing(error=type("RateLimitError", (Exception,), {"status_code": 429})("slow down")), "rate_limited"),
        (FakeListChatModel(responses=[""]), "model_error"),
    ],
)
def test_model_failures_fall_back_to_the_quotes(
    age: Answer, checker: SupportChecker, model: Any, fallback: str
) -> None:
    phrased = Phraser(ChatWriter(model, timeout=5), checker).phrase(age, QUESTION)
    assert (phrased.mode, phrased.fallback, phrased.text) == ("extractive", fallback, age.answer)


def test_a_timeout_falls_back_within_the_bound(age: Answer, checker: SupportChecker) -> None:
    import threading

    release = threading.Event()
    began = time.perf_counter()
    phrased = Phraser(ChatWriter(Slow(release=release), timeout=0.3), checker).phrase(age, QUESTION)
    assert time.perf_counter() - began < 3.0
    release.set()
    assert (phrased.mode, phrased.fallback, phrased.text) == ("extractive", "timeout", age.answer)


def test_phrase_is_a_plain_function_of_its_inputs(age: Answer) -> None:
    def check(sentence: str, quotes: Any) -> Any:
        from bot.support import SentenceCheck

        return SentenceCheck(sentence, (1,), sentence.startswith("Yes"), 9.0, "test")

    phrased = phrase(age, QUESTION, [], fake("Yes [1]. No [1]."), check)
    assert [s.text for s in phrased.shown] == ["Yes [1]."]


def test_the_json_shape_carries_mode_sentences_and_fallback(age: Answer, checker: SupportChecker) -> None:
    phrased = Phraser(fake("You must be over 18 to use the Sites [1]. Ask Google [1]."), checker).phrase(age, QUESTION)
    data = phrased_to_dict(phrased)
    assert data["mode"] == "llm" and data["fallback"] is None and data["sentences_dropped"] == 1
    assert data["sentences"] == [
        {"text": "You must be over 18 to use the Sites [1].", "citations": [1], "score": phrased.shown[0].score}
    ]
    assert data["answer"] == phrased.text and data["citations"][0]["quote"] == age.citations[0].quote
    plain = phrased_to_dict(extractive(age))
    assert (plain["mode"], plain["sentences"], plain["fallback"], plain["answer"]) == (
        "extractive",
        [],
        None,
        age.answer,
    )


def test_a_phraser_needs_a_known_model(settings: Settings) -> None:
    pytest.importorskip("langchain", reason="the llm extra is not installed")
    with pytest.raises(ModelUnavailableError, match="nosuch"):
        Phraser.from_settings(settings.model_copy(update={"llm": "nosuch:model"}))


def test_the_service_answers_extractively_without_a_model(settings: Settings, age: Answer, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{(tmp_path / 'log.db').as_posix()}")
    try:
        service = Service(settings, store)
        assert service.phraser is None
        phrased = service.phrase(age, QUESTION, [])
        assert phrased.mode == "extractive" and phrased.fallback is None and phrased.text == age.answer
    finally:
        store.close()


# -- the API, in process ---------------------------------------------------------------------------------
@pytest.fixture()
def client(settings: Settings, bot: PolicyBot, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        settings.model_copy(
            update={"database_url": f"sqlite:///{(tmp_path / 'api.db').as_posix()}", "rate_limit": "1000/minute"}
        )
    )
    with TestClient(app) as c:
        deadline = time.monotonic() + 240
        while c.get("/api/health").status_code != 200:
            assert time.monotonic() < deadline, c.get("/api/health").text
            time.sleep(0.2)
        yield c


def test_api_says_extractive_when_no_model_is_configured(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    assert (body["mode"], body["sentences"], body["fallback"]) == ("extractive", [], None)
    assert body["answer"].startswith("From “")


def test_api_returns_the_phrased_answer_when_a_model_is_set(client: TestClient, checker: SupportChecker) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]
    service.phraser = Phraser(fake("You must be over 18 to use the Sites [1]. It is free for Google [1]."), checker)
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    assert body["mode"] == "llm" and body["sentences_dropped"] == 1
    assert [s["text"] for s in body["sentences"]] == ["You must be over 18 to use the Sites [1]."]
    assert body["sentences"][0]["citations"] == [1] and body["sentences"][0]["score"] >= checker.threshold
    assert "Google" not in body["answer"] and body["citations"][0]["quote"] in body["answer"]
    refused = client.post("/api/ask", json={"question": "What is the capital of France?"}).json()
    assert refused["refused"] and refused["mode"] == "extractive" and refused["fallback"] == "refused"
