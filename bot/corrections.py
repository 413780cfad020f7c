"""Agents teach the bot: a correction of one answer, checked against the policy, reviewed, then exported to the bank.

An agent who sees a wrong answer in the console says where the policy answers it (a section and one of its
sentences, verbatim) or that the policy does not say. The correction is stored *pending* (``serve.store``); a support
lead approves or rejects it; ``python -m bot examples export`` appends every approved, not yet exported correction
to the example bank of its policy (``bot.examples``) as ``{"id": "corr-<id>", ..., "origin": "correction:<id>"}``,
each line checked with ``parse_example`` first; the next ``python -m bot index`` embeds it. Unapproved corrections
never reach a bank, and exporting twice writes nothing the second time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import CorpusError, InvalidCorrectionError
from .examples import bank_path, parse_example
from .policy import Document, Section, read_policy

if TYPE_CHECKING:
    from .serve.store import Store

Kind = Literal["answer", "not_covered"]
Status = Literal["pending", "approved", "rejected"]
STATUSES: tuple[Status, ...] = ("pending", "approved", "rejected")
LISTABLE = (*STATUSES, "exported")  # "exported": approved and written to a bank


@dataclass(frozen=True)
class Correction:
    id: int
    created_at: datetime
    question: str  # redacted
    history: tuple[tuple[str, str], ...]  # (role, content), redacted
    source: str  # the policy document
    answered: str | None  # the section the bot's first quote came from; None when it refused
    kind: Kind
    section: str | None  # the corrected section's title (kind "answer")
    quote: str | None  # one verbatim sentence of that section (kind "answer")
    note: str | None  # the agent's note, redacted
    status: Status
    reviewed_at: datetime | None
    exported_at: datetime | None

    @property
    def bank_id(self) -> str:
        return f"corr-{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "question": self.question,
            "history": [{"role": r, "content": c} for r, c in self.history],
            "source": self.source,
            "answered": self.answered,
            "kind": self.kind,
            "section": self.section,
            "quote": self.quote,
            "note": self.note,
            "status": self.status,
            "reviewed_at": self.reviewed_at.isoformat(timespec="seconds") if self.reviewed_at else None,
            "exported_at": self.exported_at.isoformat(timespec="seconds") if self.exported_at else None,
        }


def _section(doc: Document, title: str, quote: str) -> Section:
    matches = [s for s in doc.sections if s.title == title]
    if not matches:
        raise InvalidCorrectionError(f"section {title!r} is not in {doc.source}")
    for sec in matches:
        if any(s.text == quote for s in doc.section_sentences(sec.index)):
            return sec
    if any(doc.text.find(quote, sec.start, sec.end) >= 0 for sec in matches):
        raise InvalidCorrectionError(f"the quote is in section {title!r} but is not one whole sentence of it")
    raise InvalidCorrectionError(f"the quote is not verbatim in section {title!r} of {doc.source}")


def _line(
    example_id: str,
    question: str,
    section: str | None,
    quote: str | None,
    not_covered: bool,
    history: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """One bank line (the format of ``bot.examples``) for a corrected question."""
    line: dict[str, Any] = {"id": example_id, "question": question}
    if not_covered:
        line |= {"expect": "refuse", "reason": "not_covered"}
    else:
        line |= {"section": section, "quote": quote}
    if history:
        line["history"] = [{"role": role, "content": content} for role, content in history]
    return line


def bank_line(c: Correction) -> dict[str, Any]:
    """The correction as one example of its policy's bank (the format of ``bot.examples``)."""
    line = _line(c.bank_id, c.question, c.section, c.quote, c.kind == "not_covered", c.history)
    line["origin"] = f"correction:{c.id}"
    return line


def check_correction(
    doc: Document,
    question: str,
    section: str | None,
    quote: str | None,
    not_covered: bool,
    history: Sequence[tuple[str, str]] = (),
) -> None:
    """Raise ``InvalidCorrectionError`` unless this correction would make a valid bank example for ``doc``:
    a question, and either ``not_covered`` or a section of ``doc`` with ``quote`` one whole sentence of it."""
    if not question.strip():
        raise InvalidCorrectionError("the corrected question is empty")
    if not_covered:
        if section or quote:
            raise InvalidCorrectionError("a correction is either a section and its sentence, or 'not covered'")
    else:
        if not section:
            raise InvalidCorrectionError("choose the section that answers (or say the policy does not cover it)")
        if not quote:
            raise InvalidCorrectionError(f"choose the sentence of section {section!r} that answers")
        _section(doc, section, quote)
    try:
        _example, why = parse_example(_line("check", question, section, quote, not_covered, history), doc)
    except ValueError as exc:
        raise InvalidCorrectionError(f"not a valid bank example: {exc}") from exc
    if why:
        raise InvalidCorrectionError(why)


# -- export -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Written:
    correction: int
    bank: Path
    line: dict[str, Any]


@dataclass(frozen=True)
class Skipped:
    correction: int
    why: str


@dataclass(frozen=True)
class ExportReport:
    written: tuple[Written, ...] = ()
    already: tuple[int, ...] = ()  # found in the bank already (an export cut short before marking): marked only
    skipped: tuple[Skipped, ...] = ()  # not valid against the policy any more, or an id clash: not written

    def to_dict(self) -> dict[str, Any]:
        return {
            "written": [{"correction": w.correction, "bank": str(w.bank), "line": w.line} for w in self.written],
            "already_in_bank": list(self.already),
            "skipped": [{"correction": s.correction, "why": s.why} for s in self.skipped],
        }


def _bank_lines(path: Path) -> dict[str, dict[str, Any]]:
    """Each example of the bank at ``path`` by id (lines that are not JSON objects are left to ``read_bank``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot read example bank {path}: {exc}") from exc
    found: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            found[data["id"]] = data
    return found


def _append(path: Path, lines: list[dict[str, Any]]) -> None:
    """Append ``lines`` to the bank at ``path`` (after a line break if its last line lacks one), synced to disk."""
    lead = b""
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as r:
            r.seek(-1, os.SEEK_END)
            lead = b"" if r.read(1) == b"\n" else b"\n"
    with path.open("ab") as f:
        f.write(lead + "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def _export_document(
    source: str, items: list[Correction], root: Path
) -> tuple[list[Written], list[int], list[Skipped]]:
    policy = root / source
    bank = bank_path(policy)
    try:
        doc = read_policy(policy, source)
        existing = _bank_lines(bank)
    except CorpusError as exc:
        return [], [], [Skipped(c.id, str(exc)) for c in items]
    written: list[Written] = []
    already: list[int] = []
    skipped: list[Skipped] = []
    for c in items:
        line = bank_line(c)
        if line["id"] in existing:
            if existing[line["id"]] == line:
                already.append(c.id)
            else:
                skipped.append(Skipped(c.id, f"{bank} already has another example with id {line['id']!r}"))
            continue
        try:
            example, why = parse_example(line, doc)
        except ValueError as exc:
            example, why = None, str(exc)
        if example is None:
            skipped.append(Skipped(c.id, f"not valid against {source}: {why}"))
            continue
        written.append(Written(c.id, bank, line))
    if written:
        try:
            _append(bank, [w.line for w in written])
        except OSError as exc:
            skipped += [Skipped(w.correction, f"cannot write {bank}: {exc.strerror or exc}") for w in written]
            written = []
    return written, already, skipped


def export_corrections(store: Store, root: Path) -> ExportReport:
    """Append every approved, not yet exported correction to the bank of its policy (``root / source``), then
    mark them exported. A line the policy does not accept is reported in ``skipped`` and neither written nor
    marked. The bank is written before the marks, so an export cut short is finished by the next one."""
    by_source: dict[str, list[Correction]] = {}
    for c in store.corrections_to_export():
        by_source.setdefault(c.source, []).append(c)
    written: list[Written] = []
    already: list[int] = []
    skipped: list[Skipped] = []
    for source, items in by_source.items():
        w, a, s = _export_document(source, items, root)
        written += w
        already += a
        skipped += s
    store.mark_exported([w.correction for w in written] + already)
    return ExportReport(tuple(written), tuple(already), tuple(skipped))
