"""``python -m bot serve``: the app under uvicorn, with the server settings the web edge depends on."""

from __future__ import annotations

from ..settings import Settings


def run(settings: Settings) -> None:
    """Serve ``create_app(settings)`` on ``settings.host``:``settings.port`` until interrupted."""
    import uvicorn

    from .app import create_app
    from .timeouts import header_timeout_protocol

    # No access log: it would record client IP addresses; questions are logged redacted by the app.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_level="info",
        timeout_graceful_shutdown=10,
        # a request head that has not arrived in BOT_REQUEST_TIMEOUT seconds: 408, closed (bodies: BodyTimeout)
        http=header_timeout_protocol(settings.request_timeout),
        timeout_keep_alive=5,  # idle keep-alive connections closed after 5 s (uvicorn's default, kept on purpose)
        # forwarded headers only from the proxies named in BOT_FORWARDED_ALLOW_IPS (uvicorn's default trusts loopback)
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
    )
