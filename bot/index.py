"""Build, save and load the vector index: a raw FAISS file, JSON metadata and a manifest.

Nothing here unpickles: FAISS reads its own format, everything else is JSON. Each build goes into a
fresh folder and ``CURRENT`` is switched atomically, so a crash mid-build leaves the old index serving.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import Chunk, ChunkParams, chunk_document
from .embedding import Embedder, model_fingerprint
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .policy import Document, Section, Sentence

FORMAT = 1
_PACKAGES = ("faiss-cpu", "sentence-transformers", "torch", "pysbd", "bm25s", "onnxruntime")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


@dataclass(frozen=True)
class BuildReport:
    path: Path
    documents: int
    chunks: int
    embedded: int
    reused: int
    seconds: float


@dataclass(frozen=True)
class LoadedIndex:
    path: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    chunks: tuple[Chunk, ...]
    faiss_index: Any

    def document(self, source: str) -> Document:
        return self.documents[source]


def _packages() -> dict[str, str]:
    found = {}
    for name in _PACKAGES:
        with contextlib.suppress(pkg_metadata.PackageNotFoundError):
            found[name] = pkg_metadata.version(name)
    return found


def expected_fingerprint(documents: list[Document], model: str, params: ChunkParams) -> dict[str, Any]:
    """What a manifest must say for an index to serve these documents with this model and chunking."""
    return {
        "format": FORMAT,
        "embedding_model": model,
        "embedding_fingerprint": _cached_fingerprint(model),
        "chunking": asdict(params),
        "corpus": {d.source: sha256_bytes(d.text.encode("utf-8")) for d in documents},
    }


_FINGERPRINTS: dict[tuple[str, int, int], str] = {}


def _cached_fingerprint(model: str) -> str:
    weights = next(
        (Path(model) / n for n in ("model.safetensors", "pytorch_model.bin") if (Path(model) / n).is_file()), None
    )
    if weights is None:
        return model_fingerprint(model)
    stat = weights.stat()
    key = (str(weights), stat.st_size, stat.st_mtime_ns)
    if key not in _FINGERPRINTS:
        _FINGERPRINTS[key] = model_fingerprint(model)
    return _FINGERPRINTS[key]


def _doc_to_json(doc: Document) -> dict[str, Any]:
    return {
        "source": doc.source,
        "title": doc.title,
        "metadata": doc.metadata,
        "sections": [asdict(s) for s in doc.sections],
        "sentences": [[s.section, s.start, s.end] for s in doc.sentences],
    }


def _doc_from_json(data: dict[str, Any], text: str) -> Document:
    source = data["source"]
    sections = tuple(Section(**s) for s in data["sections"])
    sentences = tuple(Sentence(source, sec, s, e, text[s:e]) for sec, s, e in data["sentences"])
    return Document(source, data["title"], text, dict(data["metadata"]), sections, sentences)


def _previous_vectors(index_dir: Path) -> dict[str, np.ndarray]:
    """Vectors of the current build keyed by the hash of the text embedded, for incremental rebuilds."""
    try:
        old = load_index(index_dir)
    except Exception:
        return {}
    vectors = old.faiss_index.reconstruct_n(0, old.faiss_index.ntotal)
    return {sha256_bytes(c.embed_text.encode()): vectors[i] for i, c in enumerate(old.chunks)}


def build_index(documents: list[Document], embedder: Embedder, params: ChunkParams, index_dir: Path) -> BuildReport:
    """Chunk and embed ``documents`` and write a new build under ``index_dir``; switch CURRENT to it."""
    import faiss

    began = time.perf_counter()
    chunks: list[Chunk] = []
    for doc in documents:
        chunks.extend(chunk_document(doc, params, first_id=len(chunks)))
    if not chunks:
        raise IndexCorruptError("the corpus has no sentences to index")
    old = _previous_vectors(index_dir)
    keys = [sha256_bytes(c.embed_text.encode()) for c in chunks]
    missing = [i for i, k in enumerate(keys) if k not in old]
    fresh = embedder.encode([chunks[i].embed_text for i in missing]) if missing else np.zeros((0, 0), np.float32)
    dim = fresh.shape[1] if missing else next(iter(old.values())).shape[0]
    vectors = np.zeros((len(chunks), dim), dtype=np.float32)
    for row, i in enumerate(missing):
        vectors[i] = fresh[row]
    for i, k in enumerate(keys):
        if k in old:
            vectors[i] = old[k]
    faiss_index = faiss.IndexFlatIP(dim)
    faiss_index.add(vectors)

    build = index_dir / f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    build.mkdir(parents=True, exist_ok=False)
    faiss.write_index(faiss_index, str(build / "index.faiss"))
    meta = {"documents": [_doc_to_json(d) for d in documents], "chunks": [asdict(c) for c in chunks]}
    (build / "chunks.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    manifest = expected_fingerprint(documents, embedder.model_name, params) | {
        "dimension": dim,
        "chunks": len(chunks),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "packages": _packages(),
        "files": {n: sha256_file(build / n) for n in ("index.faiss", "chunks.json")},
    }
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    pointer = index_dir / "CURRENT.tmp"
    pointer.write_text(build.name, encoding="utf-8")
    os.replace(pointer, index_dir / "CURRENT")
    for stale in sorted(p for p in index_dir.glob("build-*") if p.is_dir() and p != build)[:-1]:
        shutil.rmtree(stale, ignore_errors=True)
    return BuildReport(
        build, len(documents), len(chunks), len(missing), len(chunks) - len(missing), time.perf_counter() - began
    )


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


def load_index(index_dir: Path, root: Path | None = None) -> LoadedIndex:
    """Load the current build, checking every file against the manifest's hashes."""
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
        documents[data["source"]] = _doc_from_json(data, text)
    chunks = tuple(Chunk(**{**c, "sentence_ids": tuple(c["sentence_ids"])}) for c in meta["chunks"])
    if faiss_index.ntotal != len(chunks) or faiss_index.d != manifest.get("dimension"):
        raise IndexCorruptError(f"{build}: FAISS holds {faiss_index.ntotal} vectors for {len(chunks)} chunks")
    return LoadedIndex(build, manifest, documents, chunks, faiss_index)
