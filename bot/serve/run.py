"""``python -m bot serve``: the app under uvicorn, with the server settings the web edge depends on."""

from __future__ import annotations

from ..settings import Settings


def run(settings: Settings) -> None:
    """Serve ``create_app(settings)`` on ``settings.host``:``settings.port`` until interrupted."""
    import uvicorn

    from .app import create_app

    # No access log: it would record client IP addresses; questions are logged redacted by the app.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_level="info",
        timeout_graceful_shutdown=10,
        # forwarded headers only from the proxies named in BOT_FORWARDED_ALLOW_IPS (uvicorn's default trusts loopback)
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
    )
