"""Chunks: windows of consecutive sentences inside one section, never crossing into the next."""

from __future__ import annotations

from dataclasses import dataclass

from .policy import Document


@dataclass(frozen=True)
class ChunkParams:
    sentences: int = 3
    overlap: int = 1
    max_chars: int = 1200

    def __post_init__(self) -> None:
        if self.sentences < 1:
            raise ValueError("a chunk needs at least one sentence")
        if not 0 <= self.overlap < self.sentences:
            raise ValueError("overlap must be at least 0 and smaller than the window")


@dataclass(frozen=True)
class Chunk:
    id: int
    source: str
    section: int
    section_title: str
    anchor: str
    start: int
    end: int
    sentence_ids: tuple[int, ...]  # indexes into Document.sentences
    text: str

    @property
    def embed_text(self) -> str:
        """What the embedder and BM25 see: the section title gives short sentences their topic."""
        return f"{self.section_title}: {self.text}"


def chunk_document(doc: Document, params: ChunkParams, first_id: int = 0) -> list[Chunk]:
    """Slide a window of ``params.sentences`` sentences over each section, ``overlap`` shared.

    A window also stops early once it reaches ``max_chars`` (a single longer sentence is kept whole).
    Sections without sentences (a heading with no text) yield no chunk.
    """
    chunks: list[Chunk] = []
    step = params.sentences - params.overlap
    for section in doc.sections:
        ids = [i for i, s in enumerate(doc.sentences) if s.section == section.index]
        pos = 0
        while pos < len(ids):
            window = [ids[pos]]
            for nxt in ids[pos + 1 : pos + params.sentences]:
                if doc.sentences[nxt].end - doc.sentences[window[0]].start > params.max_chars:
                    break
                window.append(nxt)
            start, end = doc.sentences[window[0]].start, doc.sentences[window[-1]].end
            chunks.append(
                Chunk(
                    id=first_id + len(chunks),
                    source=doc.source,
                    section=section.index,
                    section_title=section.title,
                    anchor=section.anchor,
                    start=start,
                    end=end,
                    sentence_ids=tuple(window),
                    text=doc.text[start:end],
                )
            )
            if window[-1] == ids[-1]:
                break
            pos += max(1, min(step, len(window) - params.overlap))
    return chunks
