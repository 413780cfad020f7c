"""Writer processes for tests/test_store_durability.py (a module of their own, so ``spawn`` can import them)."""

from __future__ import annotations

import os

from bot.serve.store import Store


def write_rows(url: str, worker: int, count: int) -> list[tuple[str, int]]:
    """``count`` questions, each with one feedback row; returns (question id, feedback id) as committed."""
    store = Store(url)
    written = []
    try:
        for i in range(count):
            question = f"worker {worker} row {i}: mail w{worker}r{i}@example.com or call +1 (555) 010-{i:04d}"
            qid = store.record_question("api", question, i % 3 == 0, None, "Cookies", i)
            fid = store.record_feedback(
                qid, "up" if i % 2 else "down", f"comment {worker}/{i} from 198.51.100.{i % 250}"
            )
            written.append((qid, fid))
    finally:
        store.close()
    return written


def write_until_killed(url: str, journal: str) -> None:
    """Write question and feedback rows forever, journalling each one (fsync'd) once its commit returned."""
    store = Store(url)
    with open(journal, "a", encoding="utf-8") as fh:
        i = 0
        while True:
            qid = store.record_question("api", f"victim row {i}", False, None, None, i)
            fh.write(f"q {qid}\n")
            fh.flush()
            os.fsync(fh.fileno())
            fid = store.record_feedback(qid, "up")
            fh.write(f"f {fid}\n")
            fh.flush()
            os.fsync(fh.fileno())
            i += 1
