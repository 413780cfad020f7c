"""Hybrid retrieval: dense (FAISS) and lexical (BM25) fused by reciprocal rank, then cross-encoder rerank."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from .cascade import PairScorer
from .chunking import Chunk
from .embedding import TextEncoder
from .expand import expand, spell_out
from .index_read import LoadedIndex
from .lexical import LexicalIndex
from .neighbours import NO_VOTE, Vote


@dataclass(frozen=True)
class RetrievalParams:
    dense_k: int = 20
    lexical_k: int = 20
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    rerank_depth: int = 12
    expand: bool = True
    vote_weight: float = 0.0  # how much the example vote adds to a chunk's reranker logit (0: the vote is ignored)
    vote_floor: float = 0.2  # a section with this share of the vote is reranked even when retrieval missed it
    rerank_first: int = 0  # adaptive depth: rerank these first; the rest only when nothing reaches settle_score
    settle_score: float = float("inf")


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
    vote: float = 0.0  # the share of the example vote for this chunk's section


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
        self, index: LoadedIndex, embedder: TextEncoder, reranker: PairScorer | None, params: RetrievalParams
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

    def run(
        self,
        query: str,
        top_k: int = 5,
        vector: np.ndarray | None = None,
        vote: Vote = NO_VOTE,
        scope: Collection[str] | None = None,
    ) -> list[Hit]:
        """The ``top_k`` best chunks for ``query`` (``vector``: the embedding of ``search_query(query)``, when
        already computed).

        Dense and lexical retrieval search the expanded query (acronyms spelled out, lay words mapped to
        policy words) against the chunk with its section title. The reranker reads the chunk's own text (with
        the title before it, hit@1 was lower on PolicyQA dev) against the query with its acronyms spelled out and,
        when lay words were mapped, also against the expanded query: the chunk's score is then the mean of both
        (casual questions gain most; measured in evals/README.md).

        ``vote``: the nearest labelled examples' vote (bot/neighbours.py). A section with at least ``vote_floor`` of
        it has its best chunk reranked even when dense and BM25 missed it, and every reranked chunk's score gains
        ``vote_weight`` times its section's share of the vote.

        ``scope``: the documents whose chunks may be returned (None: every document).
        """
        self.warm_up()
        assert self._lexical is not None
        p = self.params
        search = self.search_query(query)
        inside = self._inside(scope)
        dense_k = p.dense_k if inside is None else self.index.faiss_index.ntotal
        dense_ids, dense_scores = self.dense(search, dense_k, vector)
        lex_all = self._lexical.scores(search)
        if inside is not None:
            dense_ids, dense_scores = self._kept(dense_ids, dense_scores, inside, p.dense_k)
            lex_all = np.where(inside, lex_all, 0.0)
        lex_ids = [int(i) for i in np.argsort(-lex_all, kind="stable")[: p.lexical_k] if lex_all[i] > 0]
        fused = rrf([(dense_ids, p.dense_weight), (lex_ids, p.lexical_weight)], p.rrf_k)
        order = sorted(fused, key=lambda i: -fused[i])
        dense_at = {c: (float(dense_scores[r]), r + 1) for r, c in enumerate(dense_ids)}
        lex_at = {c: (float(lex_all[c]), r + 1) for r, c in enumerate(lex_ids)}
        voted = {c: vote.section(self.index.chunks[c].source, self.index.chunks[c].section) for c in fused}
        rerank, final = self._rerank(query, search, order, fused, voted, vote)
        order = sorted(final, key=lambda i: -final[i]) + [c for c in order if c not in final]
        hits = []
        for c in order[:top_k]:
            d, dr = dense_at.get(c, (None, None))
            lx, lr = lex_at.get(c, (None, None))
            r = rerank.get(c)
            score = final.get(c, fused.get(c, 0.0))
            hits.append(
                Hit(
                    chunk=self.index.chunks[c],
                    score=score,
                    dense=d,
                    dense_rank=dr,
                    lexical=lx,
                    lexical_rank=lr,
                    fused=fused.get(c, 0.0),
                    rerank=r,
                    vote=voted.get(c, 0.0),
                )
            )
        return hits

    def _rerank(
        self, query: str, search: str, order: list[int], fused: dict[int, float], voted: dict[int, float], vote: Vote
    ) -> tuple[dict[int, float], dict[int, float]]:
        """The reranker's logit of the head of ``order`` (plus the voted sections' best chunks), and each one's final
        score: the logit plus ``vote_weight`` times its section's share of the vote. Empty without a reranker."""
        p = self.params
        if self.reranker is None or p.rerank_depth <= 0:
            return {}, {}
        head = order[: p.rerank_depth]
        # adaptive depth where the example bank votes (its settle_score was fitted with the vote; a document without
        # a bank, PolicyQA's, is always read to the whole depth)
        adaptive = 0 < p.rerank_first < len(head) and bool(vote.neighbours)
        first = head[: p.rerank_first] if adaptive else head
        if p.vote_weight > 0:
            first += self._voted_chunks(vote, head, fused, voted)
        rerank = self._logits(query, search, first, voted)
        final = {c: rerank[c] + p.vote_weight * voted.get(c, 0.0) for c in first}
        rest = [c for c in head if c not in final]
        if rest and max(final.values()) < p.settle_score:  # not settled: read the rest of the depth too
            rerank |= self._logits(query, search, rest, voted)
            final |= {c: rerank[c] + p.vote_weight * voted.get(c, 0.0) for c in rest}
        return rerank, final

    def _logits(self, query: str, search: str, chunks: list[int], voted: dict[int, float]) -> dict[int, float]:
        """The reranker's logit of each chunk: for the query with acronyms spelled out and, when lay words were
        mapped, also for the search query (the mean of both readings). A cascade settles on the logit plus the
        vote's part (``voted``: each chunk's section's share)."""
        assert self.reranker is not None
        rerank_query = spell_out(query) if self.params.expand else query
        texts = [self.index.chunks[i].text for i in chunks]
        prior = np.array([self.params.vote_weight * voted.get(c, 0.0) for c in chunks], dtype=np.float32)
        logits = self.reranker.score(rerank_query, texts, prior)
        if search != rerank_query:
            logits = (logits + self.reranker.score(search, texts, prior)) / 2
        return {c: float(s) for c, s in zip(chunks, logits, strict=True)}

    def _inside(self, scope: Collection[str] | None) -> np.ndarray | None:
        """A mask of the chunks of ``scope``'s documents; None when every chunk may answer."""
        if scope is None:
            return None
        mask = np.array([c.source in scope for c in self.index.chunks], dtype=bool)
        return None if mask.all() else mask

    @staticmethod
    def _kept(ids: list[int], scores: np.ndarray, inside: np.ndarray, k: int) -> tuple[list[int], np.ndarray]:
        """The first ``k`` of ``ids`` (and their scores) that ``inside`` holds."""
        at = [r for r, c in enumerate(ids) if inside[c]][:k]
        return [ids[r] for r in at], scores[at]

    def _voted_chunks(self, vote: Vote, head: list[int], fused: dict[int, float], voted: dict[int, float]) -> list[int]:
        """The best chunk of each section with at least ``vote_floor`` of the vote that ``head`` does not hold yet
        (by fused rank, else the section's first chunk); ``fused`` and ``voted`` gain them."""
        have = {(self.index.chunks[c].source, self.index.chunks[c].section) for c in head}
        extra = []
        for key, share in vote.sections.items():
            if share < self.params.vote_floor or key in have:
                continue
            ids = [c.id for c in self.index.chunks if (c.source, c.section) == key]
            if not ids:
                continue
            best = max(ids, key=lambda c: (fused.get(c, 0.0), -c))
            fused.setdefault(best, 0.0)
            voted[best] = share
            extra.append(best)
        return extra
