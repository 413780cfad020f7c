"""The example bank: labelled questions kept as data beside each policy, read and checked against it.

A policy ``corpus/NAME.md`` may have a bank ``corpus/NAME.examples.jsonl``, one example a line::

    {"id": "cookies-off-1", "question": "how do i turn cookies off", "section": "Cookies",
     "quote": "<a verbatim sentence of that section>", "history": [...], "origin": "bank-a"}
    {"id": "refuse-3", "question": "do you have a bug bounty?", "expect": "refuse", "reason": "not_covered",
     "origin": "bank-a"}

``quote`` is optional; when given it must occur verbatim in the section, and its sentence is the one the example
votes for. A malformed line is an error naming the file and line (``BankError``); an example whose section or quote
is no longer in the policy (after a revision) is *stale*: reported by id and left out, like a stale eval case.
A policy without a bank works from its text alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BankError
from .policy import Document

SUFFIX = ".examples.jsonl"
EXPECT = ("answer", "refuse")
REASONS = ("not_covered", "instruction", "noise")
FIELDS = frozenset({"id", "question", "section", "quote", "history", "expect", "reason", "origin", "tags"})
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Example:
    id: str
    question: str
    source: str  # the document it labels
    expect: str  # "answer" | "refuse"
    section: int = -1  # index into the document's sections (answer)
    sentence: int = -1  # index into the document's sentences: the quote's sentence, -1 when no quote
    reason: str = ""  # why a refusal example is refused
    history: tuple[tuple[str, str], ...] = ()  # (role, content)
    origin: str = ""  # who wrote it: "bank-a", "correction:<id>", …

    @property
    def answerable(self) -> bool:
        return self.expect == "answer"


@dataclass(frozen=True)
class Bank:
    source: str  # the document
    path: Path | None  # None when the document has no bank file
    examples: tuple[Example, ...] = ()
    stale: tuple[tuple[str, str], ...] = ()  # (id, why) of examples left out
    digest: str | None = None  # sha256 of the file's bytes
    errors: tuple[str, ...] = field(default=(), compare=False)


def bank_path(policy: Path) -> Path:
    """Where the bank of ``policy`` lives: beside it, ``NAME.examples.jsonl``."""
    return policy.with_name(policy.stem + SUFFIX)


def normalise(text: str) -> str:
    """A question's text for comparing banks with eval sets: case, quotes, punctuation and spacing folded."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.translate(_QUOTES).lower())).strip()


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().lower()


def _history(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
        isinstance(t, dict)
        and set(t) == {"role", "content"}
        and t["role"] in ("user", "assistant")
        and isinstance(t["content"], str)
        for t in value
    ):
        raise ValueError('\'history\' must be a list of {"role": "user"|"assistant", "content": str}')
    return tuple((t["role"], t["content"]) for t in value)


def parse_example(data: Any, doc: Document) -> tuple[Example | None, str | None]:
    """(example, None), or (None, why it is stale); raises ValueError for a malformed line."""
    if not isinstance(data, dict):
        raise ValueError("an example must be a JSON object")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {unknown}; allowed: {sorted(FIELDS)}")
    for key in ("id", "question"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"{key!r} must be a non-empty string")
    expect = data.get("expect", "answer")
    if expect not in EXPECT:
        raise ValueError(f"'expect' must be one of {list(EXPECT)}")
    history = _history(data["history"]) if "history" in data else ()
    base = {"id": data["id"], "question": data["question"], "source": doc.source, "history": history}
    base["origin"] = str(data.get("origin", ""))
    if expect == "refuse":
        if data.get("reason") not in REASONS:
            raise ValueError(f"a refusal example needs 'reason', one of {list(REASONS)}")
        if "section" in data or "quote" in data:
            raise ValueError("a refusal example has no 'section' or 'quote'")
        return Example(expect="refuse", reason=data["reason"], **base), None
    if not isinstance(data.get("section"), str) or not data["section"].strip():
        raise ValueError("an answer example needs 'section', a section title")
    wanted = _fold(data["section"])
    section = next((s for s in doc.sections if _fold(s.title) == wanted), None)
    if section is None:
        return None, f"section {data['section']!r} is not in {doc.source}"
    sentence = -1
    if "quote" in data:
        quote = data["quote"]
        if not isinstance(quote, str) or not quote.strip():
            raise ValueError("'quote' must be a non-empty string")
        at = doc.text.find(quote, section.start, section.end)
        if at < 0:
            return None, f"its quote is not verbatim in section {section.title!r}"
        sentence = next(
            (i for i, s in enumerate(doc.sentences) if s.section == section.index and s.start <= at < s.end), -1
        )
    return Example(expect="answer", section=section.index, sentence=sentence, **base), None


def read_bank(path: Path, doc: Document) -> Bank:
    """The bank at ``path`` for ``doc`` (an empty bank when there is no file). Raises BankError listing every
    malformed line as ``file:line: what``; stale examples are returned in ``Bank.stale``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Bank(doc.source, None)
    except OSError as exc:
        raise BankError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BankError(f"{path}: not UTF-8: {exc}") from exc
    examples: list[Example] = []
    stale: list[tuple[str, str]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            example, why = parse_example(data, doc)
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{lineno}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except ValueError as exc:
            errors.append(f"{path}:{lineno}: {exc}")
            continue
        key = data["id"]
        if key in seen:
            errors.append(f"{path}:{lineno}: duplicate id {key!r}")
            continue
        seen.add(key)
        if example is None:
            stale.append((key, why or "stale"))
        else:
            examples.append(example)
    if errors:
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise BankError("invalid example bank:\n" + "\n".join(errors[:20]) + more)
    return Bank(doc.source, path, tuple(examples), tuple(stale), hashlib.sha256(raw).hexdigest())


def example_to_json(e: Example) -> dict[str, Any]:
    """How an example is stored in an index build (the offsets it votes for are resolved already)."""
    return {
        "id": e.id,
        "question": e.question,
        "source": e.source,
        "expect": e.expect,
        "section": e.section,
        "sentence": e.sentence,
        "reason": e.reason,
        "history": [list(t) for t in e.history],
        "origin": e.origin,
    }


def example_from_json(d: dict[str, Any]) -> Example:
    return Example(**{**d, "history": tuple((r, c) for r, c in d["history"])})
