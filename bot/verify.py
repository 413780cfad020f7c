"""The last gate before an answer leaves the core: every quote must be verbatim at its offsets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

log = logging.getLogger(__name__)


class Quoted(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def quote(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


Q = TypeVar("Q", bound=Quoted)


def is_verbatim(text: str, quote: str, start: int, end: int) -> bool:
    """True exactly when ``quote`` is non-empty and ``text[start:end] == quote``."""
    return bool(quote) and 0 <= start < end <= len(text) and text[start:end] == quote


def verify_quotes(quotes: Iterable[Q], text_of: Callable[[str], str | None]) -> tuple[list[Q], list[Q]]:
    """Split quotes into (kept, dropped); a dropped quote is logged and must never be shown."""
    kept: list[Q] = []
    dropped: list[Q] = []
    for q in quotes:
        text = text_of(q.source)
        if text is not None and is_verbatim(text, q.quote, q.start, q.end):
            kept.append(q)
        else:
            dropped.append(q)
            log.warning("dropped a quote that is not verbatim at %s[%d:%d]: %.80r", q.source, q.start, q.end, q.quote)
    return kept, dropped
