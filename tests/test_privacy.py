"""No personal data kept: what a real server stores and logs is redacted, and old rows are purged at start-up.

Realistic e-mail addresses, phone numbers in several national formats, Luhn-valid card numbers and IPv4/IPv6
addresses go through /api/ask and /api/feedback on a live server; neither the rows in its database nor its
log file may hold any of them (nor a digit group of one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from live_server import LiveServer, build_index
from reliability_support import record
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.redact import luhn_valid
from bot.serve.store import FeedbackRow, QuestionRow, Store, utcnow

EMAILS = ["jane.doe+billing@example.co.uk", "J.O'Connor@mail.example.org", "first_last@sub.example-mail.com"]
PHONES = [
    "+1 (415) 555-0132",
    "415-555-0198",
    "(415) 555 0147",
    "+44 20 7946 0958",
    "+49 30 901820",
    "07700 900461",
    "+33 1 23 45 67 89",
    "+91 98765 43210",
    "555.867.5309",
    "+14155550123",
    "1-800-555-0199",
]
CARDS = [
    "4111 1111 1111 1111",
    "5555-5555-5555-4444",
    "378282246310005",
    "6011111111111117",
    "3530 1113 3330 0000",
    "5105105105105100",
]
IPS = [
    "203.0.113.42",
    "198.51.100.7",
    "2001:db8:85a3::8a2e:370:7334",
    "fe80::1ff:fe23:4567:890a",
    "::ffff:192.0.2.128",
    "2001:0db8:0000:0000:0000:ff00:0042:8329",
]
PII = EMAILS + PHONES + CARDS + IPS
TEMPLATES = [
    "Hi, I'm Jane ({}). Do you sell my personal information?",
    "Please erase all you hold on {} - for how many months is my information stored?",
    "My card {} was charged, do you store payment details?",
    "Are IP addresses such as {} recorded in your server logs?",
]


def _leaks(text: str, value: str) -> list[str]:
    """The value itself, or any of its digit groups of 3+ (a partly redacted number still identifies)."""
    found = [value] if value in text else []
    groups = re.findall(r"\d{3,}", value)
    return found + [g for g in groups if re.search(rf"(?<![0-9A-Za-z]){g}(?![0-9A-Za-z])", text)]


def _scrub(log: str) -> str:
    """The log without the numbers it holds by design: latencies, process ids, the server's port, durations."""
    for pattern in (r" in \d+ ms", r"\[\d+\]", r"127\.0\.0\.1:\d+", r"in \d+\.\ds"):
        log = re.sub(pattern, " ", log)
    return log


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = LiveServer(
        tmp_path_factory.mktemp("privacy"),
        build_index(tmp_path_factory),
        rate_limit="10000/minute",
        retention_days="30",
    )
    # Rows from "last month" and "last week", written before the server starts: start-up purges the first.
    store = Store(srv.database_url)
    old = [store.record_question("api", f"old question {i}", False, None, None, 1) for i in range(3)]
    recent = [store.record_question("api", f"recent question {i}", False, None, None, 1) for i in range(3)]
    for q in old + recent:
        store.record_feedback(q, "up")
    with Session(store.engine) as session, session.begin():
        session.execute(update(QuestionRow).where(QuestionRow.id.in_(old)).values(time=utcnow() - timedelta(days=45)))
        session.execute(update(QuestionRow).where(QuestionRow.id.in_(recent)).values(time=utcnow() - timedelta(days=7)))
    store.close()
    srv.old_ids, srv.recent_ids = old, recent  # type: ignore[attr-defined]
    srv.start()
    yield srv
    srv.stop()


def test_the_samples_are_realistic() -> None:
    assert all(luhn_valid(re.sub(r"\D", "", c)) for c in CARDS)


def test_old_rows_are_purged_at_start_up(server: LiveServer) -> None:
    store = Store(server.database_url)
    try:
        assert all(store.question(q) is None for q in server.old_ids)  # type: ignore[attr-defined]
        assert all(store.question(q) is not None for q in server.recent_ids)  # type: ignore[attr-defined]
        with Session(store.engine) as session:
            left = set(session.scalars(select(FeedbackRow.question_id)))
        assert left == set(server.recent_ids)  # type: ignore[attr-defined]
    finally:
        store.close()
    assert "purged 3 question(s) and 3 feedback row(s) older than 30 days" in server.log()


def test_personal_data_is_redacted_in_rows_and_logs(server: LiveServer) -> None:
    ids = []
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for n, value in enumerate(PII):
            question = TEMPLATES[n % len(TEMPLATES)].format(value)
            r = client.post("/api/ask", json={"question": question}, headers={"X-Bot-Channel": "widget"})
            assert r.status_code == 200, r.text
            qid = r.json()["id"]
            ids.append(qid)
            comment = f"wrong answer, reach me at {value} please"
            assert (
                client.post("/api/feedback", json={"id": qid, "rating": "down", "comment": comment}).status_code == 201
            )
        # Rejected requests with personal data in them are not logged either.
        assert client.post("/api/ask", json={"question": f"{EMAILS[0]} " + "x" * 2100}).status_code == 422
        assert client.post("/api/ask", json={"question": f"{PHONES[0]}\u0000"}).status_code == 422
    store = Store(server.database_url)
    try:
        rows = [store.question(q) for q in ids]
        comments = [f["comment"] for q in ids for f in store.feedback(q)]
    finally:
        store.close()
    stored = "\n".join([r["question"] for r in rows if r] + [c for c in comments if c])
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert len(rows) == len(PII) and len(comments) == len(PII)
    leaks = {value: _leaks(stored, value) + _leaks(_scrub(log), value) for value in PII}
    assert not any(leaks.values()), {k: v for k, v in leaks.items() if v}
    tokens = {t: stored.count(t) for t in ("[email]", "[phone]", "[card]", "[ip]")}
    assert tokens == {
        "[email]": 2 * len(EMAILS),
        "[phone]": 2 * len(PHONES),
        "[card]": 2 * len(CARDS),
        "[ip]": 2 * len(IPS),
    }
    assert log.count("widget question") >= len(PII)  # the questions were logged, redacted
    record(
        "privacy",
        values=len(PII),
        emails=len(EMAILS),
        phones=len(PHONES),
        cards=len(CARDS),
        ips=len(IPS),
        stored_texts=len(rows) + len(comments),
        leaks_in_rows_or_log=sum(map(len, leaks.values())),
        log_lines=log.count("\n"),
    )
