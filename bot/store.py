"""The question log and feedback, in SQL (SQLAlchemy 2): a SQLite file by default, any database by URL.

Free text is redacted (``bot.redact``) here, on the way in, so no caller can store an e-mail address or a
card number by mistake. Rows older than the retention period are deleted by ``purge``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, create_engine, delete, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .errors import UnknownQuestionError
from .redact import redact

Channel = Literal["widget", "agent", "api"]
Rating = Literal["up", "down"]
CHANNELS = ("widget", "agent", "api")
RATINGS = ("up", "down")


class Base(DeclarativeBase):
    pass


class QuestionRow(Base):
    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    time: Mapped[datetime] = mapped_column(DateTime, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    refused: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(32))
    top_section: Mapped[str | None] = mapped_column(String(300))
    latency_ms: Mapped[int] = mapped_column(Integer)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    time: Mapped[datetime] = mapped_column(DateTime, index=True)
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Problem:
    """A question worth a look: refused, or rated down."""

    question_id: str
    time: datetime
    channel: str
    question: str
    refused: bool
    reason: str | None
    top_section: str | None
    rating: str | None
    comment: str | None


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` redacted, with NUL (PostgreSQL refuses it) and lone surrogates (not UTF-8) made U+FFFD.

    The HTTP API already refuses such text with a 422; this keeps every other caller from failing a write.
    """
    return _UNSTORABLE.sub("\ufffd", redact(text))


def utcnow() -> datetime:
    """Naive UTC, the same on every database backend."""
    return datetime.now(UTC).replace(tzinfo=None)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Store:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- writes ------------------------------------------------------------------------------------
    def record_question(
        self,
        channel: str,
        question: str,
        refused: bool,
        reason: str | None,
        top_section: str | None,
        latency_ms: int,
    ) -> str:
        """Log one answered question (redacted); returns its id, which feedback refers to."""
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
        qid = uuid.uuid4().hex
        row = QuestionRow(
            id=qid,
            time=utcnow(),
            channel=channel,
            question=storable(question),
            refused=refused,
            reason=reason,
            top_section=top_section,
            latency_ms=max(0, int(latency_ms)),
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
        return qid

    def record_feedback(self, question_id: str, rating: str, comment: str | None = None) -> int:
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        comment = storable(comment.strip()) if comment and comment.strip() else None
        with Session(self.engine) as session, session.begin():
            if session.get(QuestionRow, question_id) is None:
                raise UnknownQuestionError(f"no question with id {question_id!r} (it may have been purged)")
            row = FeedbackRow(question_id=question_id, time=utcnow(), rating=rating, comment=comment)
            session.add(row)
            session.flush()
            return row.id

    def purge(self, retention_days: int, now: datetime | None = None) -> tuple[int, int]:
        """Delete questions (with their feedback) and feedback older than ``retention_days``."""
        cutoff = (now or utcnow()) - timedelta(days=retention_days)
        with Session(self.engine) as session, session.begin():
            old = select(QuestionRow.id).where(QuestionRow.time < cutoff)
            fb = session.execute(
                delete(FeedbackRow).where((FeedbackRow.time < cutoff) | FeedbackRow.question_id.in_(old))
            )
            qs = session.execute(delete(QuestionRow).where(QuestionRow.time < cutoff))
        return int(getattr(qs, "rowcount", 0) or 0), int(getattr(fb, "rowcount", 0) or 0)

    # -- reads -------------------------------------------------------------------------------------
    def question(self, question_id: str) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            row = session.get(QuestionRow, question_id)
            if row is None:
                return None
            return {
                "id": row.id,
                "time": row.time,
                "channel": row.channel,
                "question": row.question,
                "refused": row.refused,
                "reason": row.reason,
                "top_section": row.top_section,
                "latency_ms": row.latency_ms,
            }

    def feedback(self, question_id: str) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(FeedbackRow).where(FeedbackRow.question_id == question_id).order_by(FeedbackRow.id)
            )
            return [{"id": r.id, "time": r.time, "rating": r.rating, "comment": r.comment} for r in rows]

    def problems(self, limit: int = 50) -> list[Problem]:
        """The latest refused or disliked questions, newest first (a disliked one once per rating)."""
        with Session(self.engine) as session:
            stmt = (
                select(QuestionRow, FeedbackRow)
                .outerjoin(FeedbackRow, (FeedbackRow.question_id == QuestionRow.id) & (FeedbackRow.rating == "down"))
                .where(QuestionRow.refused.is_(True) | FeedbackRow.id.is_not(None))
                .order_by(QuestionRow.time.desc(), FeedbackRow.id.desc())
                .limit(limit)
            )
            return [
                Problem(
                    q.id,
                    q.time,
                    q.channel,
                    q.question,
                    q.refused,
                    q.reason,
                    q.top_section,
                    f.rating if f else None,
                    f.comment if f else None,
                )
                for q, f in session.execute(stmt).tuples()
            ]
