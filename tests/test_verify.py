"""The quote gate: only text that is verbatim at its offsets leaves the core."""

from __future__ import annotations

from dataclasses import replace

from bot.answer import Citation
from bot.verify import is_verbatim, verify_quotes

TEXT = "We do use cookies on the Sites. You can disable cookies."


def _cite(quote: str, start: int, end: int) -> Citation:
    return Citation("p.md", "P", "Cookies", "cookies", quote, start, end, 1.0)


def test_verbatim_quotes_pass_and_tampered_ones_are_dropped() -> None:
    good = _cite("We do use cookies on the Sites.", 0, 31)
    shifted = replace(good, start=1, end=32)
    edited = replace(good, quote="We never use cookies on the Sites.")
    unknown = replace(good, source="other.md")
    kept, dropped = verify_quotes([good, shifted, edited, unknown], {"p.md": TEXT}.get)
    assert kept == [good]
    assert dropped == [shifted, edited, unknown]


def test_is_verbatim_edges() -> None:
    assert is_verbatim(TEXT, "We", 0, 2)
    assert not is_verbatim(TEXT, "", 0, 0)
    assert not is_verbatim(TEXT, "cookies.", len(TEXT) - 8, len(TEXT) + 1)
    assert not is_verbatim(TEXT, "We", -1, 1)
