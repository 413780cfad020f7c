"""The store's tables (SQLAlchemy 2 declarative rows) and the plain records read from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..corrections import Correction
from ..redact import redact

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


class CorrectionRow(Base):
    """An agent's correction of one answer (``bot.corrections``): pending until reviewed, then maybe exported."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    question: Mapped[str] = mapped_column(Text)
    history: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(1000))
    answered: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # "answer" | "not_covered"
    section: Mapped[str | None] = mapped_column(String(300))
    quote: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    exported_at: Mapped[datetime | None] = mapped_column(DateTime)


def correction_of(row: CorrectionRow) -> Correction:
    return Correction(
        id=row.id,
        created_at=row.created_at,
        question=row.question,
        history=tuple((t["role"], t["content"]) for t in row.history),
        source=row.source,
        answered=row.answered,
        kind="not_covered" if row.kind == "not_covered" else "answer",
        section=row.section,
        quote=row.quote,
        note=row.note,
        status=row.status,  # type: ignore[arg-type]
        reviewed_at=row.reviewed_at,
        exported_at=row.exported_at,
    )


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
