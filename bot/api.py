"""The web app: JSON API, the policy page, the chat widget's files, a demo page and the agent console.

``create_app(settings)`` builds it; the PolicyBot is created in the lifespan and warms up in a worker
thread (``/api/health`` says 503 until it is ready). Importing this module loads no model. Domain errors
(``bot.errors``) become HTTP statuses here and nowhere else.

Run it with ``python -m bot serve`` or ``uvicorn --factory bot.api:create_app``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .errors import (
    BotError,
    BusyError,
    CorpusError,
    IndexCorruptError,
    IndexMissingError,
    IndexStaleError,
    InvalidQuestionError,
    ModelUnavailableError,
    NotReadyError,
    UnknownQuestionError,
)
from .followup import Turn
from .login_throttle import LoginThrottle
from .middleware import BodyLimit, SecurityHeaders
from .pages import parse_range, policy_page
from .phrasing import phrased_to_dict
from .redact import redact
from .service import Service, text_problem
from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
DAY = 24 * 3600

# Our own pages load nothing but our own files; the demo page also runs /widget.js and calls /api.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
DEMO_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Swagger UI comes from its CDN; its one inline script is allowed by hash (``_docs_csp``), nothing else inline.
DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net {scripts}; style-src https://cdn.jsdelivr.net "
    "'unsafe-inline'; img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# The widget's files are loaded by other sites' pages (script and stylesheet, not frames).
ASSET_HEADERS = {"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"}

_STATUS: list[tuple[type[BotError], int]] = [
    (InvalidQuestionError, 422),
    (UnknownQuestionError, 404),
    (NotReadyError, 503),
    (BusyError, 503),
    (IndexMissingError, 503),
    (IndexStaleError, 503),
    (IndexCorruptError, 503),
    (ModelUnavailableError, 503),
    (CorpusError, 503),
]


# -- request bodies ------------------------------------------------------------------------------------
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


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The `id` that /api/ask returned (32 hex digits).")
    rating: Literal["up", "down"]
    comment: CommentText | None = None


class FeedbackOut(BaseModel):
    id: int
    question_id: str
    rating: str


# -- helpers -------------------------------------------------------------------------------------------
def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _status_of(exc: BotError) -> int:
    return next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or "body"


_NOT_AN_OBJECT = frozenset({"model_attributes_type", "model_type", "dict_type"})


def _validation_detail(errors: list[dict[str, Any]]) -> str:
    def one(e: dict[str, Any]) -> str:
        if e.get("type") == "json_invalid":
            return "the request body is not valid JSON"
        if e.get("type") in _NOT_AN_OBJECT and _where(tuple(e.get("loc", ()))) == "body":
            return "the request body must be a JSON object, sent with Content-Type: application/json"
        return f"{_where(tuple(e.get('loc', ())))}: {e.get('msg', 'invalid')}"

    return "; ".join(one(e) for e in errors)


def _check_question(settings: Settings, body: AskIn) -> None:
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


class _RedactFilter(logging.Filter):
    """Redacts a third-party logger's records (slowapi's "ratelimit exceeded" names the client's address): no log
    line holds an IP address, an e-mail or a phone number."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        return True


def _log_info() -> None:
    """Let the app's own INFO lines (questions, redacted; purges; readiness) reach the server's output.

    ``python -m bot serve`` leaves the root logger at WARNING and uvicorn configures only its own loggers, so
    without this the ``bot`` loggers' INFO records are dropped. A handler is added only when none would print.
    """
    limiter_log = logging.getLogger("slowapi")
    if not any(isinstance(f, _RedactFilter) for f in limiter_log.filters):
        limiter_log.addFilter(_RedactFilter())
    bot_log = logging.getLogger("bot")
    if bot_log.level == logging.NOTSET or bot_log.level > logging.INFO:
        bot_log.setLevel(logging.INFO)
    if not logging.getLogger().handlers and not bot_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        bot_log.addHandler(handler)


async def _purge_daily(service: Service) -> None:
    while True:
        await asyncio.sleep(DAY)
        try:
            await run_in_threadpool(service.purge)
        except Exception:
            log.exception("retention purge failed")


# -- the app -------------------------------------------------------------------------------------------
def create_app(settings: Settings | None = None) -> FastAPI:
    """The whole web app for ``settings`` (read from ``BOT_*`` variables when not given)."""
    settings = settings or Settings()  # type: ignore[call-arg]  # the rest comes from BOT_* variables

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _log_info()
        store = Store(settings.resolved_database_url())
        service = Service(settings, store)
        await run_in_threadpool(service.purge)
        app.state.service = service
        warm = asyncio.create_task(asyncio.to_thread(service.warm_up))
        purge = asyncio.create_task(_purge_daily(service))
        try:
            yield
        finally:
            purge.cancel()
            with suppress(asyncio.CancelledError):
                await purge
            await warm
            store.close()

    app = FastAPI(
        title="PolicyBot",
        version=_package_version(),
        summary="Answers questions about a privacy policy with verbatim, cited quotes.",
        lifespan=lifespan,
        docs_url=None,  # served below, with a Content-Security-Policy
        redoc_url=None,
    )
    app.router.route_class = StrictJSONRoute
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
    app.state.limiter = limiter

    # -- errors ---------------------------------------------------------------------------------------
    @app.exception_handler(BotError)
    async def bot_error(request: Request, exc: BotError) -> JSONResponse:
        status = _status_of(exc)
        if status >= 500:
            log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        headers = {"Retry-After": "5"} if status == 503 else None
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in exc.errors()]
        return JSONResponse({"detail": _validation_detail(errors), "errors": errors}, status_code=422)

    @app.exception_handler(RateLimitExceeded)
    async def too_many(request: Request, exc: RateLimitExceeded) -> JSONResponse:
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

    # -- API ------------------------------------------------------------------------------------------
    @app.post("/api/ask", tags=["api"], summary="Answer a question with quotes from the policy")
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
        _check_question(settings, body)
        channel = "widget" if request.headers.get("x-bot-channel", "").lower() == "widget" else "api"
        turns = [Turn(t.role, t.content) for t in body.history]
        service = _service(request)
        qid, answer = await run_in_threadpool(service.ask, body.question, turns, channel)
        phrased = await run_in_threadpool(service.phrase, answer, body.question, turns)
        return {"id": qid, **phrased_to_dict(phrased)}

    @app.post("/api/feedback", tags=["api"], status_code=201, response_model=FeedbackOut)
    @limiter.limit(settings.rate_limit)
    async def api_feedback(request: Request, body: FeedbackIn) -> FeedbackOut:
        """Rate an answer up or down, optionally with a comment (personal data in it is redacted)."""
        service = _service(request)
        fid = await run_in_threadpool(service.feedback, body.id, body.rating, body.comment)
        return FeedbackOut(id=fid, question_id=body.id, rating=body.rating)

    @app.get("/api/health", tags=["api"])
    async def api_health(request: Request) -> JSONResponse:
        """503 while the bot loads; then 200 with the index manifest: corpus hashes and model fingerprint."""
        service = _service(request)
        if service.state != "ready":
            return JSONResponse(
                {"status": service.state, "detail": service.error}, status_code=503, headers={"Retry-After": "5"}
            )
        index = service.bot.index
        m = index.manifest
        return JSONResponse(
            {
                "status": "ok",
                "documents": [
                    {"source": d.source, "title": d.title, "sections": len(d.sections)}
                    for d in index.documents.values()
                ],
                "corpus": m.get("corpus", {}),
                "embedding_fingerprint": m.get("embedding_fingerprint"),
                "chunking": m.get("chunking"),
                "chunks": m.get("chunks"),
                "built_at": m.get("built_at"),
                "reranker": bool(settings.reranker_dir),
            }
        )

    # -- pages and files ------------------------------------------------------------------------------
    @app.get("/policy", response_class=HTMLResponse, tags=["pages"])
    async def policy(request: Request, source: str | None = None, hl: str | None = None) -> HTMLResponse:
        """The policy as HTML, one `id` per section; `hl=START-END` marks those characters; `source` picks
        the document when there are several."""
        service = _service(request)
        service.require_ready()
        documents = service.bot.index.documents
        if source is None:
            doc = next(iter(documents.values()))
        elif source in documents:
            doc = documents[source]
        else:
            raise HTTPException(404, f"no policy document {source!r}; known: {', '.join(documents)}")
        span = None
        if hl is not None:
            try:
                span = parse_range(hl, len(doc.text))
            except ValueError as exc:
                raise HTTPException(422, str(exc)) from exc
        html = policy_page(doc, documents.values(), span)
        return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"})

    @app.get("/", response_class=HTMLResponse, tags=["pages"])
    async def demo_page() -> FileResponse:
        """A small product site with the chat widget on it."""
        return FileResponse(
            STATIC / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": DEMO_CSP, "Cache-Control": "no-cache"},
        )

    @app.get("/widget.js", tags=["pages"])
    async def widget_js() -> FileResponse:
        """The chat widget: add `<script src="https://this-server/widget.js" async></script>` to a page."""
        return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=ASSET_HEADERS)

    @app.get("/widget.css", tags=["pages"])
    async def widget_css() -> FileResponse:
        return FileResponse(STATIC / "widget.css", media_type="text/css; charset=utf-8", headers=ASSET_HEADERS)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - API")
        html = bytes(page.body).decode()
        return HTMLResponse(html, headers={"Content-Security-Policy": _docs_csp(html), "Cache-Control": "no-cache"})

    @app.get("/site.css", include_in_schema=False)
    async def site_css() -> FileResponse:
        return FileResponse(
            STATIC / "site.css", media_type="text/css; charset=utf-8", headers={"Cache-Control": "public, max-age=300"}
        )

    # -- the agent console ----------------------------------------------------------------------------
    if settings.agent_password.get_secret_value():
        from .ui import mount_console

        mount_console(app, settings, lambda: app.state.service)
    else:
        log.warning("BOT_AGENT_PASSWORD is not set: the agent console at /agent is off")

    # Outermost last: CORS must wrap everything so that even 413 and 429 reach the widget readable.
    app.add_middleware(
        SecurityHeaders,
        common=COMMON_HEADERS,
        per_prefix={"/agent": {"Content-Security-Policy": "frame-ancestors 'none'"}},
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        LoginThrottle, path="/agent/login", max_failures=settings.login_max_failures, window=settings.login_window
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "X-Bot-Channel"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    return app


def _docs_csp(html: str) -> str:
    """DOCS_CSP allowing exactly the inline scripts of ``html`` (by their SHA-256)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, re.S)
    ]
    return DOCS_CSP.format(scripts=" ".join(hashes))


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policybot")
    except PackageNotFoundError:
        return "0"


__all__ = ["create_app"]
