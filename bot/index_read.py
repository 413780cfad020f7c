"""Read a built index back: check every file against the manifest's hashes, then load the documents, chunks,
FAISS index and example bank (``LoadedIndex``). ``bot.index`` writes what this reads.

Nothing here unpickles: FAISS reads its own format, everything else is JSON. A file that does not match its hash,
an offset that does not match the policy's text, or a policy changed since the build is an error that names the
remedy (``bot.errors``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import Chunk
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .examples import Example, example_from_json
from .policy import Document, Section, Sentence

# the banks' examples, their vectors, and the vectors of the follow-up examples' own turns read alone
EXAMPLES = ("examples.json", "examples.faiss", "example-turns.faiss")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:  # streamed: the query encoder is ~90 MB
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadedIndex:
    """One build read back and checked: the policies, their chunks and vectors, and the example bank."""

    path: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    chunks: tuple[Chunk, ...]
    faiss_index: Any
    examples: tuple[Example, ...] = ()
    example_index: Any = None  # FAISS inner-product index over the examples' questions, row i = examples[i]
    example_turns: dict[int, np.ndarray] = field(default_factory=dict)  # row -> a follow-up's own turn, embedded

    def document(self, source: str) -> Document:
        return self.documents[source]


def doc_from_json(data: dict[str, Any], text: str) -> Document:
    source = data["source"]
    sections = tuple(Section(**s) for s in data["sections"])
    sentences = tuple(Sentence(source, sec, s, e, text[s:e]) for sec, s, e in data["sentences"])
    return Document(source, data["title"], text, dict(data["metadata"]), sections, sentences)


def chunk_from_json(c: dict[str, Any]) -> Chunk:
    return Chunk(**{**c, "sentence_ids": tuple(c["sentence_ids"])})


def current_build(index_dir: Path) -> Path:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        raise IndexMissingError(f"no index in {index_dir}; build it with `python -m bot index`")
    build = index_dir / pointer.read_text(encoding="utf-8").strip()
    if not build.is_dir():
        raise IndexCorruptError(f"{pointer} names {build.name}, which does not exist")
    return build


def read_manifest(index_dir: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((current_build(index_dir) / "manifest.json").read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"unreadable index manifest in {index_dir}: {exc}") from exc


def check_fresh(manifest: dict[str, Any], expected: dict[str, Any]) -> None:
    """Raise IndexStaleError naming what differs between a manifest and the configured corpus/model."""
    diffs = [key for key, value in expected.items() if manifest.get(key) != value]
    if diffs:
        detail = ", ".join(diffs)
        raise IndexStaleError(f"the index was built from a different {detail}; rebuild it with `python -m bot index`")


def read_build(index_dir: Path) -> tuple[Path, dict[str, Any], dict[str, Any], Any]:
    """(build folder, manifest, chunk metadata, FAISS index) of the current build, files checked, corpus unread."""
    import faiss

    build = current_build(index_dir)
    manifest = read_manifest(index_dir)
    try:
        for name, digest in manifest["files"].items():
            if sha256_file(build / name) != digest:
                raise IndexCorruptError(f"{build / name} does not match its manifest hash; rebuild the index")
        meta = json.loads((build / "chunks.json").read_text(encoding="utf-8"))
        faiss_index = faiss.read_index(str(build / "index.faiss"))
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexCorruptError(f"damaged index in {build}: {exc}") from exc
    return build, manifest, meta, faiss_index


def _check_offsets(build: Path, documents: dict[str, Document], chunks: tuple[Chunk, ...]) -> None:
    """Every chunk must be its text at its offsets, and every sentence inside its section."""
    for chunk in chunks:
        doc = documents.get(chunk.source)
        if doc is None or doc.text[chunk.start : chunk.end] != chunk.text:
            raise IndexCorruptError(f"{build}: chunk {chunk.id} does not match {chunk.source} at its offsets")
    for doc in documents.values():
        for s in doc.sentences:
            sec = doc.sections[s.section] if 0 <= s.section < len(doc.sections) else None
            if sec is None or not sec.start <= s.start < s.end <= sec.end:
                raise IndexCorruptError(f"{build}: a sentence of {doc.source} lies outside its section")


def load_index(index_dir: Path, root: Path | None = None) -> LoadedIndex:
    """Load the current build, checking every file against the manifest's hashes."""
    build, manifest, meta, faiss_index = read_build(index_dir)
    base = root or Path.cwd()
    documents: dict[str, Document] = {}
    for data in meta["documents"]:
        path = Path(data["source"])
        path = path if path.is_absolute() else base / path
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise IndexStaleError(f"indexed policy {data['source']} cannot be read: {exc}") from exc
        if sha256_bytes(text.encode("utf-8")) != manifest["corpus"].get(data["source"]):
            raise IndexStaleError(f"{data['source']} changed since the index was built; rebuild it")
        documents[data["source"]] = doc_from_json(data, text)
    chunks = tuple(chunk_from_json(c) for c in meta["chunks"])
    _check_offsets(build, documents, chunks)
    if faiss_index.ntotal != len(chunks) or faiss_index.d != manifest.get("dimension"):
        raise IndexCorruptError(f"{build}: FAISS holds {faiss_index.ntotal} vectors for {len(chunks)} chunks")
    examples, example_index, turns = _read_examples(build, manifest, documents)
    return LoadedIndex(build, manifest, documents, chunks, faiss_index, examples, example_index, turns)


def _read_examples(
    build: Path, manifest: dict[str, Any], documents: dict[str, Document]
) -> tuple[tuple[Example, ...], Any, dict[int, np.ndarray]]:
    """The banks' examples, their FAISS index and their follow-up turns' vectors, when the build has any (their
    files were hash-checked)."""
    if EXAMPLES[0] not in manifest.get("files", {}):
        return (), None, {}
    import faiss

    try:
        data = json.loads((build / EXAMPLES[0]).read_text(encoding="utf-8"))
        examples = tuple(example_from_json(e) for e in data["examples"])
        example_index = faiss.read_index(str(build / EXAMPLES[1]))
        rows = [int(r) for r in data["turn_rows"]]
        turn_index = faiss.read_index(str(build / EXAMPLES[2]))
        if turn_index.ntotal != len(rows) or not all(0 <= r < len(examples) for r in rows):
            raise ValueError(f"{turn_index.ntotal} turn vectors for {len(rows)} follow-up examples")
        turns = dict(zip(rows, turn_index.reconstruct_n(0, len(rows)) if rows else [], strict=True))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"damaged example bank in {build}: {exc}") from exc
    for e in examples:
        doc = documents.get(e.source)
        if doc is None or (e.answerable and not 0 <= e.section < len(doc.sections)):
            raise IndexCorruptError(f"{build}: example {e.id} points outside its document")
        if e.sentence >= 0 and (e.sentence >= len(doc.sentences) or doc.sentences[e.sentence].section != e.section):
            raise IndexCorruptError(f"{build}: example {e.id} points to a sentence outside its section")
    if example_index.ntotal != len(examples) or example_index.d != manifest.get("dimension"):
        raise IndexCorruptError(f"{build}: the example index holds {example_index.ntotal} vectors")
    return examples, example_index, turns
