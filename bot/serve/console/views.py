"""The console's views of an answer, pure functions tested without a browser: the quotes highlighted inside their
sections, the retrieval scores, a customer-ready reply, the choices of a correction form."""

from __future__ import annotations

from urllib.parse import urljoin

from ...answer import Answer, Citation
from ...corrections import Correction
from ...policy import Document
from ..pages import policy_link

RETRIEVED_HEADERS = ["rank", "section", "dense", "lexical", "fused", "rerank", "score", "text"]
CORRECTION_HEADERS = ["id", "time (UTC)", "question", "bot's section", "correct section", "sentence", "note", "source"]
PROBLEM_HEADERS = ["time (UTC)", "channel", "question", "refused", "reason", "top section", "rating", "comment"]
QUOTE_COLORS = ["#fde68a", "#bbf7d0", "#bfdbfe", "#fbcfe8", "#ddd6fe", "#fed7aa"]


def label(i: int) -> str:
    return f"quote {i}"


def highlighted_sections(documents: dict[str, Document], citations: list[Citation]) -> list[tuple[str, str | None]]:
    """Each cited section in full, as (text, label) pieces: the quotes labelled "quote N", the rest None."""
    pieces: list[tuple[str, str | None]] = []
    order: list[tuple[str, str]] = []
    for c in citations:
        if (c.source, c.anchor) not in order:
            order.append((c.source, c.anchor))
    for source, anchor in order:
        doc = documents.get(source)
        sec = next((s for s in doc.sections if s.anchor == anchor), None) if doc else None
        if doc is None or sec is None:
            continue
        spans = sorted(
            (max(c.start, sec.body_start), min(c.end, sec.end), i)
            for i, c in enumerate(citations, start=1)
            if c.source == source and c.anchor == anchor
        )
        if pieces:
            pieces.append(("\n\n", None))
        pieces.append((f"§ {sec.title}\n", None))
        cursor = sec.body_start
        while cursor < sec.end and doc.text[cursor].isspace():
            cursor += 1
        for start, end, i in spans:
            if start < cursor or start >= end:
                continue
            if start > cursor:
                pieces.append((doc.text[cursor:start], None))
            pieces.append((doc.text[start:end], label(i)))
            cursor = end
        if cursor < sec.end:
            pieces.append((doc.text[cursor : sec.end], None))
    return pieces


def retrieved_rows(answer: Answer) -> list[list[str]]:
    def num(value: float | None, digits: int = 3) -> str:
        return "" if value is None else f"{value:.{digits}f}"

    rows = []
    for rank, h in enumerate(answer.retrieved, start=1):
        text = " ".join(h.chunk.text.split())
        rows.append(
            [
                str(rank),
                h.chunk.section_title,
                num(h.dense),
                num(h.lexical),
                num(h.fused, 5),
                num(h.rerank),
                num(h.score),
                text if len(text) <= 300 else text[:297] + "…",
            ]
        )
    return rows


def customer_reply(answer: Answer, base_url: str) -> str:
    """The answer as a customer can receive it: the quotes, then a link to each cited section."""
    lines = [answer.answer]
    cites = list(answer.citations) or ([answer.contact] if answer.contact else [])
    if cites:
        lines.append("")
        lines.append("Where the privacy policy says this:")
        seen: set[str] = set()
        for c in cites:
            link = urljoin(base_url.rstrip("/") + "/", policy_link(c.source, c.start, c.end, c.anchor).lstrip("/"))
            if link not in seen:
                seen.add(link)
                lines.append(f"- {c.section}: {link}")
    return "\n".join(lines)


def section_markdown(doc: Document, anchor: str) -> str:
    sec = next((s for s in doc.sections if s.anchor == anchor), None)
    if sec is None:
        return "No such section."
    body = doc.text[sec.body_start : sec.end].strip()
    return f"### {sec.title}\n\n{body}"


def answered_from(answer: Answer, documents: dict[str, Document]) -> tuple[str | None, str | None]:
    """(document, section title) of the answer's first quote; (the retrieved or only document, None) on a refusal."""
    if answer.citations and not answer.refused:
        return answer.citations[0].source, answer.citations[0].section
    if answer.retrieved:
        return answer.retrieved[0].chunk.source, None
    return next(iter(documents), None), None


def section_choices(documents: dict[str, Document]) -> list[tuple[str, str]]:
    """The sections a correction can name, as (label, "source#index"): every section with a sentence."""
    many = len(documents) > 1
    return [
        (f"{doc.title} — {sec.title}" if many else sec.title, f"{doc.source}#{sec.index}")
        for doc in documents.values()
        for sec in doc.sections
        if doc.section_sentences(sec.index)
    ]


def section_of(documents: dict[str, Document], key: str | None) -> tuple[Document, int] | None:
    source, _, index = (key or "").rpartition("#")
    doc = documents.get(source)
    if doc is None or not index.isdigit() or int(index) >= len(doc.sections):
        return None
    return doc, int(index)


def sentence_choices(documents: dict[str, Document], key: str | None) -> list[tuple[str, int]]:
    """The sentences of the section ``key`` ("source#index"), verbatim, as (text, index in the document)."""
    found = section_of(documents, key)
    if found is None:
        return []
    doc, section = found
    return [(s.text, i) for i, s in enumerate(doc.sentences) if s.section == section]


def correction_rows(corrections: list[Correction]) -> list[list[str]]:
    return [
        [
            str(c.id),
            c.created_at.strftime("%Y-%m-%d %H:%M"),
            c.question,
            c.answered or "(refused)",
            "The policy does not say" if c.kind == "not_covered" else c.section or "",
            c.quote or "",
            c.note or "",
            c.source,
        ]
        for c in corrections
    ]
