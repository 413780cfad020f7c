"""Names as people write them: an owner's name mistyped or split, a brand written as one word.

The guards refuse a question that names another organisation or a thing the policy never mentions. People
misspell and split names ("Infra Scale", "infrasacle" for Infrascale) and say a brand in words that the policy
writes as one (its domain "acmebackup.com" for "Acme Backup"); read strictly, such a question names a stranger
and is refused outright, before any learned signal is heard. These two tests read names the way a person would.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from symspellpy.editdistance import DistanceAlgorithm, EditDistance

_EDITS = EditDistance(DistanceAlgorithm.DAMERAU_OSA)
_NOT_LETTERS = re.compile(r"[^0-9a-z]+")
_WORD_PARTS = re.compile(r"[\s./@:_]+")  # a domain or address splits into its parts
MIN_NAME = 5  # shorter owner words ("inc", "co") are matched exactly or not at all


def letters(text: str) -> str:
    """``text`` lower-cased with everything but letters and digits removed ("Infra-Scale's" → "infrascales")."""
    return _NOT_LETTERS.sub("", text.lower())


def allowed_edits(word: str) -> int:
    """Typos tolerated in a name of this length: one, two from ten letters (as a spell checker allows)."""
    return 2 if len(word) >= 10 else 1


def owner_like(name: str, owner_words: Iterable[str]) -> bool:
    """Whether ``name`` (one word or several, a possessive "'s" aside) is one of the owner's name words as people
    write it: equal, split or joined differently, or within ``allowed_edits`` of it ("Infra Scale",
    "infrasacle's" for "Infrascale,")."""
    asked = letters(re.sub(r"['’]s\b", "", name))
    for word in owner_words:
        own = letters(word)
        if asked == own or (len(own) >= MIN_NAME and _EDITS.compare(asked, own, allowed_edits(own)) >= 0):
            return True
    return False


@functools.lru_cache(maxsize=8)
def _one_word_forms(corpus: str) -> frozenset[str]:
    """Every word of ``corpus`` and every part of its domains and addresses, as ``letters``."""
    return frozenset(p for p in (letters(w) for w in _WORD_PARTS.split(corpus)) if p)


def written_as_one_word(name: str, corpus: str) -> bool:
    """Whether a name of several words is written as one word, or inside one, in ``corpus``: a brand run together
    or its domain ("Online Backup" in "sosonlinebackup.com")."""
    if len(name.split()) < 2:
        return False
    joined = letters(name)
    return any(joined in form for form in _one_word_forms(corpus))
