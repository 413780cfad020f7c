"""The policy as a readable HTML page, built from the parsed text spans so citations can be highlighted exactly.

Every character of the page's text comes from ``Document.text`` and is escaped; the only markup is what
we add: one ``<section id=anchor>`` per policy section, paragraphs, lists, bold/italic/links from the
markdown, and ``<mark>`` around the characters ``[start, end)`` of a cited quote.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from html import escape
from urllib.parse import urlencode

from ..policy import Document

_PARAGRAPH = re.compile(r"\S(?:.*?)(?=\n[ \t]*\n|\Z)", re.S)
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_QUOTE_LINE = re.compile(r"[ \t]*>[ \t]?")
_LINE = re.compile(r"[^\n]+")
_INLINE = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|\[([^\]\n]+)\]\(([^)\s]+)\)")

Span = tuple[int, int]


def parse_range(value: str, length: int) -> Span:
    """``"START-END"`` as character offsets into a text of ``length`` characters; ValueError says why not."""
    m = re.fullmatch(r"(\d{1,9})-(\d{1,9})", value.strip())
    if not m:
        raise ValueError("hl must look like START-END, two character offsets, e.g. hl=120-245")
    start, end = int(m.group(1)), int(m.group(2))
    if not 0 <= start < end <= length:
        raise ValueError(f"hl={start}-{end} is outside the document (0-{length})")
    return start, end


def policy_link(source: str, start: int, end: int, anchor: str) -> str:
    """The site-relative link that opens the policy with ``[start, end)`` highlighted at its section."""
    return f"/policy?{urlencode({'source': source, 'hl': f'{start}-{end}'})}#{anchor}"


class _Renderer:
    def __init__(self, text: str, hl: Span | None) -> None:
        self.text = text
        self.hl = hl
        self.marked = False

    def run(self, a: int, b: int) -> str:
        """Escaped ``text[a:b]``, the part inside the highlight wrapped in ``<mark>``; newlines become ``<br>``."""
        cuts = sorted({a, b, *(x for x in (self.hl or ()) if a < x < b)})
        out = []
        for x, y in itertools.pairwise(cuts):
            piece = escape(self.text[x:y]).replace("\n", "<br>\n")
            if self.hl and self.hl[0] <= x and y <= self.hl[1] and self.text[x:y].strip():
                attr = "" if self.marked else ' id="highlight"'
                self.marked = True
                piece = f"<mark{attr}>{piece}</mark>"
            out.append(piece)
        return "".join(out)

    def inline(self, a: int, b: int) -> str:
        """Markdown emphasis and links inside ``text[a:b]``, everything else as escaped text."""
        out: list[str] = []
        open_tags: list[str] = []
        cursor = a
        for m in _INLINE.finditer(self.text, a, b):
            out.append(self.run(cursor, m.start()))
            cursor = m.end()
            if m.group(1) is not None:  # [label](url)
                url = m.group(2)
                label = self.run(m.start(1), m.end(1))
                if re.match(r"https?://", url):
                    out.append(f'<a href="{escape(url)}" rel="nofollow noopener noreferrer">{label}</a>')
                else:
                    out.append(label)
                continue
            tag = "strong" if len(m.group()) == 2 else "em"
            if open_tags and open_tags[-1] == tag:
                open_tags.pop()
                out.append(f"</{tag}>")
            else:
                open_tags.append(tag)
                out.append(f"<{tag}>")
        out.append(self.run(cursor, b))
        out.extend(f"</{t}>" for t in reversed(open_tags))
        return "".join(out)

    def block(self, a: int, b: int) -> str:
        """One paragraph: a list, a block quote, or plain text."""
        lines = [(m.start(), m.end()) for m in _LINE.finditer(self.text, a, b)]
        if lines and all(_LIST_ITEM.match(self.text, s, e) for s, e in lines):
            ordered = self.text[lines[0][0] : lines[0][1]].lstrip()[:1].isdigit()
            tag = "ol" if ordered else "ul"
            items = []
            for s, e in lines:
                marker = _LIST_ITEM.match(self.text, s, e)
                assert marker is not None
                items.append(f"<li>{self.inline(marker.end(), e)}</li>")
            return f"<{tag}>{''.join(items)}</{tag}>"
        if lines and all(_QUOTE_LINE.match(self.text, s, e) for s, e in lines):
            parts = []
            for s, e in lines:
                marker = _QUOTE_LINE.match(self.text, s, e)
                assert marker is not None
                parts.append(self.inline(marker.end(), e))
            return f"<blockquote><p>{'<br>'.join(parts)}</p></blockquote>"
        return f"<p>{self.inline(a, b)}</p>"


def render_document(doc: Document, hl: Span | None = None) -> str:
    """The body of the policy page for one document."""
    r = _Renderer(doc.text, hl)
    parts = []
    for sec in doc.sections:
        parts.append(f'<section id="{escape(sec.anchor)}">')
        if sec.body_start > sec.start:
            level = min(sec.level + 1, 6)
            parts.append(f'<h{level}><a class="anchor" href="#{escape(sec.anchor)}">{escape(sec.title)}</a></h{level}>')
        for para in _PARAGRAPH.finditer(doc.text, sec.body_start, sec.end):
            parts.append(r.block(para.start(), para.end()))
        parts.append("</section>")
    return "\n".join(parts)


def policy_page(doc: Document, documents: Iterable[Document], hl: Span | None = None) -> str:
    """A complete HTML page: the document, a switcher when there are several, and the highlight note."""
    others = [d for d in documents if d.source != doc.source]
    nav = ""
    if others:
        links = "".join(
            f'<li><a href="/policy?{urlencode({"source": d.source})}">{escape(d.title)}</a></li>' for d in others
        )
        nav = f'<nav aria-label="Other policies"><ul>{links}</ul></nav>'
    note = ""
    if hl:
        note = (
            '<p class="hl-note" role="note">The passage quoted by the assistant is '
            '<a href="#highlight">highlighted below</a>.</p>'
        )
    revised = doc.metadata.get("revised") or doc.metadata.get("updated") or ""
    meta = f'<p class="meta">Last revised: {escape(revised)}</p>' if revised else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(doc.title)}</title>
<link rel="stylesheet" href="/site.css">
</head>
<body class="policy">
<main>
<header><h1>{escape(doc.title)}</h1>{meta}{nav}{note}</header>
<article>
{render_document(doc, hl)}
</article>
</main>
</body>
</html>
"""
