"""The policy page: escaped text, an id per section, and <mark> around exactly the highlighted characters."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.policy import parse_text
from bot.serve.pages import parse_range, policy_link, policy_page, render_document

TEXT = """# Our policy

We use **cookies** on <b>the</b> Sites & apps. You can [opt out](https://example.com/opt-out) anytime.

## Contact

- Write to us.
- Or call <script>alert(1)</script>.

> A quoted note.
"""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.marked: list[str] = []
        self.text: list[str] = []
        self._mark = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.ids.extend(v for k, v in attrs if k == "id" and v)
        self._mark += tag == "mark"

    def handle_endtag(self, tag: str) -> None:
        self._mark -= tag == "mark"

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._mark:
            self.marked.append(data)


def _parse(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    return p


def test_sections_get_anchors_and_text_is_escaped() -> None:
    doc = parse_text(TEXT, "p.md")
    page = _parse(render_document(doc))
    assert page.ids == ["our-policy", "contact"]
    assert "script" not in page.tags and "b" not in page.tags
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text and "<b>the</b>" in text
    assert {"strong", "a", "ul", "li", "blockquote"} <= set(page.tags)


@pytest.mark.parametrize(
    "phrase", ["cookies", "We use **cookies** on <b>the</b> Sites & apps.", "out](https", "Write to us.\n- Or"]
)
def test_mark_covers_exactly_the_range(phrase: str) -> None:
    doc = parse_text(TEXT, "p.md")
    start = TEXT.index(phrase)
    end = start + len(phrase)
    marked = "".join(_parse(render_document(doc, (start, end))).marked)
    visible = phrase.replace("**", "").replace("](https", "").replace("\n- ", "")
    assert marked.replace("\n", "") == visible.replace("\n", "")


def test_only_the_first_mark_is_the_scroll_target() -> None:
    doc = parse_text(TEXT, "p.md")
    html = render_document(doc, (TEXT.index("We use"), TEXT.index("anytime")))
    assert html.count('id="highlight"') == 1 and html.count("<mark") > 1


def test_page_lists_other_documents() -> None:
    a, b = parse_text(TEXT, "a.md"), parse_text("# Other\n\nText.\n", "b.md")
    html = policy_page(a, [a, b], (2, 5))
    assert 'href="/policy?source=b.md"' in html and 'href="#highlight"' in html


def test_parse_range() -> None:
    assert parse_range("3-10", 20) == (3, 10)
    for bad in ("10-3", "3-21", "x", "3-", "-1-4", "5-5"):
        with pytest.raises(ValueError):
            parse_range(bad, 20)


def test_policy_link() -> None:
    assert policy_link("corpus/a b.md", 5, 9, "cookies") == "/policy?source=corpus%2Fa+b.md&hl=5-9#cookies"
