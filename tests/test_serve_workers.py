"""``BOT_WORKERS``: one server, several processes, distinct questions answered in parallel (issue 16, item 3).

The settings of ``python -m bot serve`` reach each worker through the ``BOT_*`` environment; with two workers, two
questions are in the models at the same time, which one process (one lock around its models) never allows.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, serve

from bot.serve.run import worker_environ
from bot.settings import Settings

QUESTIONS = ("Is my personal data sold to anyone?", "How long do you keep my information?")


def test_worker_environ_gives_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    given = Settings(
        corpus=(Path("corpus"), Path("partners/acme.md")),
        port=9001,
        workers=2,
        agent_password="s3cret",
        allowed_origins=("https://shop.example",),
        rate_limit="5/second",
    )
    for name in [k for k in os.environ if k.startswith("BOT_")]:
        monkeypatch.delenv(name)
    for name, value in worker_environ(given).items():
        monkeypatch.setenv(name, value)
    read = Settings()  # type: ignore[call-arg]
    assert read == given
    assert read.agent_password.get_secret_value() == "s3cret"


def _answered(server: LiveServer, question: str) -> tuple[float, float]:
    """(sent, received) of the first 200 for ``question``. A busy worker says 503 at once (``BOT_MAX_QUEUE=0``);
    that is retried on a new connection, which either worker may take."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        sent = time.monotonic()
        response = httpx.post(server.url + "/api/ask", json={"question": question}, timeout=120)
        if response.status_code == 200:
            return sent, time.monotonic()
        assert response.status_code == 503, response.text
    raise AssertionError(f"no answer to {question!r} in 120 s")


def test_two_workers_answer_two_questions_at_once(tmp_path_factory: pytest.TempPathFactory) -> None:
    with serve(tmp_path_factory, "two-workers", workers="2", max_queue="0", rate_limit="1000/second") as server:
        deadline = time.monotonic() + 120
        while server.log().count("ready in") < 2:  # each worker logs its own warm-up
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
        with ThreadPoolExecutor(max_workers=2) as pool:
            (a_sent, a_got), (b_sent, b_got) = pool.map(lambda q: _answered(server, q), QUESTIONS)
    # With one process, the second answer starts only once the first has left the models: the two overlap by
    # no more than the first one's response on the wire. Two processes answer them side by side.
    overlap = min(a_got, b_got) - max(a_sent, b_sent)
    assert overlap > 0.5 * min(a_got - a_sent, b_got - b_sent), (a_sent, a_got, b_sent, b_got)
