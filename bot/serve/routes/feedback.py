"""``POST /api/feedback``: a rating (and an optional comment, redacted) on an earlier answer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from slowapi import Limiter
from starlette.concurrency import run_in_threadpool

from ...settings import Settings
from ..schemas import FeedbackIn, FeedbackOut, StrictJSONRoute
from . import service_of


def make_router(settings: Settings, limiter: Limiter) -> APIRouter:
    """The feedback route, limited per client to ``settings.rate_limit``."""
    api = APIRouter(route_class=StrictJSONRoute, tags=["api"])

    @api.post("/api/feedback", status_code=201, response_model=FeedbackOut)
    @limiter.limit(settings.rate_limit)
    async def api_feedback(request: Request, body: FeedbackIn) -> FeedbackOut:
        """Rate an answer up or down, optionally with a comment (personal data in it is redacted)."""
        service = service_of(request)
        fid = await run_in_threadpool(service.feedback, body.id, body.rating, body.comment)
        return FeedbackOut(id=fid, question_id=body.id, rating=body.rating)

    return api
