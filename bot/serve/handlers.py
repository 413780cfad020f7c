"""Errors become HTTP statuses here and nowhere else: domain errors (``bot.errors``), invalid bodies, rate limits."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded

from ..errors import (
    BotError,
    BusyError,
    CorpusError,
    IndexCorruptError,
    IndexMissingError,
    IndexStaleError,
    InvalidQuestionError,
    ModelUnavailableError,
    NotReadyError,
    UnknownDocumentError,
    UnknownQuestionError,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[BotError], int]] = [
    (InvalidQuestionError, 422),
    (UnknownDocumentError, 422),
    (UnknownQuestionError, 404),
    (NotReadyError, 503),
    (BusyError, 503),
    (IndexMissingError, 503),
    (IndexStaleError, 503),
    (IndexCorruptError, 503),
    (ModelUnavailableError, 503),
    (CorpusError, 503),
]
_NOT_AN_OBJECT = frozenset({"model_attributes_type", "model_type", "dict_type"})


def status_of(exc: BotError) -> int:
    return next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or "body"


def validation_detail(errors: list[dict[str, Any]]) -> str:
    """One readable sentence per pydantic error: where, and what is wrong."""

    def one(e: dict[str, Any]) -> str:
        if e.get("type") == "json_invalid":
            return "the request body is not valid JSON"
        if e.get("type") in _NOT_AN_OBJECT and _where(tuple(e.get("loc", ()))) == "body":
            return "the request body must be a JSON object, sent with Content-Type: application/json"
        return f"{_where(tuple(e.get('loc', ())))}: {e.get('msg', 'invalid')}"

    return "; ".join(one(e) for e in errors)


async def bot_error(request: Request, exc: BotError) -> JSONResponse:
    status = status_of(exc)
    if status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
    headers = {"Retry-After": "5"} if status == 503 else None
    return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in exc.errors()]
    return JSONResponse({"detail": validation_detail(errors), "errors": errors}, status_code=422)


async def too_many(request: Request, exc: RateLimitExceeded) -> JSONResponse:
    """429 with the seconds until the client's window resets in ``Retry-After``."""
    limiter: Limiter = request.app.state.limiter
    retry = 60
    current = getattr(request.state, "view_rate_limit", None)
    if current is not None:
        reset, _remaining = limiter.limiter.get_window_stats(current[0], *current[1])
        retry = max(1, math.ceil(reset - time.time()))
    return JSONResponse(
        {"detail": f"too many requests (limit {exc.detail}); try again in {retry} seconds"},
        status_code=429,
        headers={"Retry-After": str(retry)},
    )


def add_error_handlers(app: FastAPI) -> None:
    app.exception_handler(BotError)(bot_error)
    app.exception_handler(RequestValidationError)(invalid_request)
    app.exception_handler(RateLimitExceeded)(too_many)
