"""``POST /api/ask``: a question (and the earlier turns) in, the answer with its verbatim citations out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from slowapi import Limiter
from starlette.concurrency import run_in_threadpool

from ...errors import InvalidQuestionError
from ...followup import Turn
from ...phrasing import phrased_to_dict
from ...settings import Settings
from ..schemas import AskIn, StrictJSONRoute
from . import service_of


def check_question(settings: Settings, body: AskIn) -> None:
    """InvalidQuestionError (422) for an empty or too long question, or too many turns."""
    if not body.question.strip():
        raise InvalidQuestionError("question: the question is empty")
    if len(body.question) > settings.max_question_chars:
        raise InvalidQuestionError(
            f"question: the question is {len(body.question)} characters long; "
            f"at most {settings.max_question_chars} are accepted"
        )
    if len(body.history) > settings.max_history_turns:
        raise InvalidQuestionError(
            f"history: {len(body.history)} turns sent; at most {settings.max_history_turns} are accepted"
        )


def make_router(settings: Settings, limiter: Limiter) -> APIRouter:
    """The ask route, limited per client to ``settings.rate_limit``."""
    api = APIRouter(route_class=StrictJSONRoute, tags=["api"])

    @api.post("/api/ask", summary="Answer a question with quotes from the policy")
    @limiter.limit(settings.rate_limit)
    async def api_ask(request: Request, body: AskIn) -> dict[str, Any]:
        """The answer, its verbatim citations (with character offsets), what was retrieved, and an `id`
        to send feedback about. A question the policy does not cover comes back with `refused: true`.

        Send the earlier turns in `history` so a follow-up ("how do I turn them off?") is understood.

        `mode` is `"extractive"` (the answer is the quotes) unless an LLM is configured (`BOT_LLM`): then it is
        `"llm"` when `answer` holds generated sentences, each checked against the quotes it cites, followed by
        the numbered quotes; `sentences` lists them with their citation numbers and support scores. When the
        model fails, times out or writes nothing supported, the answer falls back to the quotes (`fallback`).
        """
        check_question(settings, body)
        channel = "widget" if request.headers.get("x-bot-channel", "").lower() == "widget" else "api"
        turns = [Turn(t.role, t.content) for t in body.history]
        service = service_of(request)
        qid, answer = await run_in_threadpool(service.ask, body.question, turns, channel, body.document)
        phrased = await run_in_threadpool(service.phrase, answer, body.question, turns)
        return {"id": qid, **phrased_to_dict(phrased)}

    return api
