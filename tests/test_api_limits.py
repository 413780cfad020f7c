"""Per-client rate limits (429 with Retry-After) and a server whose bot cannot start (503)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from live_server import LiveServer, serve


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory, "limited", rate_limit="3/minute") as srv:
        yield srv


def test_the_fourth_question_in_a_minute_gets_429_with_retry_after(limited: LiveServer) -> None:
    with httpx.Client(base_url=limited.url, timeout=60) as client:
        ids = []
        for _ in range(3):
            r = client.post("/api/ask", json={"question": "???"})
            assert r.status_code == 200, r.text
            ids.append(r.json()["id"])
        r = client.post("/api/ask", json={"question": "Do you use cookies?"})
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert "too many requests" in r.json()["detail"]
        # Each endpoint has its own budget: feedback still goes through, until it too runs out.
        statuses = [client.post("/api/feedback", json={"id": ids[0], "rating": "up"}).status_code for _ in range(4)]
        assert statuses == [201, 201, 201, 429]
        # A client cannot pick its own rate-limit key: X-Forwarded-For is believed from no proxy by default.
        spoofed = [
            client.post("/api/ask", json={"question": "???"}, headers={"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(3)
        ]
        assert [r.status_code for r in spoofed] == [429, 429, 429]
        # The limiter's own warning is logged without the client's address.
        warnings = [line for line in limited.log().splitlines() if "ratelimit" in line.lower()]
        assert warnings and not any("127.0.0.1" in line for line in warnings)
        # Reading is not limited.
        assert client.get("/api/health").status_code == 200


def test_a_bot_that_cannot_start_answers_503(tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = tmp_path_factory.mktemp("empty-corpus")
    with (
        serve(tmp_path_factory, "broken", expect_ready=False, corpus=f'["{empty}"]') as srv,
        httpx.Client(base_url=srv.url, timeout=30) as client,
    ):
        health = client.get("/api/health")
        assert health.status_code == 503
        assert health.json()["status"] == "failed" and "no policy files" in health.json()["detail"]
        ask = client.post("/api/ask", json={"question": "Do you use cookies?"})
        assert ask.status_code == 503 and ask.headers["retry-after"]
        assert "could not start" in ask.json()["detail"]


@pytest.fixture(scope="module")
def queued(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Room for one question waiting behind the one being answered."""
    with serve(tmp_path_factory, "queue", max_queue="1", rate_limit="1000/minute") as srv:
        yield srv


def _burst(server: LiveServer, questions: list[str]) -> list[httpx.Response]:
    """The questions sent at the same time, each from its own client."""

    def ask(q: str) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            return client.post("/api/ask", json={"question": q})

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        return list(pool.map(ask, questions))


def test_more_questions_than_the_queue_holds_get_503_with_retry_after(queued: LiveServer) -> None:
    """Back-pressure: with room for one waiting question, a burst of distinct questions is partly told to come
    back later at once, instead of every client waiting behind the whole queue."""
    questions = [f"question number {n}: what is collected when I browse page {n}?" for n in range(8)]
    responses = _burst(queued, questions)
    codes = sorted(r.status_code for r in responses)
    assert set(codes) == {200, 503}, codes
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["retry-after"] == "5" and "busy" in busy.json()["detail"]
    assert all(r.json()["citations"] or r.json()["refused"] for r in responses if r.status_code == 200)


def test_health_reports_the_queue_depth(queued: LiveServer) -> None:
    """/api/health says how many questions the models are answering and how many wait behind them."""
    seen: list[dict[str, int]] = []
    done = threading.Event()

    def watch() -> None:
        with httpx.Client(base_url=queued.url, timeout=30) as client:
            while not done.is_set():
                seen.append(client.get("/api/health").json()["queue"])
                time.sleep(0.02)

    idle = httpx.get(queued.url + "/api/health", timeout=30).json()["queue"]
    assert idle == {"answering": 0, "waiting": 0, "max_waiting": 1}
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        _burst(queued, [f"which records of visit {n} do you keep about my tablet {n}?" for n in range(3)])
    finally:
        done.set()
        watcher.join()
    assert {"answering": 1, "waiting": 1, "max_waiting": 1} in seen, seen[:20]
    assert all(q["answering"] <= 1 and 0 <= q["waiting"] <= 1 for q in seen), seen
    assert httpx.get(queued.url + "/api/health", timeout=30).json()["queue"] == idle
