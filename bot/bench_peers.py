"""The LangChain peers of ``python -m bot bench``, over the same chunks and the same models as ours.

- **naive**: ``HuggingFaceEmbeddings`` (all-MiniLM-L6-v2, sentence-transformers) and an in-memory ``FAISS`` store,
  ``similarity_search(k=top_k)``: no reranking, far lower quality.
- **quality-matched**: the same store's retriever (``k=rerank_depth``) inside a ``ContextualCompressionRetriever``
  whose ``CrossEncoderReranker`` keeps the ``top_k`` best by *our* cross-encoder (``SameCrossEncoder``: the
  packaged int8 ms-marco-MiniLM-L-12 ONNX through ``bot.rerank.CrossEncoder``, same threads and batching, no
  score cache), so "ours vs peer" is also read at equal quality.

Importing this module imports LangChain (``ImportError`` when the ``bench`` extra is not installed).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

with warnings.catch_warnings():  # langchain-community announces its sunset on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from langchain_classic.retrievers import ContextualCompressionRetriever
    from langchain_classic.retrievers.document_compressors import CrossEncoderReranker
    from langchain_community.cross_encoders import BaseCrossEncoder
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
from langchain_huggingface import HuggingFaceEmbeddings

from .bench import first_hit
from .bench_report import Latency, percentiles
from .rerank import CrossEncoder
from .settings import Settings

NAIVE = "langchain-huggingface HuggingFaceEmbeddings + langchain-community FAISS similarity_search"
MATCHED = "the same FAISS retriever (k = rerank depth) + langchain-classic CrossEncoderReranker over our cross-encoder"


@dataclass(frozen=True)
class PeerRun:
    """One peer's latency per question and its hit@1 over the answerable questions."""

    latency: Latency
    hit1: float


class SameCrossEncoder(BaseCrossEncoder):
    """LangChain's cross-encoder interface around ``bot.rerank.CrossEncoder``: the logits our pipeline reads."""

    def __init__(self, model: CrossEncoder) -> None:
        self.model = model

    def score(self, text_pairs: list[tuple[str, str]]) -> list[float]:
        """The logit of each (query, passage) pair, in the order given (pairs grouped by query for the model)."""
        scores = [0.0] * len(text_pairs)
        by_query: dict[str, list[int]] = {}
        for i, (query, _) in enumerate(text_pairs):
            by_query.setdefault(query, []).append(i)
        for query, rows in by_query.items():
            logits = self.model.score(query, [text_pairs[i][1] for i in rows])
            for i, logit in zip(rows, logits, strict=True):
                scores[i] = float(logit)
        return scores


def store(settings: Settings) -> FAISS:
    """The chunks of the built index in an in-memory FAISS store, embedded by ``HuggingFaceEmbeddings``."""
    from .index_read import load_index

    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    chunks = load_index(settings.resolved_index_dir(), settings.root).chunks
    embeddings = HuggingFaceEmbeddings(
        model_name=settings.embedding_model,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )
    return FAISS.from_texts(
        [c.embed_text for c in chunks], embeddings, metadatas=[{"section": c.section_title} for c in chunks]
    )


def matched_retriever(settings: Settings, faiss: FAISS) -> ContextualCompressionRetriever:
    """Dense top ``rerank_depth`` from ``faiss``, reranked by our cross-encoder, the best ``top_k`` kept."""
    model = CrossEncoder(
        settings.reranker_dir, threads=settings.model_threads, batch_size=settings.rerank_batch, cache_size=0
    )
    model.warm_up()
    return ContextualCompressionRetriever(
        base_compressor=CrossEncoderReranker(model=SameCrossEncoder(model), top_n=settings.top_k),
        base_retriever=faiss.as_retriever(search_kwargs={"k": settings.rerank_depth}),
    )


def measure(search: Any, cases: Sequence[Any]) -> PeerRun:
    """``search(question) -> documents`` timed per question (after three untimed ones), and its hit@1."""
    for case in cases[:3]:  # first runs allocate; not timed
        search(case.question)
    times, hits, answerable = [], 0, 0
    for case in cases:
        began = time.perf_counter()
        docs: list[Document] = search(case.question)
        times.append(time.perf_counter() - began)
        if case.answerable:
            answerable += 1
            hits += first_hit([d.metadata["section"] for d in docs], case.sections)
    return PeerRun(percentiles(times), hits / answerable if answerable else float("nan"))


def run_peers(settings: Settings, cases: Sequence[Any]) -> tuple[PeerRun, PeerRun]:
    """(naive, quality-matched), over one store built from the index of ``settings``."""
    faiss = store(settings)
    naive = measure(lambda q: faiss.similarity_search(q, k=settings.top_k), cases)
    matched = measure(matched_retriever(settings, faiss).invoke, cases)
    return naive, matched
