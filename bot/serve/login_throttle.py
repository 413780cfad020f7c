"""Console login throttling: after a few wrong passwords from one client, 429 until the window has passed.

An ASGI middleware around the console's login route (Gradio answers 400 to wrong credentials). Failures are
counted per client address (the real one: forwarded headers are believed only from named proxies), so a client
guessing passwords is slowed down while the agent signing in from another address is not. Nothing of the
attempt is logged but the fact: no password, no address.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Any], Callable[[Message], Any]], Any]


class LoginThrottle:
    """At most ``max_failures`` wrong logins per client in ``window`` seconds on ``path``; then 429 with
    Retry-After (the seconds until the oldest failure leaves the window). A successful login clears the count."""

    def __init__(self, app: ASGIApp, path: str, max_failures: int = 5, window: float = 300.0) -> None:
        self.app = app
        self.path = path
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        """The client's failures within the window; clients whose failures have all expired are forgotten, so the
        table holds only addresses seen failing lately."""
        for other in [c for c, t in self._failures.items() if not t or now - t[-1] >= self.window]:
            del self._failures[other]
        times = self._failures.setdefault(client, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    async def __call__(self, scope: Scope, receive: Callable[[], Any], send: Callable[[Message], Any]) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            wait = math.ceil(self.window - (now - times[0])) if len(times) >= self.max_failures else 0
        if wait:
            log.warning("console login refused: too many wrong passwords from one client")
            await _too_many(send, wait)
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        with self._lock:
            if status and status[0] in (400, 401):
                now = time.monotonic()
                self._recent(client, now).append(now)
                log.info("console login failed")
            elif status and status[0] < 400:
                self._failures.pop(client, None)


async def _too_many(send: Callable[[Message], Any], wait: int) -> None:
    body = b'{"detail": "too many failed logins; try again later"}'
    headers = [
        (b"content-type", b"application/json"),
        (b"retry-after", str(wait).encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
