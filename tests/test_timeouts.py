"""Slow clients are cut off (issue 17, finding 6), against a real server over raw sockets.

The red team held a stalled body (11 of 34 bytes) and 5 slowloris connections open for 24-30 s. With
``BOT_REQUEST_TIMEOUT=2`` each now ends within a few seconds: a 408, then the connection closed.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from live_server import LiveServer, serve
from reliability_support import record

TIMEOUT = 2.0
GRACE = 4.0  # scheduling slack on two shared cores
FEEDBACK = b'{"id": "00000000000000000000000000000000", "rating": "up"}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory, "timeouts", request_timeout=str(TIMEOUT), rate_limit="1000/minute") as srv:
        yield srv


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT + GRACE + 5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started, received = time.monotonic(), b""
    while chunk := sock.recv(65536):
        received += chunk
    return received, time.monotonic() - started


def _head(path: str, length: int | None = None, chunked: bool = False) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_stalled_body_ends_with_408_and_a_closed_connection(server: LiveServer) -> None:
    with _connect(server) as sock:
        sock.sendall(_head("/api/feedback", length=34) + b'{"id": "000')  # 11 of 34 bytes, then nothing
        received, waited = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 "), received[:200]
    assert b"did not arrive within 2 seconds" in received
    assert TIMEOUT - 0.5 <= waited <= TIMEOUT + GRACE
    record("timeout_stalled_body", status=408, closed_after_s=round(waited, 2))


def test_a_stalled_chunked_body_ends_with_408(server: LiveServer) -> None:
    """A body without Content-Length is read by the body-size limit first: it has the same deadline."""
    with _connect(server) as sock:
        sock.sendall(_head("/api/ask", chunked=True) + b'5\r\n{"que\r\n')
        received, waited = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 "), received[:200]
    assert waited <= TIMEOUT + GRACE


def test_slowloris_connections_are_closed(server: LiveServer) -> None:
    """Five connections sending their headers a byte at a time: all closed by the deadline, not kept alive by
    the trickle; meanwhile the server answers others."""
    socks = [_connect(server) for _ in range(5)]
    head = _head("/api/feedback", length=len(FEEDBACK))
    started = time.monotonic()
    open_ = set(range(len(socks)))
    for sock in socks:
        sock.settimeout(0.05)
    try:
        position = 0
        while open_ and time.monotonic() - started < TIMEOUT + GRACE + 5:
            for i in list(open_):
                try:
                    socks[i].sendall(head[position : position + 1])
                    if socks[i].recv(65536) == b"":
                        open_.discard(i)
                except TimeoutError:
                    continue  # nothing from the server yet: still open
                except OSError:
                    open_.discard(i)  # reset or broken pipe: closed
            position = min(position + 1, len(head) - 5)  # never finish the head
            time.sleep(0.3)
        closed_after = time.monotonic() - started
        assert not open_, f"{len(open_)} slowloris connections still open after {closed_after:.1f}s"
        assert closed_after <= TIMEOUT + GRACE
        assert httpx.get(server.url + "/api/health", timeout=10).status_code == 200
    finally:
        for sock in socks:
            sock.close()
    record("timeout_slowloris", connections=5, all_closed_after_s=round(closed_after, 2))


def test_an_idle_connection_that_never_sends_is_closed(server: LiveServer) -> None:
    with _connect(server) as sock:
        received, waited = _until_closed(sock)
    assert received == b"" and waited <= TIMEOUT + GRACE


def test_a_slow_but_timely_request_is_answered(server: LiveServer) -> None:
    """A head and a body that each arrive within the deadline (in pieces) get their normal answer."""
    with _connect(server) as sock:
        head = _head("/api/feedback", length=len(FEEDBACK))
        sock.sendall(head[:20])
        time.sleep(TIMEOUT / 3)
        sock.sendall(head[20:] + FEEDBACK[:10])
        time.sleep(TIMEOUT / 3)
        sock.sendall(FEEDBACK[10:])
        response = sock.recv(65536)
    assert response.startswith(b"HTTP/1.1 404 "), response[:200]  # an unknown answer id: the request went through
