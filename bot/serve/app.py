"""The web app factory: ``create_app(settings)``.

The service (one PolicyBot, the question log) is created in the lifespan and kept in ``app.state``; the bot warms
up in a worker thread (``/api/health`` says 503 until it is ready). Importing this module loads no model.

Run it with ``python -m bot serve`` or ``uvicorn --factory bot.serve.app:create_app``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi import Limiter
from slowapi.util import get_remote_address
from starlette.concurrency import run_in_threadpool

from ..settings import Settings
from .handlers import add_error_handlers
from .headers import COMMON_HEADERS, CONSOLE_CSP
from .login_throttle import LoginThrottle
from .logs import configure_logging
from .middleware import BodyLimit, SecurityHeaders
from .routes import ask, documents, feedback, health, policy, site
from .service import Service
from .store import Store
from .timeouts import BodyTimeout

log = logging.getLogger(__name__)

DAY = 24 * 3600


def create_app(settings: Settings | None = None) -> FastAPI:
    """The whole web app for ``settings`` (read from ``BOT_*`` variables when not given)."""
    settings = settings or Settings()  # type: ignore[call-arg]  # the rest comes from BOT_* variables
    app = FastAPI(
        title="PolicyBot",
        version=_package_version(),
        summary="Answers questions about a privacy policy with verbatim, cited quotes.",
        lifespan=_lifespan,
        docs_url=None,  # served by routes.site, with a Content-Security-Policy
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.limiter = limiter = _limiter(settings)
    add_error_handlers(app)
    app.include_router(ask.make_router(settings, limiter))
    app.include_router(feedback.make_router(settings, limiter))
    for concern in (health, documents, policy, site):
        app.include_router(concern.router)
    if settings.agent_password.get_secret_value():
        from .console import mount_console
        from .console.gate import ConsoleGate, gradio_session

        console = mount_console(app, settings, lambda: app.state.service)
        app.add_middleware(ConsoleGate, prefix="/agent", session_user=gradio_session(console))  # innermost
    else:
        log.warning("BOT_AGENT_PASSWORD is not set: the agent console at /agent is off")
    _add_middleware(app, settings)
    return app


def _limiter(settings: Settings) -> Limiter:
    """Per-client limits counted in ``settings.rate_limit_storage`` (Redis: shared by every replica). If that storage
    cannot be reached, the counts fall back to this process's memory (slowapi logs it) rather than failing requests."""
    return Limiter(
        key_func=get_remote_address,
        storage_uri=settings.rate_limit_storage,
        in_memory_fallback_enabled=True,
        key_prefix="policybot",
    )


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Outermost last: CORS must wrap everything so that even 413 and 429 reach the widget readable."""
    app.add_middleware(
        SecurityHeaders, common=COMMON_HEADERS, per_prefix={"/agent": {"Content-Security-Policy": CONSOLE_CSP}}
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(BodyTimeout, seconds=settings.request_timeout)  # outside BodyLimit: it reads bodies too
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


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The store and the service for the app's life; warm-up and the daily retention purge run beside it."""
    configure_logging()
    settings: Settings = app.state.settings
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


async def _purge_daily(service: Service) -> None:
    while True:
        await asyncio.sleep(DAY)
        try:
            await run_in_threadpool(service.purge)
        except Exception:
            log.exception("retention purge failed")


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policybot")
    except PackageNotFoundError:
        return "0"


__all__ = ["create_app"]
