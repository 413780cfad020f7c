"""The LangChain adapter: models loaded by name, the prompt holds only the quotes, every failure is bounded and
classified. Failing models are real ``BaseChatModel`` subclasses; nothing is mocked."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from bot.errors import LLMError, LLMRateLimitError, LLMTimeoutError, ModelUnavailableError
from bot.followup import Turn
from bot.llm import ChatWriter, build_messages, load_chat_model, model_kwargs, split_spec
from bot.settings import Settings

QUOTES = ["We do use cookies on the Sites.", "You can disable cookies using your Internet browser settings."]


class Failing(BaseChatModel):
    """Raises ``error`` on every call."""

    error: Any = None

    @property
    def _llm_type(self) -> str:
        return "failing"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        raise self.error


class Slow(BaseChatModel):
    """Answers after ``seconds`` (or when ``release`` is set), like a model that hangs."""

    seconds: float = 5.0
    release: Any = None

    @property
    def _llm_type(self) -> str:
        return "slow"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.release.wait(self.seconds)
        return ChatResult(generations=[ChatGeneration(message=AIMessage("Too late [1]."))])


def test_specs_name_a_provider_and_a_model() -> None:
    assert split_spec("openai:gpt-4o-mini") == ("openai", "gpt-4o-mini")
    assert split_spec("ollama:llama3.2:1b") == ("ollama", "llama3.2:1b")
    assert split_spec("gpt-4o") == ("", "gpt-4o")


def test_kwargs_are_spelled_per_provider_and_never_retry() -> None:
    openai = model_kwargs("openai", "http://127.0.0.1:8080/v1", "", 7.0, 80, 0.0)
    assert openai["base_url"] == "http://127.0.0.1:8080/v1"
    assert (openai["timeout"], openai["max_retries"], openai["max_tokens"]) == (7.0, 0, 80)
    assert openai["api_key"]  # a local server needs no key, the client wants one
    ollama = model_kwargs("ollama", "", "", 7.0, 80, 0.2)
    assert ollama == {"temperature": 0.2, "num_predict": 80, "client_kwargs": {"timeout": 7.0}}
    assert model_kwargs("anthropic", "", "k", 3.0, 50, 0.0)["api_key"] == "k"


def test_an_openai_compatible_server_is_reached_through_base_url() -> None:
    pytest.importorskip("langchain_openai", reason="the llm extra is not installed")
    model = load_chat_model("openai:local-model", "http://127.0.0.1:9/v1", timeout=3.0, max_tokens=64)
    assert type(model).__name__ == "ChatOpenAI"
    assert model.openai_api_base == "http://127.0.0.1:9/v1"  # type: ignore[attr-defined]
    assert (model.max_retries, model.request_timeout, model.max_tokens) == (0, 3.0, 64)  # type: ignore[attr-defined]


def test_an_unknown_provider_is_a_clear_error() -> None:
    pytest.importorskip("langchain", reason="the llm extra is not installed")
    with pytest.raises(ModelUnavailableError, match="cannot load the LLM 'nosuch:model'"):
        load_chat_model("nosuch:model")


def test_the_model_sees_the_question_prior_turns_and_only_the_numbered_quotes() -> None:
    history = [Turn("user", "Do you use cookies?"), Turn("assistant", "From “Cookies”: “We do use cookies...”")]
    messages = build_messages("how do I turn them off?", history, QUOTES)
    assert isinstance(messages[0], SystemMessage) and "[1]" in messages[0].text
    assert [type(m) for m in messages[1:]] == [HumanMessage, AIMessage, HumanMessage]
    last = messages[-1].text
    assert "[1] “We do use cookies on the Sites.”\n[2] “You can disable cookies" in last
    assert last.endswith("Question: how do I turn them off?")
    many = build_messages("q", [Turn("user", f"turn {i} " + "x" * 2000) for i in range(10)], QUOTES)
    assert len(many) == 1 + 4 + 1 and all(len(m.text) <= 600 for m in many[1:-1])


def test_write_returns_the_model_text() -> None:
    writer = ChatWriter(GenericFakeChatModel(messages=iter([AIMessage("We use cookies [1].")])), timeout=5)
    assert writer.write("Do you use cookies?", [], QUOTES) == "We use cookies [1]."
    assert ChatWriter(FakeListChatModel(responses=["Yes [1]."])).write("q", [], QUOTES) == "Yes [1]."


def test_a_hanging_model_times_out_within_the_bound() -> None:
    release = threading.Event()
    writer = ChatWriter(Slow(release=release), timeout=0.3)
    began = time.perf_counter()
    with pytest.raises(LLMTimeoutError, match=r"no answer within 0\.3s"):
        writer.write("q", [], QUOTES)
    assert time.perf_counter() - began < 2.0
    release.set()
    writer.close()


def test_rate_limits_and_errors_are_classified() -> None:
    openai = pytest.importorskip("openai", reason="the llm extra is not installed")
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    limited = openai.RateLimitError("slow down", response=httpx.Response(429, request=request), body=None)
    with pytest.raises(LLMRateLimitError):
        ChatWriter(Failing(error=limited)).write("q", [], QUOTES)
    with pytest.raises(LLMTimeoutError):
        ChatWriter(Failing(error=openai.APITimeoutError(request=request))).write("q", [], QUOTES)
    with pytest.raises(LLMError, match="ConnectionError: refused"):
        ChatWriter(Failing(error=ConnectionError("refused"))).write("q", [], QUOTES)
    with pytest.raises(LLMError, match="no text"):
        ChatWriter(FakeListChatModel(responses=["   "])).write("q", [], QUOTES)


def test_settings_leave_phrasing_off_by_default() -> None:
    settings = Settings()  # type: ignore[call-arg]
    assert settings.llm == "" and settings.llm_timeout > 0
    assert Settings(llm="openai:gpt-4o-mini", llm_timeout=3).llm_timeout == 3  # type: ignore[call-arg]
