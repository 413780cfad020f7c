"""What changed between two revisions of a policy, section by section (``python -m bot diff OLD NEW``).

Sections are matched by title (compared case- and quote-insensitively), then by anchor, then, for a section
that was renamed, by the similarity of its text; the order of sections does not matter, so a section that only
moved is unchanged (and listed as moved). A matched section whose text differs is *changed*: its sentences are
compared, a reworded sentence is shown as a word diff (``[-old-]{+new+}``), others as removed (``-``) or added
(``+``). ``section_hash`` is the content hash ``python -m bot index`` compares between builds, so both tools agree
on which sections changed.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .policy import Document, Section, slugify

RENAME_SIMILARITY = 0.6  # an unmatched pair of sections this similar in text is one section renamed
REWORD_SIMILARITY = 0.5  # a removed and an added sentence this similar are one sentence reworded

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_SPACE = re.compile(r"\s+")


def section_hash(doc: Document, section: Section) -> str:
    """sha256 of the section's exact text, heading included."""
    return hashlib.sha256(doc.text[section.start : section.end].encode("utf-8")).hexdigest()


def _words(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _title_key(section: Section) -> str:
    return _words(section.title.translate(_QUOTES)).lower()


def _anchor_key(section: Section) -> str:
    return slugify(section.title.translate(_QUOTES))


@dataclass(frozen=True)
class SentenceEdit:
    op: str  # "-" removed, "+" added, "~" reworded
    old: str = ""
    new: str = ""

    @property
    def words(self) -> str:
        """The edit as one line: a word diff for a reworded sentence, else the sentence itself."""
        return word_diff(self.old, self.new) if self.op == "~" else self.old or self.new


@dataclass(frozen=True)
class SectionDiff:
    status: str  # "added" | "removed" | "changed" | "unchanged"
    old: Section | None
    new: Section | None
    edits: tuple[SentenceEdit, ...] = ()
    moved: bool = False
    sentences: int = 0  # of the section as it is (the old one when removed)

    @property
    def title(self) -> str:
        section = self.new or self.old
        assert section is not None
        return section.title

    @property
    def anchor(self) -> str:
        section = self.new or self.old
        assert section is not None
        return section.anchor

    @property
    def renamed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.title != self.new.title


@dataclass(frozen=True)
class PolicyDiff:
    old: Document
    new: Document
    sections: tuple[SectionDiff, ...]  # in the new document's order, then the removed ones in the old order
    metadata: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # front matter key -> old, new

    def with_status(self, status: str) -> tuple[SectionDiff, ...]:
        return tuple(s for s in self.sections if s.status == status)

    @property
    def moved(self) -> tuple[SectionDiff, ...]:
        return tuple(s for s in self.sections if s.moved)

    @property
    def identical(self) -> bool:
        return not self.metadata and all(s.status == "unchanged" and not s.moved for s in self.sections)


def word_diff(old: str, new: str) -> str:
    """``old`` turned into ``new`` word by word: ``[-removed words-]{+added words+}``, like ``git diff --word-diff``."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += a[i1:i2]
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def sentence_edits(old: list[str], new: list[str]) -> list[SentenceEdit]:
    """The removed, added and reworded sentences between two lists of sentences (whitespace runs ignored)."""
    a, b = [_words(s) for s in old], [_words(s) for s in new]
    edits: list[SentenceEdit] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        gone, came = a[i1:i2], b[j1:j2]
        scored = sorted(
            ((_similarity(o, n), i, j) for i, o in enumerate(gone) for j, n in enumerate(came)), reverse=True
        )
        reworded: dict[int, int] = {}
        for score, i, j in scored:
            if score >= REWORD_SIMILARITY and i not in reworded and j not in reworded.values():
                reworded[i] = j
        edits += [SentenceEdit("~", gone[i], came[reworded[i]]) for i in sorted(reworded)]
        edits += [SentenceEdit("-", old=o) for i, o in enumerate(gone) if i not in reworded]
        edits += [SentenceEdit("+", new=n) for j, n in enumerate(came) if j not in reworded.values()]
    return edits


def match_sections(old: Document, new: Document) -> dict[int, int]:
    """New section index -> old section index for every section found in both revisions.

    Title first, then anchor, then text similarity (a renamed section); sections sharing a title pair up in order.
    """
    pairs: dict[int, int] = {}
    keys: tuple[Callable[[Section], str], ...] = (_title_key, _anchor_key)
    for key in keys:
        free: dict[str, list[int]] = {}
        for s in old.sections:
            if s.index not in pairs.values():
                free.setdefault(key(s), []).append(s.index)
        for s in new.sections:
            if s.index not in pairs and free.get(key(s)):
                pairs[s.index] = free[key(s)].pop(0)
    body = {id(d): [_words(d.text[s.body_start : s.end]) for s in d.sections] for d in (old, new)}
    candidates = sorted(
        (
            (_similarity(body[id(old)][o.index], body[id(new)][n.index]), n.index, o.index)
            for n in new.sections
            if n.index not in pairs
            for o in old.sections
            if o.index not in pairs.values()
        ),
        reverse=True,
    )
    for score, n_index, o_index in candidates:
        if score >= RENAME_SIMILARITY and n_index not in pairs and o_index not in pairs.values():
            pairs[n_index] = o_index
    return pairs


def _moved(pairs: dict[int, int]) -> set[int]:
    """New indexes of matched sections outside the longest run kept in the same relative order."""
    order = [pairs[n] for n in sorted(pairs)]
    best: list[list[int]] = []  # best[i]: the longest increasing subsequence ending at position i
    for i, o in enumerate(order):
        prev: list[int] = max((best[j] for j in range(i) if order[j] < o), key=len, default=[])
        best.append([*prev, i])
    longest: list[int] = max(best, key=len, default=[])
    kept = set(longest)
    return {n for i, n in enumerate(sorted(pairs)) if i not in kept}


def diff_documents(old: Document, new: Document) -> PolicyDiff:
    """Section-level diff of two revisions of one policy."""
    pairs = match_sections(old, new)
    moved = _moved(pairs)
    sections: list[SectionDiff] = []
    for n in new.sections:
        count = len(new.section_sentences(n.index))
        if n.index not in pairs:
            sections.append(SectionDiff("added", None, n, sentences=count))
            continue
        o = old.sections[pairs[n.index]]
        if section_hash(old, o) == section_hash(new, n):
            sections.append(SectionDiff("unchanged", o, n, moved=n.index in moved, sentences=count))
            continue
        edits = sentence_edits(
            [s.text for s in old.section_sentences(o.index)], [s.text for s in new.section_sentences(n.index)]
        )
        sections.append(SectionDiff("changed", o, n, tuple(edits), n.index in moved, count))
    matched = set(pairs.values())
    for o in old.sections:
        if o.index not in matched:
            sections.append(SectionDiff("removed", o, None, sentences=len(old.section_sentences(o.index))))
    keys = sorted(set(old.metadata) | set(new.metadata))
    metadata = {
        k: (old.metadata.get(k), new.metadata.get(k)) for k in keys if old.metadata.get(k) != new.metadata.get(k)
    }
    return PolicyDiff(old, new, tuple(sections), metadata)


def _heading(s: SectionDiff) -> str:
    renamed = f" (renamed from “{s.old.title}”)" if s.renamed and s.old is not None else ""
    return f"“{s.title}” #{s.anchor}{renamed}"


def format_text(diff: PolicyDiff) -> str:
    """The readable report of ``python -m bot diff``."""
    counts = {k: len(diff.with_status(k)) for k in ("changed", "added", "removed", "unchanged")}
    lines = [
        f"--- {diff.old.source} ({diff.old.title})",
        f"+++ {diff.new.source} ({diff.new.title})",
        "Sections: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + f", {len(diff.moved)} moved",
    ]
    if diff.identical:
        return "\n".join([*lines, "No differences."])
    if diff.metadata:
        lines += ["", "Front matter:"]
        lines += [f"  {k}: {o!r} -> {n!r}" for k, (o, n) in diff.metadata.items()]
    for status, mark in (("added", "+"), ("removed", "-")):
        found = diff.with_status(status)
        if found:
            lines += ["", f"{status.capitalize()} sections:"]
            lines += [f"  {mark} {_heading(s)}, {s.sentences} sentence(s)" for s in found]
    if diff.with_status("changed"):
        lines += ["", "Changed sections:"]
        for s in diff.with_status("changed"):
            lines.append(f"  ~ {_heading(s)}")
            lines += [f"      {e.op} {e.words}" for e in s.edits] or ["      (heading or whitespace only)"]
    if diff.moved:
        lines += ["", "Moved sections (same text, new position):"]
        lines += [f"  > {_heading(s)}" for s in diff.moved]
    return "\n".join(lines)


def _section_ref(s: SectionDiff) -> dict[str, Any]:
    return {"title": s.title, "anchor": s.anchor, "sentences": s.sentences}


def diff_to_dict(diff: PolicyDiff) -> dict[str, Any]:
    """The JSON of ``python -m bot diff --json``."""
    return {
        "old": {"source": diff.old.source, "title": diff.old.title},
        "new": {"source": diff.new.source, "title": diff.new.title},
        "identical": diff.identical,
        "metadata": {k: {"old": o, "new": n} for k, (o, n) in diff.metadata.items()},
        "added": [_section_ref(s) for s in diff.with_status("added")],
        "removed": [_section_ref(s) for s in diff.with_status("removed")],
        "changed": [
            _section_ref(s)
            | {
                "old_title": s.old.title if s.old else None,
                "moved": s.moved,
                "edits": [{"op": e.op, "old": e.old, "new": e.new, "words": e.words} for e in s.edits],
            }
            for s in diff.with_status("changed")
        ],
        "unchanged": len(diff.with_status("unchanged")),
        "moved": [_section_ref(s) for s in diff.moved],
    }
