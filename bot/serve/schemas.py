"""The API's request and response bodies, and a route class whose JSON errors say what is wrong.

Pydantic lives here, at the I/O boundary; the core passes plain dataclasses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..guard import text_problem


def _storable(text: str) -> str:
    problem = text_problem(text)
    if problem:
        raise ValueError(problem)
    return text


# Free text that is logged and stored: no control characters (but tab and line breaks), no lone surrogates.
Text = Annotated[str, AfterValidator(_storable)]
TurnText = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_storable)]
CommentText = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_storable)]


class StrictJSONRequest(Request):
    """A request whose JSON body must be UTF-8 (RFC 8259) and whose errors say what is wrong.

    Invalid JSON stays FastAPI's 422; bytes that are not UTF-8, nesting too deep for the parser and
    numbers too long to convert become a 400 naming the problem (FastAPI alone says "error parsing the body").
    """

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise HTTPException(400, f"the request body is not UTF-8 text (byte {exc.start})") from exc
            try:
                self._json = json.loads(text)
            except json.JSONDecodeError:
                raise
            except RecursionError as exc:
                raise HTTPException(400, "the request body nests JSON arrays or objects too deeply") from exc
            except ValueError as exc:  # the only other one: an integer with more digits than Python converts
                raise HTTPException(400, "the request body has a number with too many digits") from exc
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    role: Literal["user", "assistant"]
    content: TurnText


class AskIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"question": "Do you use cookies?", "history": []}]},
    )

    question: Text = Field(description="The question, in plain words.")
    history: list[TurnIn] = Field(default_factory=list, description="Earlier turns, oldest first, for follow-ups.")
    document: str | None = Field(
        default=None,
        max_length=500,
        description="Answer from this document only: its `source` as `GET /api/documents` lists it. Without it, "
        "the company whose policy best answers the question answers; one answer never quotes two companies.",
    )


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The `id` that /api/ask returned (32 hex digits).")
    rating: Literal["up", "down"]
    comment: CommentText | None = None


class FeedbackOut(BaseModel):
    id: int
    question_id: str
    rating: str
