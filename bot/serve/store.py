"""The question log, feedback and agents' corrections, in SQL (SQLAlchemy 2): a SQLite file by default, any
database by URL.

Free text is redacted (``bot.redact``) here, on the way in, so no caller can store an e-mail address or a
card number by mistake. Rows older than the retention period are deleted by ``purge``; corrections are kept
(they are reviewed, redacted training data, see ``bot.corrections``). The tables are in ``bot.serve.tables``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, delete, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ..corrections import LISTABLE, Correction, check_correction
from ..errors import InvalidCorrectionError, UnknownCorrectionError, UnknownQuestionError
from .tables import (
    CHANNELS,
    RATINGS,
    Base,
    CorrectionRow,
    FeedbackRow,
    Problem,
    QuestionRow,
    correction_of,
    storable,
    utcnow,
)

if TYPE_CHECKING:
    from ..policy import Document


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

    # -- corrections (bot/corrections.py) -----------------------------------------------------------
    def add_correction(
        self,
        doc: Document,
        question: str,
        answered: str | None,
        section: str | None = None,
        quote: str | None = None,
        *,
        not_covered: bool = False,
        history: Sequence[tuple[str, str]] = (),
        note: str | None = None,
    ) -> int:
        """Store a pending correction of the answer to ``question`` (which quoted section ``answered``; None: it
        refused): ``section`` of ``doc`` with ``quote``, one whole sentence of it, or ``not_covered``. The question,
        history and note are redacted; section and quote are the policy's own text, kept verbatim. Raises
        ``InvalidCorrectionError`` (nothing stored) when the section or quote is not in ``doc``."""
        question = storable(question.strip())
        turns = [(role, storable(content)) for role, content in history]
        if any(role not in ("user", "assistant") for role, _ in turns):
            raise InvalidCorrectionError("history turns are 'user' or 'assistant'")
        check_correction(doc, question, section, quote, not_covered, turns)
        row = CorrectionRow(
            created_at=utcnow(),
            question=question,
            history=[{"role": r, "content": c} for r, c in turns],
            source=doc.source,
            answered=answered,
            kind="not_covered" if not_covered else "answer",
            section=None if not_covered else section,
            quote=None if not_covered else quote,
            note=storable(note.strip()) if note and note.strip() else None,
            status="pending",
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def correction(self, correction_id: int) -> Correction:
        with Session(self.engine) as session:
            row = session.get(CorrectionRow, correction_id)
            if row is None:
                raise UnknownCorrectionError(f"no correction with id {correction_id}")
            return correction_of(row)

    def corrections(self, status: str | None = None) -> list[Correction]:
        """Corrections, oldest first: all, or those ``pending``, ``approved`` (exported or not), ``rejected``,
        or ``exported`` (approved and written to a bank)."""
        stmt = select(CorrectionRow).order_by(CorrectionRow.id)
        if status == "exported":
            stmt = stmt.where(CorrectionRow.exported_at.is_not(None))
        elif status in LISTABLE:
            stmt = stmt.where(CorrectionRow.status == status)
        elif status is not None:
            raise ValueError(f"status must be one of {LISTABLE}, not {status!r}")
        with Session(self.engine) as session:
            return [correction_of(r) for r in session.scalars(stmt)]

    def corrections_to_export(self) -> list[Correction]:
        """Approved corrections not yet written to a bank, oldest first."""
        stmt = (
            select(CorrectionRow)
            .where(CorrectionRow.status == "approved", CorrectionRow.exported_at.is_(None))
            .order_by(CorrectionRow.id)
        )
        with Session(self.engine) as session:
            return [correction_of(r) for r in session.scalars(stmt)]

    def review_correction(self, correction_id: int, approve: bool) -> Correction:
        """Approve or reject a correction (a verdict can be changed until it is exported)."""
        with Session(self.engine) as session, session.begin():
            row = session.get(CorrectionRow, correction_id)
            if row is None:
                raise UnknownCorrectionError(f"no correction with id {correction_id}")
            if row.exported_at is not None:
                raise InvalidCorrectionError(
                    f"correction {correction_id} was exported to the example bank on "
                    f"{row.exported_at:%Y-%m-%d %H:%M} UTC; edit the bank file to change it"
                )
            row.status = "approved" if approve else "rejected"
            row.reviewed_at = utcnow()
            session.flush()
            return correction_of(row)

    def mark_exported(self, correction_ids: Sequence[int]) -> int:
        """Mark approved, not yet exported corrections as exported; all or none (``InvalidCorrectionError``)."""
        ids = sorted(set(correction_ids))
        if not ids:
            return 0
        with Session(self.engine) as session, session.begin():
            done = session.execute(
                update(CorrectionRow)
                .where(
                    CorrectionRow.id.in_(ids),
                    CorrectionRow.status == "approved",
                    CorrectionRow.exported_at.is_(None),
                )
                .values(exported_at=utcnow())
            )
            count = int(getattr(done, "rowcount", 0) or 0)
            if count != len(ids):  # raising inside the transaction rolls it back
                raise InvalidCorrectionError(
                    f"only approved corrections not yet exported can be marked exported ({count} of {len(ids)} were)"
                )
        return count
