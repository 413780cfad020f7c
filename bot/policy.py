"""Parse a policy file into sections and sentences, every one carrying exact character offsets.

Offsets are Python string offsets into the file read as UTF-8, so ``text[start:end]`` gives back the
sentence, quote or section exactly. Markdown files split at their headings; plain text files with no
headings split at blank lines (each paragraph a section).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import CorpusError

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_PARAGRAPH = re.compile(r"\S(?:.*?)(?=\n[ \t]*\n|\Z)", re.S)
_TERMINAL = re.compile(r"""[.!?]["”’')\]]*$""")
_LEADING_SEPARATOR = re.compile(r"[;,:]+\s*")
# goes on in lower case after markup or an opening bracket; an enumerator such as "(d)" or "(iv)" starts an item
_CONTINUES = re.compile(r"[*_\s\u00a0]*(?:[a-z]|\((?!(?:[a-z]|[ivxl]+|\d+)\))[a-z]{2})")


@dataclass(frozen=True)
class Section:
    source: str
    index: int
    title: str
    anchor: str
    level: int
    start: int  # the heading line (or paragraph) begins here
    end: int
    body_start: int  # the text under the heading begins here


@dataclass(frozen=True)
class Sentence:
    source: str
    section: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Document:
    source: str
    title: str
    text: str
    metadata: dict[str, str]
    sections: tuple[Section, ...]
    sentences: tuple[Sentence, ...]

    def section_sentences(self, section: int) -> list[Sentence]:
        return [s for s in self.sentences if s.section == section]


def slugify(title: str) -> str:
    """GitHub-style anchor: lower case, punctuation dropped, spaces to hyphens."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^\w\s-]", "", folded.lower()).strip()
    return re.sub(r"[\s_]+", "-", slug) or "section"


_INFORMATION_SEPARATORS = dict.fromkeys(range(0x1C, 0x20), " ")


@functools.lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, never crossing a paragraph break.

    pysbd finds the boundaries (it knows "U.S.", "Inc.", "i.e."); enumerated list items such as
    "(a) ...; (b) ..." that pysbd cuts apart are joined back to the sentence they belong to.
    """
    spans: list[tuple[int, int]] = []
    # pysbd reads U+001C..U+001F as spaces in its list regexes, then fails to int() them: it reads a copy with
    # those separators as spaces (the same length, so every offset still points into ``text``)
    text = text.translate(_INFORMATION_SEPARATORS)
    for para in _PARAGRAPH.finditer(text, start, end):
        cursor, pieces = para.start(), []
        for seg in _segmenter().segment(para.group()):
            seg = seg.strip()
            if not seg:
                continue
            at = text.find(seg, cursor, para.end())
            if at < 0:  # pysbd altered the text; fall back to the whole paragraph
                pieces = [(para.start(), para.end())]
                break
            pieces.append((at, at + len(seg)))
            cursor = at + len(seg)
        merged: list[tuple[int, int]] = []
        for s, e in pieces:
            # joined back: a piece after one that does not end a sentence, and a piece that goes on in lower
            # case (pysbd cut "… of **Infrascale, Inc.** (including its subsidiaries …" after "Inc.")
            if merged and (not _TERMINAL.search(text[merged[-1][0] : merged[-1][1]]) or _CONTINUES.match(text, s, e)):
                merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        for s, e in merged:
            # a list item cut after the previous item's full stop ("credentials.; (d) marketing ...") starts
            # at its enumerator, not at the separator before it
            lead = _LEADING_SEPARATOR.match(text, s, e)
            s = lead.end() if lead else s
            if re.search(r"\w", text[s:e]):
                spans.append((s, e))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def parse_text(text: str, source: str, default_title: str = "") -> Document:
    """Parse a policy already read into memory. ``source`` is how citations will name the file."""
    metadata: dict[str, str] = {}
    offset = 0
    fm = _FRONT_MATTER.match(text)
    if fm:
        try:
            loaded = yaml.safe_load(fm.group(1)) or {}
        except yaml.YAMLError as exc:
            raise CorpusError(f"{source}: front matter is not valid YAML: {exc}") from exc
        if not isinstance(loaded, dict):
            raise CorpusError(f"{source}: front matter must be a YAML mapping of key: value lines")
        metadata = {str(k): str(v).strip() for k, v in loaded.items()}
        offset = fm.end()

    headings = [m for m in _HEADING.finditer(text, offset) if not text[m.start() : m.end()].startswith("#!")]
    blocks: list[tuple[str, int, int, int, int]] = []  # title, level, start, body_start, end
    if headings:
        first = headings[0]
        if text[offset : first.start()].strip():
            blocks.append((metadata.get("title") or default_title or "Introduction", 1, offset, offset, first.start()))
        for i, m in enumerate(headings):
            nxt = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            blocks.append((m.group(2).strip(), len(m.group(1)), m.start(), m.end(), nxt))
    else:
        for n, para in enumerate(_PARAGRAPH.finditer(text, offset), start=1):
            first_line = para.group().split("\n", 1)[0].strip()
            title = first_line if len(first_line) <= 80 else first_line[:77].rsplit(" ", 1)[0] + "…"
            blocks.append((title or f"Paragraph {n}", 2, para.start(), para.start(), para.end()))

    sections: list[Section] = []
    sentences: list[Sentence] = []
    used: dict[str, int] = {}
    for index, (title, level, start, body_start, end) in enumerate(blocks):
        anchor = slugify(title)
        if anchor in used:
            used[anchor] += 1
            anchor = f"{anchor}-{used[anchor]}"
        else:
            used[anchor] = 0
        start, end = _strip(text, start, end)
        sections.append(Section(source, index, title, anchor, level, start, end, max(body_start, start)))
        for s, e in split_sentences(text, max(body_start, start), end):
            sentences.append(Sentence(source, index, s, e, text[s:e]))

    title = metadata.get("title") or (sections[0].title if headings else default_title) or source
    return Document(source, title, text, metadata, tuple(sections), tuple(sentences))


def read_policy(path: Path, source: str | None = None) -> Document:
    """Read and parse one policy file (markdown or plain text)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read policy file {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    if "\r" in text:
        raise CorpusError(f"{path} has CR line endings; save it with LF endings so offsets stay exact")
    if not text.strip():
        raise CorpusError(f"{path} is empty")
    return parse_text(text, source or str(path), default_title=path.stem)
