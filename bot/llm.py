"""The LangChain side of optional LLM phrasing: any chat model by name, asked to phrase the verified quotes.

With ``langchain_adapter.py`` this is the only module that imports LangChain. It knows nothing of checking:
``bot.phrasing`` calls ``ChatWriter.write`` and verifies every sentence it returns (``bot.support``).

``BOT_LLM`` names the model as ``init_chat_model`` does: ``"openai:gpt-4o-mini"``, ``"ollama:llama3.2"``,
``"anthropic:claude-..."``; ``BOT_LLM_BASE_URL`` points ``openai:`` at any OpenAI-compatible server
(vLLM, llama.cpp, LM Studio...). The provider's package must be installed (``langchain-openai`` comes with
the ``llm`` extra). Every call is bounded by ``BOT_LLM_TIMEOUT`` seconds, with no retries.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from .errors import LLMError, LLMRateLimitError, LLMTimeoutError, ModelUnavailableError
from .followup import Turn

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from .settings import Settings

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer questions about a privacy policy for its readers, using only the numbered quotes from the policy "
    "that you are given. Never add facts, names, numbers, dates or examples that are not in the quotes. Write one "
    "to three short, plain sentences, keeping the quotes' own words where you can, and end every sentence with "
    "the number of the quote it comes from in square brackets.\n\n"
    "Example:\n"
    "Quotes:\n[1] “We keep backups of your files for 30 days.”\n[2] “You can delete a backup at any time.”\n"
    "Question: How long do you keep my backups?\n"
    "Answer: We keep backups of your files for 30 days [1]."
)
HISTORY_TURNS = 4  # earlier turns the model sees, newest last
TURN_CHARS = 600  # each cut to this length


def split_spec(spec: str) -> tuple[str, str]:
    """``"openai:gpt-4o-mini"`` -> ``("openai", "gpt-4o-mini")``; no prefix -> ``("", spec)`` (LangChain infers)."""
    provider, sep, model = spec.partition(":")
    if not sep or not provider.replace("_", "").replace("-", "").isalnum():
        return "", spec
    return provider, model


def model_kwargs(
    provider: str, base_url: str, api_key: str, timeout: float, max_tokens: int, temperature: float
) -> dict[str, Any]:
    """Keyword arguments for ``init_chat_model``, spelled as each provider's chat model class wants them."""
    kwargs: dict[str, Any] = {"temperature": temperature}
    if base_url:
        kwargs["base_url"] = base_url
    if provider == "ollama":  # ChatOllama: num_predict; its httpx client takes the timeout
        kwargs.update(num_predict=max_tokens, client_kwargs={"timeout": timeout})
        return kwargs
    kwargs.update(max_tokens=max_tokens, timeout=timeout, max_retries=0)
    if api_key:
        kwargs["api_key"] = api_key
    elif provider == "openai" and base_url and not os.environ.get("OPENAI_API_KEY"):
        kwargs["api_key"] = "unused"  # local OpenAI-compatible servers need no key, but the client wants one
    return kwargs


def load_chat_model(
    spec: str,
    base_url: str = "",
    api_key: str = "",
    timeout: float = 20.0,
    max_tokens: int = 200,
    temperature: float = 0.0,
) -> BaseChatModel:
    """The chat model ``spec`` names; ``ModelUnavailableError`` when its package is missing or it is unknown."""
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise ModelUnavailableError(
            "LLM phrasing needs the 'llm' extra (langchain, langchain-openai): pip install 'policybot[llm]'"
        ) from exc
    provider, _ = split_spec(spec)
    kwargs = model_kwargs(provider, base_url, api_key, timeout, max_tokens, temperature)
    try:
        model = init_chat_model(spec, **kwargs)
    except (ImportError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot load the LLM {spec!r}: {exc}") from exc
    return model  # type: ignore[return-value]


def quote_block(quotes: Sequence[str]) -> str:
    return "\n".join(f"[{i}] “{q}”" for i, q in enumerate(quotes, start=1))


def build_messages(question: str, history: Sequence[Turn], quotes: Sequence[str]) -> list[BaseMessage]:
    """The system prompt, the last few turns, then the numbered quotes and the question."""
    messages: list[BaseMessage] = [SystemMessage(SYSTEM_PROMPT)]
    for turn in [t for t in history if t.content.strip()][-HISTORY_TURNS:]:
        text = turn.content.strip()[:TURN_CHARS]
        messages.append(AIMessage(text) if turn.role == "assistant" else HumanMessage(text))
    messages.append(HumanMessage(f"Quotes:\n{quote_block(quotes)}\nQuestion: {question.strip()}"))
    return messages


def _classify(exc: BaseException) -> LLMError:
    name = type(exc).__name__
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if "RateLimit" in name or status == 429:
        return LLMRateLimitError(f"{name}: {exc}"[:300])
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return LLMTimeoutError(f"{name}: {exc}"[:300])
    return LLMError(f"{name}: {exc}"[:300])


class ChatWriter:
    """Phrases an answer from numbered quotes with a LangChain chat model, within ``timeout`` seconds.

    ``write`` raises ``LLMTimeoutError``, ``LLMRateLimitError`` or ``LLMError``; it never returns partial text.
    """

    def __init__(self, model: BaseChatModel, timeout: float = 20.0, workers: int = 4) -> None:
        self.model = model
        self.timeout = timeout
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm")

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatWriter:
        model = load_chat_model(
            settings.llm,
            settings.llm_base_url,
            settings.llm_api_key.get_secret_value(),
            settings.llm_timeout,
            settings.llm_max_tokens,
            settings.llm_temperature,
        )
        return cls(model, settings.llm_timeout)

    def write(self, question: str, history: Sequence[Turn], quotes: Sequence[str]) -> str:
        future = self._pool.submit(self.model.invoke, build_messages(question, history, quotes))
        try:
            message = future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise LLMTimeoutError(f"no answer within {self.timeout:g}s") from exc
        except Exception as exc:
            raise _classify(exc) from exc
        text = message.text if isinstance(message, BaseMessage) else str(message)
        if not text.strip():
            raise LLMError("the model returned no text")
        return text

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
