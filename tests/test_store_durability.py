"""No data lost: concurrent writer processes, a writer killed mid-write, retention, on SQLite (WAL) and PostgreSQL.

Each writer is its own process (``multiprocessing``, spawn) with its own ``Store``, writing to one real
database: a SQLite file in WAL mode, or a throwaway PostgreSQL cluster on 127.0.0.1 (``pg_support``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pg_support import throwaway_postgres
from reliability_support import record
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from store_workers import write_rows, write_until_killed

from bot.serve.store import FeedbackRow, QuestionRow, Store, utcnow

WORKERS = 4
ROWS_PER_WORKER = 150  # questions; each also gets one feedback row
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'log.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    # A database per test, so counts start at zero.
    name = f"t{os.getpid()}_{time.monotonic_ns()}"
    admin = Store(base)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.close()
    yield base.rsplit("/", 1)[0] + f"/{name}"


def _counts(store: Store) -> tuple[int, int]:
    with Session(store.engine) as session:
        return (
            session.scalar(select(func.count()).select_from(QuestionRow)) or 0,
            session.scalar(select(func.count()).select_from(FeedbackRow)) or 0,
        )


def test_concurrent_writers_lose_no_row(url: str) -> None:
    store = Store(url)  # creates the tables once, before the writers start
    started = time.perf_counter()
    with SPAWN.Pool(WORKERS) as pool:
        results = pool.starmap_async(write_rows, [(url, w, ROWS_PER_WORKER) for w in range(WORKERS)]).get(timeout=300)
    seconds = time.perf_counter() - started
    try:
        written = [pair for worker in results for pair in worker]
        assert len(written) == WORKERS * ROWS_PER_WORKER
        found = _counts(store)
        assert found == (len(written), len(written))
        with Session(store.engine) as session:
            question_rows = session.execute(select(QuestionRow.id, QuestionRow.question)).tuples().all()
            feedback_rows = session.execute(select(FeedbackRow.id, FeedbackRow.question_id)).tuples().all()
        questions: dict[str, str] = dict(question_rows)
        feedback: dict[int, str] = dict(feedback_rows)
        for w, worker in enumerate(results):
            for i, (qid, fid) in enumerate(worker):
                assert questions[qid] == f"worker {w} row {i}: mail [email] or call [phone]"
                assert feedback[fid] == qid
        _assert_sqlite_intact(url, wal=True)
    finally:
        store.close()
    backend = url.split(":", 1)[0].split("+")[0]
    record(
        f"store_concurrent_{backend}",
        workers=WORKERS,
        rows_written=2 * len(written),
        rows_found=sum(found),
        seconds=round(seconds, 1),
    )


def _assert_sqlite_intact(url: str, wal: bool = False) -> None:
    """On SQLite: the file passes its integrity check (and, with ``wal``, is in WAL mode). Other backends: nothing."""
    if not url.startswith("sqlite"):
        return
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        if wal:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _journal(path: Path) -> tuple[set[str], set[int]]:
    """Rows the killed writer saw committed: complete lines only (a torn last line is the row in flight)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = text.split("\n")[:-1]  # whatever follows the last newline was being written
    qids = {line[2:] for line in lines if line.startswith("q ")}
    fids = {int(line[2:]) for line in lines if line.startswith("f ")}
    return qids, fids


def test_a_writer_killed_mid_write_loses_at_most_the_row_in_flight(url: str, tmp_path: Path) -> None:
    store = Store(url)
    journal = tmp_path / "journal.txt"
    try:
        with SPAWN.Pool(2) as pool:
            steady = pool.starmap_async(write_rows, [(url, w, 60) for w in (10, 11)])
            victim = SPAWN.Process(target=write_until_killed, args=(url, str(journal)), daemon=True)
            victim.start()
            deadline = time.monotonic() + 120
            while len(_journal(journal)[0]) < 40 and time.monotonic() < deadline:
                assert victim.is_alive(), "the writer died before it was killed"
                time.sleep(0.05)
            assert victim.pid is not None
            os.kill(victim.pid, signal.SIGKILL)  # mid-write: it never stops between rows
            victim.join(timeout=30)
            assert victim.exitcode == -signal.SIGKILL
            others = [pair for worker in steady.get(timeout=300) for pair in worker]

        qids, fids = _journal(journal)
        with Session(store.engine) as session:
            victim_q = set(session.scalars(select(QuestionRow.id).where(QuestionRow.question.like("victim row %"))))
            victim_f = set(session.scalars(select(FeedbackRow.id).where(FeedbackRow.question_id.in_(victim_q))))
            other_q = set(session.scalars(select(QuestionRow.id).where(QuestionRow.question.like("worker %"))))
        assert qids <= victim_q and fids <= victim_f, "a row whose commit had returned is gone"
        lost_in_flight = len(victim_q - qids) + len(victim_f - fids)
        assert lost_in_flight <= 1, f"{lost_in_flight} rows committed but not journalled: more than the one in flight"
        assert {q for q, _ in others} == other_q, "the other writers lost rows"
        # The database takes writes again, and (SQLite) is intact.
        qid = store.record_question("api", "after the kill", False, None, None, 1)
        assert store.question(qid) is not None
        _assert_sqlite_intact(url)
    finally:
        store.close()
    backend = url.split(":", 1)[0].split("+")[0]
    record(
        f"store_sigkill_{backend}",
        victim_rows_journalled=len(qids) + len(fids),
        victim_rows_found=len(victim_q) + len(victim_f),
        committed_not_journalled=lost_in_flight,
        other_writers_rows_written=2 * len(others),
        other_writers_questions_found=len(other_q),
    )


def test_retention_purge_deletes_exactly_the_old_rows(url: str) -> None:
    store = Store(url)
    try:
        old = [store.record_question("api", f"old {i}", False, None, None, 1) for i in range(5)]
        recent = [store.record_question("api", f"recent {i}", False, None, None, 1) for i in range(5)]
        for q in old + recent:
            store.record_feedback(q, "up")
        late = store.record_feedback(old[0], "down", "new feedback on an old question")
        with Session(store.engine) as session, session.begin():
            now = utcnow()
            session.execute(update(QuestionRow).where(QuestionRow.id.in_(old)).values(time=now - timedelta(days=31)))
            session.execute(update(QuestionRow).where(QuestionRow.id.in_(recent)).values(time=now - timedelta(days=29)))
            session.execute(update(FeedbackRow).where(FeedbackRow.id != late).values(time=now - timedelta(days=31)))
        # Old questions go with all their feedback; feedback older than 30 days goes even on a recent question.
        assert store.purge(30) == (5, 11)
        assert _counts(store) == (5, 0)
        assert all(store.question(q) is None for q in old)
        assert all(store.question(q) is not None for q in recent)
        assert store.purge(30) == (0, 0)
    finally:
        store.close()
