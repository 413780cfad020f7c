"""Hybrid retrieval: dense (FAISS) and lexical (BM25) fused by reciprocal rank, then cross-encoder rerank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .chunking import Chunk
from .embedding import TextEncoder
from .expand import expand, spell_out
from .index import LoadedIndex
from .lexical import LexicalIndex
from .rerank import CrossEncoder


@dataclass(frozen=True)
class RetrievalParams:
    dense_k: int = 20
    lexical_k: int = 20
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    rerank_depth: int = 12
    expand: bool = True


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # the final ranking score: rerank logit when reranked, else the fused score
    dense: float | None
    dense_rank: int | None
    lexical: float | None
    lexical_rank: int | None
    fused: float
    rerank: float | None


def rrf(rankings: list[tuple[list[int], float]], k: int) -> dict[int, float]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the rankings an item is in."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


class Retriever:
    """Config in ``__init__``; ``warm_up`` loads the models; ``run`` answers one query."""

    def __init__(
        self, index: LoadedIndex, embedder: TextEncoder, reranker: CrossEncoder | None, params: RetrievalParams
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.reranker = reranker
        self.params = params
        self._lexical: LexicalIndex | None = None

    def warm_up(self) -> None:
        self.embedder.warm_up()
        if self.reranker is not None:
            self.reranker.warm_up()
        if self._lexical is None:
            self._lexical = LexicalIndex([c.embed_text for c in self.index.chunks])

    def embed(self, query: str) -> np.ndarray:
        """The query's embedding, shape (1, dimension)."""
        return self.embedder.encode([query])

    def dense(self, query: str, k: int, vector: np.ndarray | None = None) -> tuple[list[int], np.ndarray]:
        if vector is None:
            vector = self.embed(query)
        k = min(k, self.index.faiss_index.ntotal)
        scores, ids = self.index.faiss_index.search(vector, k)
        return [int(i) for i in ids[0] if i >= 0], scores[0]

    def search_query(self, query: str) -> str:
        """What dense and lexical retrieval search for ``query``: its expansion (itself when expansion is off)."""
        return expand(query) if self.params.expand else query

    def run(self, query: str, top_k: int = 5, vector: np.ndarray | None = None) -> list[Hit]:
        """The ``top_k`` best chunks for ``query`` (``vector``: the embedding of ``search_query(query)``, when
        already computed).

        Dense and lexical retrieval search the expanded query (acronyms spelled out, lay words mapped to
        policy words) against the chunk with its section title. The reranker reads the chunk's own text (with
        the title before it, hit@1 was lower on PolicyQA dev) against the query with its acronyms spelled out and,
        when lay words were mapped, also against the expanded query: the chunk's score is then the mean of both
        (casual questions gain most; measured in evals/README.md).
        """
        self.warm_up()
        assert self._lexical is not None
        p = self.params
        search = self.search_query(query)
        dense_ids, dense_scores = self.dense(search, p.dense_k, vector)
        lex_all = self._lexical.scores(search)
        lex_ids = [int(i) for i in np.argsort(-lex_all, kind="stable")[: p.lexical_k] if lex_all[i] > 0]
        fused = rrf([(dense_ids, p.dense_weight), (lex_ids, p.lexical_weight)], p.rrf_k)
        order = sorted(fused, key=lambda i: -fused[i])
        dense_at = {c: (float(dense_scores[r]), r + 1) for r, c in enumerate(dense_ids)}
        lex_at = {c: (float(lex_all[c]), r + 1) for r, c in enumerate(lex_ids)}
        rerank: dict[int, float] = {}
        if self.reranker is not None and p.rerank_depth > 0:
            head = order[: p.rerank_depth]
            rerank_query = spell_out(query) if self.params.expand else query
            texts = [self.index.chunks[i].text for i in head]
            logits = self.reranker.score(rerank_query, texts)
            if search != rerank_query:  # lay words mapped: the mean of the reranker's reading of both queries
                logits = (logits + self.reranker.score(search, texts)) / 2
            rerank = {c: float(s) for c, s in zip(head, logits, strict=True)}
            order = sorted(head, key=lambda i: -rerank[i]) + order[p.rerank_depth :]
        hits = []
        for c in order[:top_k]:
            d, dr = dense_at.get(c, (None, None))
            lx, lr = lex_at.get(c, (None, None))
            r = rerank.get(c)
            hits.append(Hit(self.index.chunks[c], r if r is not None else fused[c], d, dr, lx, lr, fused[c], r))
        return hits
