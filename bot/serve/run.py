"""``python -m bot serve``: the app under uvicorn, with the server settings the web edge depends on.

One worker (``BOT_WORKERS=1``, the default) serves ``create_app(settings)`` in this process. More workers are
separate processes (uvicorn's supervisor, ``spawn``), each with its own models and lock, so distinct questions are
answered in parallel, one per core. Each worker builds its app with ``bot.serve.app:create_app`` from the ``BOT_*``
environment, so every setting of this process (command-line options included) is exported there first; the index
is checked, and rebuilt if stale, once in a short-lived child before the workers start, not by each of them.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from ..settings import Settings

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)


def run(settings: Settings) -> None:
    """Serve the app on ``settings.host``:``settings.port`` with ``settings.workers`` processes until interrupted."""
    import uvicorn

    from .app import create_app

    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "access_log": False,  # it would record client IP addresses; questions are logged redacted by the app
        "log_level": "info",
        "timeout_graceful_shutdown": 10,
        # a request head that has not arrived in BOT_REQUEST_TIMEOUT seconds: 408, closed (bodies: BodyTimeout)
        "http": functools.partial(_header_deadline, settings.request_timeout),
        "timeout_keep_alive": 5,  # idle keep-alive connections closed after 5 s (uvicorn's default, kept on purpose)
        # forwarded headers only from the proxies named in BOT_FORWARDED_ALLOW_IPS (uvicorn's default trusts loopback)
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **common)
        return
    if settings.agent_password.get_secret_value():
        log.warning(
            "the agent console keeps its login sessions per worker: with %d workers, serve /agent from a one-worker "
            "process or with sticky sessions (docs/SCALING.md)",
            settings.workers,
        )
    prepare(settings)
    os.environ.update(worker_environ(settings))
    uvicorn.run("bot.serve.app:create_app", factory=True, workers=settings.workers, **common)


def worker_environ(settings: Settings) -> dict[str, str]:
    """The ``BOT_*`` variables from which ``Settings()`` in a worker reads the same values as ``settings``: every
    field given explicitly or by the environment (defaults are left to the worker; ``root`` is always given)."""
    env: dict[str, str] = {}
    for name in settings.model_fields_set | {"root"}:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            text = value.get_secret_value()
        else:
            dumped = settings.model_dump(mode="json", include={name})[name]
            text = dumped if isinstance(dumped, str) else json.dumps(dumped)
        env[f"BOT_{name.upper()}"] = text
    return env


def prepare(settings: Settings) -> None:
    """Check the index (rebuilding it when missing or stale) and create the store's tables, in a child process so
    that this supervisor never holds the models; the workers then only load. ``SystemExit`` when that fails: the
    workers would each meet the failure again (and try to rebuild at the same time)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            pool.submit(_prepare_here, settings).result()
        except Exception as exc:
            raise SystemExit(f"Error: the index could not be prepared for the workers: {exc}") from exc


def _prepare_here(settings: Settings) -> None:
    from ..pipeline import PolicyBot
    from .store import Store

    PolicyBot(settings).load(rebuild=True)
    Store(settings.resolved_database_url()).close()


@functools.cache
def _protocol_class(seconds: float) -> type[asyncio.Protocol]:
    from .timeouts import header_timeout_protocol

    return header_timeout_protocol(seconds)


def _header_deadline(seconds: float, **kwargs: Any) -> asyncio.Protocol:
    """uvicorn's ``http`` protocol with a ``seconds`` deadline for request heads. A module-level function (with
    ``functools.partial``), not a class made at run time, so that the config pickles into ``spawn`` workers."""
    return _protocol_class(seconds)(**kwargs)
