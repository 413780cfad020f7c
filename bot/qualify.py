"""Qualifiers: the sentence right after a quoted one that limits it (an exception, a concession, a condition).

Quoting "We do not sell your personal information." without the next sentence, "The preceding does not apply to
trusted third parties ...", misleads by omission. A sentence qualifies the one before it, in the same section,
when it opens with (or, within its first few words, holds) a discourse marker that refers back: "Notwithstanding",
"Despite these ...", "However", "This does not apply", "Provided that" ... The markers are generic English data in
``bot/data/qualifiers.json``; nothing here knows any one policy. Pure functions over a parsed ``Document``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .policy import Document

MARKERS_PATH = Path(__file__).resolve().parent / "data" / "qualifiers.json"
CHAIN = 2  # a qualifier may itself be qualified: at most this many qualifiers follow one sentence

_MARKUP = re.compile(r"[*_`~]+")
_LEAD = re.compile(r"""^(?:[\s>#\-–—"'(\[]+|\(?(?:[a-z]|[ivxl]+|\d{1,3})[.)]\s+)+""")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Markers:
    window: int
    openers: tuple[re.Pattern[str], ...]
    early: tuple[re.Pattern[str], ...]


@functools.cache
def markers(path: Path = MARKERS_PATH) -> Markers:
    """The marker patterns of ``path`` (default ``bot/data/qualifiers.json``), read and compiled once."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Markers(
        int(data["window"]),
        tuple(re.compile(m["pattern"]) for m in data["openers"]),
        tuple(re.compile(m["pattern"]) for m in data["early"]),
    )


def fold(text: str) -> str:
    """Lower case, markup and a leading enumerator or bullet dropped, typographic quotes ASCII, one space."""
    text = _SPACE.sub(" ", _MARKUP.sub("", text).translate(_QUOTES)).strip().lower()
    return _LEAD.sub("", text)


def is_qualifier(text: str) -> bool:
    """True when the sentence ``text`` opens as a qualifier of whatever sentence precedes it."""
    m = markers()
    folded = fold(text)
    head = " ".join(folded.split(" ")[: m.window])
    return any(p.match(folded) for p in m.openers) or any(p.search(head) for p in m.early)


def _qualified(doc: Document, index: int) -> bool:
    """Sentence ``index + 1`` qualifies sentence ``index``: same section, and a qualifier marker."""
    if not 0 <= index < len(doc.sentences) - 1:
        return False
    here, after = doc.sentences[index], doc.sentences[index + 1]
    return here.section == after.section and is_qualifier(after.text)


def qualifier_of(doc: Document, sentence_index: int) -> int | None:
    """The index of the sentence right after ``sentence_index`` when it qualifies it, else None.

    Never crosses a section boundary. A run of qualifiers is cut after ``CHAIN`` of them: a sentence that is
    already the ``CHAIN``-th qualifier in a row gets none, so every answer can carry a whole chain.
    """
    if not 0 <= sentence_index < len(doc.sentences):
        raise IndexError(f"{doc.source} has no sentence {sentence_index}")
    if not _qualified(doc, sentence_index):
        return None
    depth = 0
    while depth < CHAIN and _qualified(doc, sentence_index - depth - 1):
        depth += 1
    return None if depth >= CHAIN else sentence_index + 1


def qualifiers_of(doc: Document, sentence_index: int) -> list[int]:
    """The chain of qualifiers after ``sentence_index`` (at most ``CHAIN``), in document order."""
    chain: list[int] = []
    nxt = qualifier_of(doc, sentence_index)
    while nxt is not None and len(chain) < CHAIN:
        chain.append(nxt)
        nxt = qualifier_of(doc, nxt)
    return chain


def with_qualifiers(doc: Document, sentence_indices: Sequence[int]) -> list[int]:
    """``sentence_indices`` plus each one's qualifiers, deduplicated, in document order."""
    chosen = set(sentence_indices)
    for i in sentence_indices:
        chosen.update(qualifiers_of(doc, i))
    return sorted(chosen)


def sentence_at(doc: Document, start: int, end: int) -> int | None:
    """The index of the sentence at offsets ``[start, end)``, or of the one sentence containing that span."""
    containing = None
    for i, s in enumerate(doc.sentences):
        if (s.start, s.end) == (start, end):
            return i
        if containing is None and s.start <= start and end <= s.end:
            containing = i
    return containing


def sentences_in(doc: Document, start: int, end: int) -> list[int]:
    """The indices of the sentences that overlap ``[start, end)`` (a quote may span several)."""
    return [i for i, s in enumerate(doc.sentences) if s.start < end and start < s.end]
