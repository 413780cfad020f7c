"""Misspelling tolerance for questions: symspellpy's English dictionary plus the policy's own words.

``Speller(texts).correct("how do i delet my acount")`` gives ``"how do i delete my account"``. Only plain words
change: e-mails, URLs, numbers, words with digits, ALL-CAPS acronyms, mixed-case names and known words are kept
exactly, as are spacing, punctuation and the case of every untouched word. A short table of generic chat
shorthand (``bot/data/shorthand.json``) is expanded first.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import IO

from symspellpy import SymSpell, Verbosity

SHORTHAND_PATH = Path(__file__).resolve().parent / "data" / "shorthand.json"
DICTIONARY = "frequency_dictionary_en_82_765.txt"  # shipped inside the symspellpy package
_CHUNK = re.compile(r"\S+")
_EDGES = re.compile(r"^([\W_]*)(.*?)([\W_]*)$", re.DOTALL)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_LETTERS = re.compile(r"[^\W\d_]+")
_NOT_PROSE = re.compile(r"[\d@/\\.:]")  # numbers, e-mails, URLs, paths, domains
_CACHE_SIZE = 10_000
_MISS = ""


def open_dictionary() -> IO[str]:
    """symspellpy's English frequency list (``word count``, a line each), opened for reading."""
    return resources.files("symspellpy").joinpath(DICTIONARY).open("r", encoding="utf-8")


def _load_shorthand(path: Path = SHORTHAND_PATH) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k).lower(): str(v) for k, v in data.items()}


def _match_case(original: str, replacement: str) -> str:
    """``replacement`` in the case pattern of ``original`` (lower, Title or UPPER)."""
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class Speller:
    """Corrects misspelt words in short questions; thread-safe once warmed up."""

    def __init__(self, texts: Sequence[str] = (), max_edit: int = 2) -> None:
        """Store the domain ``texts`` (whose words are always known) and the largest edit distance; loads nothing."""
        if not 0 <= max_edit <= 2:
            raise ValueError(f"max_edit must lie in [0, 2], got {max_edit}")
        self.texts: tuple[str, ...] = (texts,) if isinstance(texts, str) else tuple(texts)
        self.max_edit = max_edit
        self._sym: SymSpell | None = None
        self._shorthand: dict[str, str] = {}
        self._cache: dict[str, str | None] = {}
        self._lock = threading.Lock()

    @staticmethod
    def words(texts: Iterable[str]) -> set[str]:
        """The distinct lower-cased letter-only words of ``texts``."""
        return {w for text in texts for w in _LETTERS.findall(text.lower())}

    @property
    def ready(self) -> bool:
        """Whether the dictionary is loaded."""
        return self._sym is not None

    def warm_up(self) -> None:
        """Load the packaged English dictionary and the domain words, once (later calls do nothing)."""
        with self._lock:
            if self._sym is not None:
                return
            sym = SymSpell(max_dictionary_edit_distance=self.max_edit)
            with open_dictionary() as fh:
                if not sym.load_dictionary(fh, term_index=0, count_index=1):
                    raise RuntimeError(f"could not load symspellpy's {DICTIONARY}")
            bonus = max(sym.words.values())  # domain words outrank every general word, keeping their own order
            for word in sorted(self.words(self.texts)):
                sym.create_dictionary_entry(word, bonus)
            self._shorthand = _load_shorthand()
            self._sym = sym  # published last: readers see either nothing or a complete dictionary

    def correct(self, text: str) -> str:
        """``text`` with shorthand expanded and misspelt words replaced; everything else kept exactly."""
        if self._sym is None:
            self.warm_up()
        return _CHUNK.sub(self._fix_chunk, text)

    def changed(self, text: str) -> bool:
        """Whether :meth:`correct` would change ``text``."""
        return self.correct(text) != text

    def _fix_chunk(self, match: re.Match[str]) -> str:
        parts = _EDGES.match(match.group())
        assert parts is not None  # every group may be empty, so it always matches
        lead, core, trail = parts.groups()
        expansion = self._shorthand.get(core.lower())
        if expansion is not None and (core.islower() or core.istitle()):
            return lead + _match_case(core, expansion) + trail
        if not core or _NOT_PROSE.search(core):
            return match.group()
        return lead + _WORD.sub(self._fix_word, core) + trail

    def _fix_word(self, match: re.Match[str]) -> str:
        word = match.group()
        if len(word) < 3 or not word.isascii() or "'" in word or "’" in word:
            return word
        if word.isupper():
            if len(word) <= 6:
                return word  # an acronym: GDPR, COPPA
        elif not (word.islower() or word.istitle()):
            return word  # a mixed-case name: iPhone, McAfee
        low = word.lower()
        fixed = self._lookup(low)
        return word if fixed is None or fixed == low else _match_case(word, fixed)

    def _lookup(self, low: str) -> str | None:
        """The best spelling of the lower-case ``low``, or ``None`` when it is known or nothing is close."""
        sym = self._sym
        assert sym is not None
        if low in sym.words:
            return None
        cached = self._cache.get(low, _MISS)  # one read: another thread may clear the cache meanwhile
        if cached is not _MISS:
            return cached
        distance = min(self.max_edit, 2 if len(low) >= 6 else 1)
        items = sym.lookup(low, Verbosity.CLOSEST, max_edit_distance=distance)
        best = min(items, key=lambda s: (s.distance, -s.count)).term if items else None
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[low] = best
        return best
