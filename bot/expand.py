"""Query expansion with privacy vocabulary: acronyms spelled out, lay words mapped to policy words.

Visitors write "COPPA", "kids", "sue", "cops"; policies write "Children’s Online Privacy Protection Act",
"children", "litigation", "law enforcement". Acronyms are spelled out for every retriever (and the
reranker); lay words add their policy terms to the lexical (BM25) and dense queries only.

The vocabulary is generic data, ``bot/data/vocabulary.json``: no word here is one policy's wording. What one
policy calls things is learnt from its example bank, not written down here.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VOCABULARY_PATH = Path(__file__).resolve().parent / "data" / "vocabulary.json"


@dataclass(frozen=True)
class LayWord:
    pattern: re.Pattern[str]  # the lay word(s), on word boundaries, any case
    terms: str  # the words policies use for them
    unless: re.Pattern[str] | None  # found anywhere in the question: another sense, no terms


@dataclass(frozen=True)
class Vocabulary:
    acronyms: dict[str, str]
    laws: frozenset[str]
    contact_terms: str
    lay: tuple[LayWord, ...]
    practices: tuple[str, ...]


def _lay_word(entry: dict[str, Any]) -> LayWord:
    unless = entry.get("unless")
    return LayWord(
        re.compile(rf"\b(?:{entry['pattern']})\b", re.I),
        str(entry["terms"]),
        re.compile(unless, re.I) if unless else None,
    )


@functools.cache
def vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """The vocabulary of ``path`` (default ``bot/data/vocabulary.json``), read and compiled once."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Vocabulary(
        acronyms={str(k).lower(): str(v) for k, v in data["acronyms"].items()},
        laws=frozenset(str(a).lower() for a in data["laws"]),
        contact_terms=str(data["contact_terms"]),
        lay=tuple(_lay_word(e) for e in data["lay"]),
        practices=tuple(str(p).lower() for p in data["practices"]),
    )


ACRONYMS = vocabulary().acronyms
# the acronyms that name laws: a question about one is answered from what the policy says about such laws
# in general, even when it does not name that one
LAWS = vocabulary().laws
CONTACT_TERMS = vocabulary().contact_terms  # the policy's words for where to write

_ACRONYM = re.compile(r"\b(" + "|".join(map(re.escape, ACRONYMS)) + r")\b", re.I)


def _lay_terms(query: str) -> list[str]:
    """The policy words of each lay word ``query`` uses (unless its ``unless`` sense rules it out)."""
    return [
        word.terms
        for word in vocabulary().lay
        if word.pattern.search(query) and not (word.unless and word.unless.search(query))
    ]


def spell_out(query: str) -> str:
    """Append the expansion of each acronym the query uses: "does the sign-up form follow COPPA? (COPPA: ...)"."""
    found = {m.group(1).lower() for m in _ACRONYM.finditer(query)}
    if not found:
        return query
    return query + " (" + "; ".join(f"{a.upper()}: {ACRONYMS[a]}" for a in sorted(found)) + ")"


def expand(query: str) -> str:
    """The query for the retrievers: acronyms spelled out, plus the policy words for any lay words."""
    extra = _lay_terms(query)
    spelled = spell_out(query)
    return f"{spelled} {' '.join(extra)}" if extra else spelled


_ENTITY = re.compile(r"\b([A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,2}),?\s+(?:Inc|LLC|Ltd|Corp|Corporation|GmbH|Limited)\b")


def title_words(title: str) -> set[str]:
    """The lower-case words of a document's title: where the policy's owner is named."""
    return {w.lower() for w in re.findall(r"[^\W\d_]+", title)}


def owner_names(title: str, text: str) -> list[str]:
    """The policy owner's names: companies named with a legal suffix in ``text`` ("Acme, Inc.") whose
    first word is also in the document's ``title``. Other companies the policy names are left alone."""
    in_title = title_words(title)
    names = {m.group(1) for m in _ENTITY.finditer(text) if m.group(1).split()[0].lower() in in_title}
    return sorted(names | {n.split()[0] for n in names}, key=len, reverse=True)


def neutral(query: str, names: list[str]) -> str:
    """``query`` with the owner's name said as the policy says it ("the Company"): a question that names the
    company ("could I take Acme to court?") otherwise draws the passages that name it (the copyright line)."""
    if not names:
        return query
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")(['’]s)?\b", re.I)
    return pattern.sub(lambda m: "the Company" + (m.group(1) or ""), query)
