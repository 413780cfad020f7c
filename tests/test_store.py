"""The question log on a real SQLite file: redaction on the way in, feedback, problems, retention."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.errors import UnknownQuestionError
from bot.serve.store import Store, utcnow


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "log.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{db}")
    yield s
    s.close()


def test_file_is_created_in_wal_mode(store: Store, db: Path) -> None:
    store.record_question("api", "hi", True, "noise", None, 3)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")} >= {
            "questions",
            "feedback",
        }


def test_question_and_feedback_are_redacted(store: Store) -> None:
    qid = store.record_question("widget", "I am bob@example.com, do you share data?", False, None, "Disclosure", 120)
    row = store.question(qid)
    assert row is not None
    assert row["question"] == "I am [email], do you share data?"
    assert (row["channel"], row["refused"], row["top_section"], row["latency_ms"]) == (
        "widget",
        False,
        "Disclosure",
        120,
    )
    fid = store.record_feedback(qid, "down", "  call me on +44 20 7946 0958  ")
    assert store.feedback(qid) == [
        {"id": fid, "time": store.feedback(qid)[0]["time"], "rating": "down", "comment": "call me on [phone]"}
    ]


def test_feedback_on_unknown_question(store: Store) -> None:
    with pytest.raises(UnknownQuestionError):
        store.record_feedback("0" * 32, "up")


def test_bad_channel_or_rating(store: Store) -> None:
    with pytest.raises(ValueError, match="channel"):
        store.record_question("email", "q", False, None, None, 1)
    qid = store.record_question("api", "q", False, None, None, 1)
    with pytest.raises(ValueError, match="rating"):
        store.record_feedback(qid, "meh")


def test_problems_are_refused_or_disliked(store: Store) -> None:
    ok = store.record_question("api", "liked", False, None, "Cookies", 1)
    store.record_feedback(ok, "up")
    refused = store.record_question("api", "weather?", True, "not_covered", None, 1)
    disliked = store.record_question("agent", "disliked", False, None, "Cookies", 1)
    store.record_feedback(disliked, "down", "wrong section")
    found = {(p.question_id, p.rating, p.comment) for p in store.problems()}
    assert found == {(refused, None, None), (disliked, "down", "wrong section")}


def test_purge_deletes_old_rows_only(store: Store) -> None:
    old = store.record_question("api", "old", False, None, None, 1)
    store.record_feedback(old, "up")
    new = store.record_question("api", "new", False, None, None, 1)
    assert store.purge(30, now=utcnow() + timedelta(days=29)) == (0, 0)
    assert store.purge(30, now=utcnow() + timedelta(days=31)) == (2, 1)
    assert store.question(old) is None and store.question(new) is None


def test_data_survives_reopening(db: Path) -> None:
    first = Store(f"sqlite:///{db}")
    qid = first.record_question("api", "persist me", False, None, None, 1)
    first.record_feedback(qid, "up")
    first.close()
    second = Store(f"sqlite:///{db}")
    try:
        assert second.question(qid)["question"] == "persist me"
        assert [f["rating"] for f in second.feedback(qid)] == ["up"]
    finally:
        second.close()
