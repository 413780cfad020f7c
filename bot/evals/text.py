"""How the eval compares text: section titles and evidence phrases, folded the same way on both sides.

Folding lowercases, turns typographic quotes into ASCII ones and collapses every whitespace run (the corpus has
many non-breaking spaces) to one space. Quotes themselves are never folded for faithfulness: that check is exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, typographic quotes folded to ASCII, whitespace runs to one space, ends stripped."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().lower()


def section_matches(section: str, acceptable: Iterable[str]) -> bool:
    """True when ``section`` is one of the ``acceptable`` titles, compared folded."""
    folded = fold(section)
    return any(folded == fold(a) for a in acceptable)


def found_phrases(phrases: Iterable[str], text: str) -> list[str]:
    """The ``phrases`` that occur in ``text``, compared folded."""
    haystack = fold(text)
    return [p for p in phrases if fold(p) and fold(p) in haystack]


def clip(text: str, width: int = 60, raw: bool = False) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, for reasons and reports; on one line unless ``raw``
    (raw keeps every character, so a ``repr`` of it shows a non-breaking space or a newline)."""
    shown = text if raw else _SPACE.sub(" ", text).strip()
    return shown if len(shown) <= width else shown[: width - 1] + "…"
