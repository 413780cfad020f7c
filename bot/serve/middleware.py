"""Two small ASGI middlewares for the web app: a request body size cap and security headers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]


class BodyLimit:
    """Answer 413 to a request whose body is over ``max_bytes``, before the app parses it.

    A declared Content-Length is checked up front (the server holds the client to it); a body sent
    without one (chunked) is read here first, up to the limit, and then handed on to the app.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > self.max_bytes:
                await self._reject(send)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps({"detail": f"the request body is larger than {self.max_bytes} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add headers to every response; ``per_prefix`` adds more to paths under a prefix (longest prefix wins).

    Headers that a route already set (a page's own Content-Security-Policy) are left as they are.
    """

    def __init__(self, app: ASGIApp, common: Mapping[str, str], per_prefix: Mapping[str, Mapping[str, str]]) -> None:
        self.app = app
        self.common = dict(common)
        self.per_prefix = sorted(per_prefix.items(), key=lambda kv: -len(kv[0]))

    def headers_for(self, path: str) -> dict[str, str]:
        extra = next(
            (h for prefix, h in self.per_prefix if path == prefix or path.startswith(prefix.rstrip("/") + "/")), {}
        )
        return {**self.common, **extra}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                for name, value in wanted.items():
                    key = name.lower().encode("latin-1")
                    if key not in present:
                        headers.append((key, value.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
