"""Optional LLM phrasing on top of an extractive answer, every generated sentence checked before it is shown.

The model sees the question, the earlier turns and only the verified quotes, numbered ``[1]..[n]`` in the order
of ``Answer.citations``. Its text is split into sentences and each is judged by ``bot.checker`` (the same checker
as ``python -m bot check-support``: cheap claim gates, then the trained support verifier); unsupported
sentences are dropped. The quotes are always shown under the sentences that remain. The extractive answer is
shown unchanged (mode ``"extractive"``) when no model is configured, when the bot refused (refusals are never
phrased), when the model fails, times out or is rate limited, and when no generated sentence is supported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from .answer import Answer, Citation, answer_to_dict
from .claim_text import split_sentences
from .errors import LLMError, LLMRateLimitError, LLMTimeoutError
from .followup import Turn
from .support import SentenceCheck

if TYPE_CHECKING:
    from .settings import Settings

log = logging.getLogger(__name__)

Mode = Literal["llm", "extractive"]

# Why an answer is extractive although a model is configured.
FALLBACK_REFUSED = "refused"
FALLBACK_TIMEOUT = "timeout"
FALLBACK_RATE_LIMITED = "rate_limited"
FALLBACK_MODEL_ERROR = "model_error"
FALLBACK_UNSUPPORTED = "no_supported_sentence"


class Writer(Protocol):
    """Writes an answer from numbered quotes (``bot.llm.ChatWriter``); raises ``LLMError`` when it cannot."""

    def write(self, question: str, history: Sequence[Turn], quotes: Sequence[str]) -> str: ...


class SentenceChecker(Protocol):
    """Judges one generated sentence against the numbered quotes (``Phraser.check``)."""

    def __call__(self, sentence: str, quotes: Sequence[str]) -> SentenceCheck: ...


@dataclass(frozen=True)
class PhrasedAnswer:
    """What is shown: ``text``. ``answer`` is the extractive answer, unchanged; ``sentences`` every generated
    sentence with its verdict (only the supported ones are in ``text``); ``fallback`` says why the mode is
    ``"extractive"`` although a model was asked (None when no model is configured or phrasing worked)."""

    answer: Answer
    mode: Mode
    text: str
    sentences: tuple[SentenceCheck, ...] = ()
    fallback: str | None = None
    seconds: float = 0.0

    @property
    def shown(self) -> tuple[SentenceCheck, ...]:
        return tuple(s for s in self.sentences if s.supported) if self.mode == "llm" else ()


def extractive(answer: Answer, fallback: str | None = None, sentences: Sequence[SentenceCheck] = ()) -> PhrasedAnswer:
    return PhrasedAnswer(answer, "extractive", answer.answer, tuple(sentences), fallback)


def compose(sentences: Sequence[str], quotes: Sequence[tuple[str, str]]) -> str:
    """The shown text: the supported sentences, then every quote numbered as cited, with its section."""
    lines = [f"[{i}] From “{section}”: “{quote}”" for i, (section, quote) in enumerate(quotes, start=1)]
    return " ".join(sentences) + "\n\n" + "\n".join(lines)


def _quotes(citations: Sequence[Citation]) -> list[tuple[str, str]]:
    return [(c.section, c.quote) for c in citations]


def phrase(
    answer: Answer,
    question: str,
    history: Sequence[Turn],
    writer: Writer,
    check: SentenceChecker,
) -> PhrasedAnswer:
    """Phrase ``answer`` with ``writer``; keep the sentences ``check`` supports, else return it unchanged."""
    if answer.refused or not answer.citations:
        return extractive(answer, FALLBACK_REFUSED)
    began = time.perf_counter()
    quotes = [c.quote for c in answer.citations]
    try:
        raw = writer.write(question, history, quotes)
    except LLMTimeoutError as exc:
        log.warning("LLM timed out; showing the quotes alone: %s", exc)
        return extractive(answer, FALLBACK_TIMEOUT)
    except LLMRateLimitError as exc:
        log.warning("LLM rate limited; showing the quotes alone: %s", exc)
        return extractive(answer, FALLBACK_RATE_LIMITED)
    except LLMError as exc:
        log.warning("LLM failed; showing the quotes alone: %s", exc)
        return extractive(answer, FALLBACK_MODEL_ERROR)
    checks = tuple(check(s, quotes) for s in split_sentences(raw))
    for c in checks:
        if not c.supported:
            log.info("dropped a generated sentence (%s): %.200r", c.reason, c.text)
    shown = [c.text for c in checks if c.supported]
    seconds = time.perf_counter() - began
    if not shown:
        return PhrasedAnswer(answer, "extractive", answer.answer, checks, FALLBACK_UNSUPPORTED, seconds)
    return PhrasedAnswer(answer, "llm", compose(shown, _quotes(answer.citations)), checks, None, seconds)


class Phraser:
    """LLM phrasing for a bot: the writer and the sentence checker in the constructor, the answer in ``phrase``.
    The checker is ``bot.checker.SupportChecker`` in production, the one the eval's re-check and
    ``python -m bot check-support`` use, so a sentence gets the same verdict everywhere."""

    def __init__(self, writer: Writer, check: SentenceChecker) -> None:
        self.writer = writer
        self.check = check

    @classmethod
    def from_settings(cls, settings: Settings) -> Phraser:
        """The phraser ``BOT_LLM*`` describe, with a support checker of its own (so checking sentences never
        waits on the bot's retrieval); ``ModelUnavailableError`` when the model or the verifier is missing."""
        from .checker import SupportChecker
        from .llm import ChatWriter

        checker = SupportChecker.for_corpus(settings)
        writer = ChatWriter.from_settings(settings)
        return cls(writer, checker)

    def phrase(self, answer: Answer, question: str, history: Sequence[Turn] = ()) -> PhrasedAnswer:
        return phrase(answer, question, history, self.writer, self.check)


def dropped_reasons(p: PhrasedAnswer) -> list[str]:
    """Why each generated sentence that is not shown was dropped (its checker's reason), in order."""
    shown = {id(s) for s in p.shown}
    return [s.reason for s in p.sentences if id(s) not in shown]


def sentence_to_dict(s: SentenceCheck) -> dict[str, object]:
    return {"text": s.text, "citations": list(s.citations), "score": s.score}


def phrased_to_dict(p: PhrasedAnswer) -> dict[str, object]:
    """``answer_to_dict`` plus ``mode``, the shown ``sentences`` (text, citation numbers, support score), how
    many generated sentences were dropped, and why the answer fell back to the quotes (``fallback``)."""
    return {
        **answer_to_dict(p.answer),
        "answer": p.text,
        "mode": p.mode,
        "sentences": [sentence_to_dict(s) for s in p.shown],
        "sentences_dropped": len(p.sentences) - len(p.shown),
        "fallback": p.fallback,
    }
