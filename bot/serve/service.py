"""What the HTTP API and the agent console share: one PolicyBot, the question log, and the rules for both.

Created in the web app's lifespan (never at import). ``warm_up`` runs in a worker thread so the server
answers ``/api/health`` with 503 while models and index load.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Literal

from ..answer import Answer
from ..errors import BotError, BusyError, InvalidQuestionError, NotReadyError
from ..followup import Turn
from ..guard import text_problem
from ..phrasing import PhrasedAnswer, Phraser, extractive
from ..pipeline import PolicyBot
from ..redact import redact
from ..settings import Settings
from .cache import AnswerCache
from .store import Store

log = logging.getLogger(__name__)

State = Literal["starting", "ready", "failed"]

# C0 controls but tab, newline and carriage return; DEL and the C1 controls; surrogate code points.


def one_line(text: str) -> str:
    """``text`` for a log line: line breaks escaped, so a message cannot forge a line of its own."""
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


class Service:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.bot = PolicyBot(settings)
        self.state: State = "starting"
        self.error: str | None = None
        self.answers = AnswerCache(settings.answer_cache_size, self.bot.canonical)
        # One question at a time through the models: two cores, and the pipeline is not documented thread-safe.
        # More throughput comes from more processes (BOT_WORKERS, replicas), each with its own: see docs/SCALING.md.
        self._lock = threading.Lock()
        self._waiting = 0  # questions answering or waiting for the lock: beyond max_queue, BusyError (back-pressure)
        self._answering = 0  # questions holding the lock (0 or 1)
        self._counter = threading.Lock()
        # Optional LLM phrasing (BOT_LLM), created in warm_up; None: answers are the quotes alone.
        self.phraser: Phraser | None = None

    def warm_up(self) -> None:
        started = time.perf_counter()
        try:
            self.bot.warm_up()
            if self.settings.llm:
                self.phraser = Phraser.from_settings(self.settings)
        except BotError as exc:
            self.state, self.error = "failed", str(exc)
            log.error("warm-up failed: %s", exc)
            return
        except Exception as exc:  # a broken model file must show in /api/health, not kill the server silently
            self.state, self.error = "failed", f"{type(exc).__name__}: {exc}"
            log.exception("warm-up failed")
            return
        self.state = "ready"
        log.info("ready in %.1fs", time.perf_counter() - started)

    def require_ready(self) -> None:
        if self.state == "starting":
            raise NotReadyError("the bot is still loading its index and models; try again in a few seconds")
        if self.state == "failed":
            raise NotReadyError(f"the bot could not start: {self.error}")

    def _ask_in_turn(self, question: str, history: Sequence[Turn], document: str | None) -> Answer:
        """``bot.ask`` under the models' lock; BusyError at once when ``max_queue`` questions already wait."""
        with self._counter:
            if self._waiting > self.settings.max_queue:
                raise BusyError(f"busy: {self._waiting} questions are waiting; try again in a few seconds")
            self._waiting += 1
        try:
            with self._lock:
                with self._counter:
                    self._answering += 1
                try:
                    return self.bot.ask(question, history, document=document)
                finally:
                    with self._counter:
                        self._answering -= 1
        finally:
            with self._counter:
                self._waiting -= 1

    def queue(self) -> dict[str, int]:
        """Questions being answered by the models now, questions waiting for them, and how many may wait."""
        with self._counter:
            answering, queued = self._answering, self._waiting
        return {"answering": answering, "waiting": queued - answering, "max_waiting": self.settings.max_queue}

    def ask(
        self, question: str, history: Sequence[Turn], channel: str, document: str | None = None
    ) -> tuple[str, Answer]:
        """Answer and log one question (from ``document``'s owner when given; ``UnknownDocumentError`` for a source
        the corpus does not hold); returns the logged question's id (for feedback) and the answer."""
        self.require_ready()
        for where, text in [
            ("question", question),
            *((f"history.{i}.content", t.content) for i, t in enumerate(history)),
        ]:
            problem = text_problem(text)
            if problem:
                raise InvalidQuestionError(f"{where}: {problem}")
        started = time.perf_counter()
        build = self.bot.index.path.name
        answer = self.answers.get(build, question, history, document)
        if answer is None:
            answer = self._ask_in_turn(question, history, document)
            self.answers.put(build, question, history, answer, document)
        latency_ms = round((time.perf_counter() - started) * 1000)
        top = (
            answer.citations[0].section
            if answer.citations
            else (answer.retrieved[0].chunk.section_title if answer.retrieved else None)
        )
        qid = self.store.record_question(channel, question, answer.refused, answer.reason, top, latency_ms)
        log.info(
            "%s question %s in %d ms (refused=%s): %s",
            channel,
            qid,
            latency_ms,
            answer.reason or False,
            one_line(redact(question)),
        )
        return qid, answer

    def phrase(self, answer: Answer, question: str, history: Sequence[Turn]) -> PhrasedAnswer:
        """The answer phrased by the LLM when one is configured (each sentence checked), else unchanged."""
        if self.phraser is None:
            return extractive(answer)
        phrased = self.phraser.phrase(answer, question, history)
        log.info(
            "phrased: mode %s, %d of %d generated sentence(s) shown%s",
            phrased.mode,
            len(phrased.shown),
            len(phrased.sentences),
            f" (fallback: {phrased.fallback})" if phrased.fallback else "",
        )
        return phrased

    def feedback(self, question_id: str, rating: str, comment: str | None) -> int:
        feedback_id = self.store.record_feedback(question_id, rating, comment)
        log.info("feedback %s on question %s", rating, question_id)
        return feedback_id

    def purge(self) -> None:
        questions, feedback = self.store.purge(self.settings.retention_days)
        if questions or feedback:
            log.info(
                "purged %d question(s) and %d feedback row(s) older than %d days",
                questions,
                feedback,
                self.settings.retention_days,
            )
