"""Nothing under /agent without a console session but the login page, its files and the login form's POST.

Gradio checks the session on most of its routes, not all: its page embeds the API description of every named
endpoint for anyone, and its heartbeat, cancel and reset routes answer without a login. ``ConsoleGate`` sits in
front of the mounted console and asks Gradio's own session table (the token in its ``access-token-*`` cookie)
who the client is. Anonymous clients get the login page (without the API description), the files that page is
drawn with, and ``POST /agent/login``; everything else is 401. The page itself gets a Content-Security-Policy
that allows its inline scripts by hash and scripts from this server only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from starlette.requests import HTTPConnection

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

# Gradio's page runs its own inline scripts (allowed by hash) and its bundles from this server; Svelte sets styles
# inline; nothing is loaded from elsewhere.
PAGE_CSP = (
    "default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PAGES = frozenset({"", "/"})
LOGIN = frozenset({"/login", "/login/"})
# What the login page is drawn with: Gradio's bundles, fonts and theme (the same for every visitor).
PUBLIC_PREFIXES = ("/assets/", "/static/")
PUBLIC = frozenset({"/theme.css", "/favicon.ico"})
NO_API_INFO = '{"named_endpoints": {}, "unnamed_endpoints": {}}'
_API_INFO = re.compile(r"<script>window\.gradio_api_info = .*?;</script>", re.S)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.S)


def gradio_session(console: Any) -> Callable[[Scope], str | None]:
    """Who a request's console session belongs to, read from the Gradio app's own table of login tokens."""

    def user(scope: Scope) -> str | None:
        cookies = HTTPConnection(scope).cookies
        token = cookies.get(f"access-token-{console.cookie_id}") or cookies.get(
            f"access-token-unsecure-{console.cookie_id}"
        )
        found: str | None = console.tokens.get(token) if token else None
        return found

    return user


def page_csp(html: str) -> str:
    """PAGE_CSP allowing exactly the inline scripts of ``html`` (by their SHA-256)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    ]
    return PAGE_CSP.format(scripts=" ".join(hashes))


def without_api_info(html: str) -> str:
    """The page with an empty API description in place of Gradio's list of named endpoints."""
    return _API_INFO.sub(lambda _: f"<script>window.gradio_api_info = {NO_API_INFO};</script>", html, count=1)


class ConsoleGate:
    """Requests under ``prefix`` need a session (``session_user``) except the login page, its files and the login."""

    def __init__(self, app: ASGIApp, prefix: str, session_user: Callable[[Scope], str | None]) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")
        self.session_user = session_user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        sub, method = path[len(self.prefix) :], scope.get("method", "GET")
        user = self.session_user(scope)
        if scope["type"] == "http" and sub in PAGES and method == "GET":
            await self._page(scope, receive, send, anonymous=user is None)
        elif user is not None or _public(sub, method):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await _unauthorized(send)

    async def _page(self, scope: Scope, receive: Receive, send: Send, anonymous: bool) -> None:
        """Gradio's page, uncompressed so it can be read: without the API description for an anonymous client, and
        with a CSP naming its inline scripts."""
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
        start: Message = {}
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _release(send, start, b"".join(chunks), anonymous)

        await self.app({**scope, "headers": headers}, receive, hold)


async def _release(send: Send, start: Message, body: bytes, anonymous: bool) -> None:
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if start.get("status") == 200 and content_type.startswith(b"text/html"):
        html = body.decode("utf-8")
        if anonymous:
            html = without_api_info(html)
        body = html.encode("utf-8")
        headers = [(k, v) for k, v in headers if k.lower() != b"content-security-policy"]
        headers.append((b"content-security-policy", page_csp(html).encode("latin-1")))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _public(sub: str, method: str) -> bool:
    if sub in LOGIN:
        return method == "POST"
    return method in ("GET", "HEAD") and (sub in PAGES or sub in PUBLIC or sub.startswith(PUBLIC_PREFIXES))


async def _unauthorized(send: Send) -> None:
    body = json.dumps({"detail": "sign in to the agent console first (/agent/)"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})
