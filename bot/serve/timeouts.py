"""Slow clients are cut off: request headers and bodies that do not arrive within ``BOT_REQUEST_TIMEOUT`` seconds.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) and caps the size of a request head
(``h11_max_incomplete_event_size``), but has no deadline for a head that trickles in (slowloris) or a body that
stalls. Two pieces add them:

- ``header_timeout_protocol(seconds)``: uvicorn's h11 protocol with a deadline from a connection's first moment (or
  the first byte after a response) to a complete request head; past it the client gets ``408`` and the connection
  is closed. It also covers bytes still trickling in after a response, for a body the app never read.
- ``BodyTimeout``: ASGI middleware that gives each request's body the same deadline from the moment its head was
  parsed; past it the request ends with ``408`` (``Connection: close``). Waiting for the client to go away after
  the body (streaming responses) has no deadline.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from uvicorn.protocols.http.h11_impl import H11Protocol

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]


def _detail(seconds: float, what: str) -> str:
    return f"the request {what} did not arrive within {seconds:g} seconds"


def _json(detail: str) -> bytes:
    return json.dumps({"detail": detail}).encode()


class RequestTimedOut(HTTPException):
    """408 for a body that stalled: raised from ``receive`` so the app (or ``BodyTimeout``) answers it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, _detail(seconds, "body"), headers={"Connection": "close"})


class _HeaderDeadline(H11Protocol):
    """uvicorn's h11 protocol, with a deadline for a complete request head (``request_timeout`` seconds)."""

    request_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._heard = False  # bytes of a request head arrived since the last response

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._between_requests():
            self._heard = True
            self._arm()
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._heard = False
        self._disarm()  # uvicorn's keep-alive timer watches the idle connection until the next byte

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or not self._between_requests():
            return
        if self._heard:
            body = _json(_detail(self.request_timeout, "headers"))
            head = (
                "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
                f"content-length: {len(body)}\r\n\r\n"
            )
            self.transport.write(head.encode("latin-1") + body)
        self.transport.close()


def header_timeout_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's ``http`` protocol class with a ``seconds`` deadline for request heads."""
    return type("HeaderDeadline", (_HeaderDeadline,), {"request_timeout": seconds})


class BodyTimeout:
    """Answer ``408`` (and close the connection) when a request body has not fully arrived within ``seconds``."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()  # waiting for a disconnect after the body: no deadline
            try:
                message: Message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise RequestTimedOut(self.seconds) from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, watched_send)
        except RequestTimedOut:
            if not started:  # raised outside the app's own handlers (a middleware reading the body)
                await _send_408(send, self.seconds)


async def _send_408(send: Send, seconds: float) -> None:
    body = _json(_detail(seconds, "body"))
    headers = [
        (b"content-type", b"application/json"),
        (b"connection", b"close"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 408, "headers": headers})
    await send({"type": "http.response.body", "body": body})
