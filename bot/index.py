"""Build and save the vector index: a raw FAISS file, JSON metadata and a manifest (``bot.index_read`` loads it).

FAISS writes its own format, everything else is JSON. Each build goes into a
fresh folder and ``CURRENT`` is switched atomically, so a crash mid-build leaves the old index serving.

A rebuild reuses the previous build's vector of every chunk whose text is unchanged (same embedding
model only), and reports which sections were added, changed or removed since that build, comparing
a content hash of each section with the hashes stored in the previous build's metadata.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import Chunk, ChunkParams, chunk_document
from .diff import section_hash
from .embedding import Embedder, model_fingerprint
from .errors import BotError, IndexCorruptError
from .examples import Bank, Example, example_to_json
from .index_read import EXAMPLES, chunk_from_json, read_build, sha256_bytes, sha256_file
from .onnx_embed import ENCODER_DIR, read_spec, write_query_encoder
from .onnx_embed import RECIPE as ENCODER_RECIPE
from .policy import Document
from .vector_cache import VectorCache

FORMAT = 6  # 2: the ONNX query encoder (bot/onnx_embed.py); 3: list items and cut sentences joined; 4: example banks;
# 5: bank questions read with a misspelled owner name made neutral too (bot/lifecycle.py prepare); 6: a follow-up
# example's own turn embedded too (bot/neighbours.py)
_PACKAGES = ("faiss-cpu", "sentence-transformers", "torch", "onnx", "pysbd", "bm25s", "onnxruntime", "tokenizers")


@dataclass(frozen=True)
class SectionChange:
    """A section that differs from the previous build; sections are matched by (source, anchor)."""

    status: str  # "added" | "changed" | "removed"
    source: str
    title: str
    anchor: str
    chunks: int = 0  # its chunks in the new build (0 when removed)
    embedded: int = 0  # of those, how many were embedded afresh (the others reused their vectors)


@dataclass(frozen=True)
class BuildReport:
    path: Path
    documents: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    sections: int = 0
    unchanged: int = 0  # sections whose content hash is the same as in the previous build
    changes: tuple[SectionChange, ...] = ()
    previous: str | None = None  # the build compared against; None when there was none to compare with
    examples: int = 0  # labelled examples indexed from the banks
    stale_examples: tuple[tuple[str, str], ...] = ()  # (id, why) of bank examples left out

    def with_status(self, status: str) -> tuple[SectionChange, ...]:
        return tuple(c for c in self.changes if c.status == status)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``python -m bot index --json``: the counts, then the section changes by status."""
        data = asdict(self) | {"path": str(self.path), "seconds": round(self.seconds, 2)}
        data["changes"] = {k: [asdict(c) for c in self.with_status(k)] for k in ("added", "changed", "removed")}
        return data


def _packages() -> dict[str, str]:
    found = {}
    for name in _PACKAGES:
        with contextlib.suppress(pkg_metadata.PackageNotFoundError):
            found[name] = pkg_metadata.version(name)
    return found


def expected_fingerprint(
    corpus: dict[str, str], model: str, params: ChunkParams, banks: dict[str, str | None] | None = None
) -> dict[str, Any]:
    """What a manifest must say for an index to serve ``corpus`` (source -> sha256 of the file's bytes) and its
    example ``banks`` (source -> sha256 of the bank file, None when the document has none)."""
    return {
        "format": FORMAT,
        "embedding_model": model,
        "embedding_fingerprint": _cached_fingerprint(model),
        "query_encoder_recipe": ENCODER_RECIPE,
        "chunking": asdict(params),
        "corpus": corpus,
        "banks": banks if banks is not None else dict.fromkeys(corpus),
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
        "section_hashes": [section_hash(doc, s) for s in doc.sections],
        "sentences": [[s.section, s.start, s.end] for s in doc.sentences],
    }


Sections = dict[tuple[str, str], tuple[str, str]]  # (source, anchor) -> (title, content hash)


def _previous(index_dir: Path, fingerprint: str) -> tuple[str, dict[str, np.ndarray], Sections | None] | None:
    """(name, vectors by the hash of the text embedded, sections) of the current build, or None when unusable.

    Read without the corpus, which may have changed since. Vectors are reused only from the same embedding model;
    ``sections`` is None for builds made before section hashes were stored.
    """
    try:
        build, manifest, meta, faiss_index = read_build(index_dir)
        chunks = [chunk_from_json(c) for c in meta["chunks"]]
        vectors: dict[str, np.ndarray] = {}
        if manifest.get("embedding_fingerprint") == fingerprint and faiss_index.ntotal == len(chunks):
            matrix = faiss_index.reconstruct_n(0, faiss_index.ntotal)
            vectors = {sha256_bytes(c.embed_text.encode()): matrix[i] for i, c in enumerate(chunks)}
            if (build / EXAMPLES[1]).is_file():  # the examples' vectors, keyed the same way by the text embedded
                import faiss

                data = json.loads((build / EXAMPLES[0]).read_text(encoding="utf-8"))
                for texts, name in ((data["texts"], EXAMPLES[1]), (data.get("turn_texts", []), EXAMPLES[2])):
                    if texts:
                        rows = faiss.read_index(str(build / name)).reconstruct_n(0, len(texts))
                        vectors.update({sha256_bytes(t.encode()): rows[i] for i, t in enumerate(texts)})
        sections: Sections | None = {}
        for doc in meta["documents"]:
            if sections is None or "section_hashes" not in doc:
                sections = None
                continue
            for sec, digest in zip(doc["sections"], doc["section_hashes"], strict=True):
                sections[(doc["source"], sec["anchor"])] = (sec["title"], digest)
    except (BotError, KeyError, TypeError, ValueError, RuntimeError):
        return None
    return build.name, vectors, sections


def _section_changes(
    documents: list[Document], before: Sections, chunks: list[Chunk], fresh: set[int]
) -> tuple[list[SectionChange], int]:
    """(the added and changed sections in corpus order, then the removed ones; how many are unchanged)."""
    remaining = dict(before)
    counts: dict[tuple[str, str], tuple[int, int]] = {}  # (chunks, embedded)
    for i, c in enumerate(chunks):
        n, e = counts.get((c.source, c.anchor), (0, 0))
        counts[(c.source, c.anchor)] = (n + 1, e + (i in fresh))
    changes, unchanged = [], 0
    for doc in documents:
        for sec in doc.sections:
            key = (doc.source, sec.anchor)
            old = remaining.pop(key, None)
            if old is not None and old[1] == section_hash(doc, sec):
                unchanged += 1
                continue
            n, e = counts.get(key, (0, 0))
            changes.append(
                SectionChange("added" if old is None else "changed", doc.source, sec.title, sec.anchor, n, e)
            )
    changes += [SectionChange("removed", src, title, anchor) for (src, anchor), (title, _) in remaining.items()]
    return changes, unchanged


def _embed(texts: list[str], embedder: Embedder, old: dict[str, np.ndarray]) -> tuple[np.ndarray, set[int]]:
    """The vectors of ``texts``, reusing ``old`` (by the hash of the text) and embedding the rest, which are added to
    ``old``; (vectors, fresh)."""
    keys = [sha256_bytes(t.encode()) for t in texts]
    missing = [i for i, k in enumerate(keys) if k not in old]
    fresh = embedder.encode([texts[i] for i in missing]) if missing else np.zeros((0, 0), np.float32)
    old.update((keys[i], fresh[row]) for row, i in enumerate(missing))
    dim = fresh.shape[1] if missing else next(iter(old.values())).shape[0]
    vectors = np.zeros((len(texts), dim), dtype=np.float32)
    for row, i in enumerate(missing):
        vectors[i] = fresh[row]
    for i, k in enumerate(keys):
        if k in old:
            vectors[i] = old[k]
    return vectors, set(missing)


def _write_examples(
    build: Path,
    examples: list[Example],
    texts: list[tuple[str, str | None]],
    embedder: Embedder,
    old: dict[str, np.ndarray],
    dim: int,
) -> None:
    """The bank examples' vectors (reused by text hash from ``old``), their follow-up turns' and their data, into
    ``build``. ``texts``: per example, (the question as read, the follow-up's own turn read alone or None)."""
    import faiss

    turn_rows = [i for i, (_, turn) in enumerate(texts) if turn is not None]
    turn_texts = [str(texts[i][1]) for i in turn_rows]
    for name, embedded in ((EXAMPLES[1], [t for t, _ in texts]), (EXAMPLES[2], turn_texts)):
        vectors, _ = _embed(embedded, embedder, old) if embedded else (np.zeros((0, dim), np.float32), set())
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors)
        faiss.write_index(flat, str(build / name))
    data = {
        "examples": [example_to_json(e) for e in examples],
        "texts": [t for t, _ in texts],
        "turn_rows": turn_rows,
        "turn_texts": turn_texts,
    }
    (build / EXAMPLES[0]).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _switch_to(index_dir: Path, build: Path) -> None:
    """Point CURRENT at ``build`` atomically; keep one earlier build (a reader may still hold it), drop the rest."""
    pointer = index_dir / "CURRENT.tmp"
    pointer.write_text(build.name, encoding="utf-8")
    os.replace(pointer, index_dir / "CURRENT")
    for stale in sorted(p for p in index_dir.glob("build-*") if p.is_dir() and p != build)[:-1]:
        shutil.rmtree(stale, ignore_errors=True)


def build_index(
    documents: list[Document],
    embedder: Embedder,
    params: ChunkParams,
    index_dir: Path,
    banks: Sequence[Bank] = (),
    example_text: Callable[[Example], tuple[str, str | None]] = lambda e: (e.question, None),
    cache: VectorCache | None = None,
) -> BuildReport:
    """Chunk and embed ``documents`` (and the examples of their ``banks``, each as ``example_text`` says) and write
    a new build under ``index_dir``; switch CURRENT to it. A text whose vector the previous build or the ``cache``
    holds is not embedded again."""
    import faiss

    began = time.perf_counter()
    chunks: list[Chunk] = []
    for doc in documents:
        chunks.extend(chunk_document(doc, params, first_id=len(chunks)))
    if not chunks:
        raise IndexCorruptError("the corpus has no sentences to index")
    fingerprint = _cached_fingerprint(embedder.model_name)
    name, old, before = _previous(index_dir, fingerprint) or (None, {}, None)
    examples = [e for b in banks for e in b.examples]
    example_texts = [example_text(e) for e in examples]
    texts = [c.embed_text for c in chunks] + [t for pair in example_texts for t in pair if t is not None]
    needed = {sha256_bytes(t.encode()) for t in texts}
    kept = cache.get(fingerprint, sorted(needed - old.keys())) if cache is not None else {}
    old |= kept
    vectors, fresh = _embed([c.embed_text for c in chunks], embedder, old)
    dim = vectors.shape[1]
    faiss_index = faiss.IndexFlatIP(dim)
    faiss_index.add(vectors)

    build = index_dir / f"build-{datetime.now().strftime('%Y%m%dT%H%M%S.%f')}-{os.getpid()}"
    build.mkdir(parents=True, exist_ok=False)
    faiss.write_index(faiss_index, str(build / "index.faiss"))
    written = ["index.faiss", "chunks.json"]
    if examples:
        _write_examples(build, examples, example_texts, embedder, old, dim)
        written += EXAMPLES
    if cache is not None:
        cache.put(fingerprint, {k: old[k] for k in needed - kept.keys() if k in old})
    earlier = tuple(p / ENCODER_DIR for p in sorted(index_dir.glob("build-*"), reverse=True) if p != build)
    kept_encoder = cache.encoder_folder(fingerprint) if cache is not None else None
    reuse = earlier if kept_encoder is None else (*earlier, kept_encoder)
    encoder = write_query_encoder(embedder, fingerprint, build / ENCODER_DIR, reuse)
    if cache is not None and kept_encoder is not None:
        cache.keep_folder(build / ENCODER_DIR, kept_encoder, intact=lambda folder: read_spec(folder) is not None)
    meta = {"documents": [_doc_to_json(d) for d in documents], "chunks": [asdict(c) for c in chunks]}
    (build / "chunks.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    corpus = {d.source: sha256_bytes(d.text.encode("utf-8")) for d in documents}
    digests = {b.source: b.digest for b in banks}
    bank_digests = {d.source: digests.get(d.source) for d in documents}
    manifest = expected_fingerprint(corpus, embedder.model_name, params, bank_digests) | {
        "dimension": dim,
        "chunks": len(chunks),
        "examples": len(examples),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "packages": _packages(),
        "query_encoder": {"path": ENCODER_DIR, "min_cosine": encoder["min_cosine"]},
        "files": {n: sha256_file(build / n) for n in written}
        | {f"{ENCODER_DIR}/{n}": digest for n, digest in encoder["files"].items()},
    }
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    _switch_to(index_dir, build)
    changes, unchanged = _section_changes(documents, before or {}, chunks, fresh)
    counts = (len(documents), len(chunks), len(fresh), len(chunks) - len(fresh), time.perf_counter() - began)
    total = sum(len(d.sections) for d in documents)
    compared = name if before is not None else None
    stale_examples = tuple(s for b in banks for s in b.stale)
    return BuildReport(build, *counts, total, unchanged, tuple(changes), compared, len(examples), stale_examples)
