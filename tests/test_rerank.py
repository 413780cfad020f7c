"""The cross-encoder with the real int8 model: per-pair scores are independent, cached, and agree with batching."""

from __future__ import annotations

import numpy as np
import pytest

from bot.rerank import CrossEncoder

QUERY = "Do you sell my personal information?"
PASSAGES = [
    "Disclosure of Personal Information: We do not sell, rent or lease your personal information to third parties.",
    "Cookies: We use cookies to remember your preferences.",
    "Children: The Company does not knowingly collect information from any person under the age of 13.",
]


def test_a_pair_scores_the_same_alone_or_with_others(reranker_dir: str) -> None:
    single = CrossEncoder(reranker_dir, batch_size=1, cache_size=0)
    together = single.score(QUERY, PASSAGES)
    alone = [single.score(QUERY, [p])[0] for p in PASSAGES]
    assert together.tolist() == alone
    assert int(np.argmax(together)) == 0


def test_batched_scores_rank_like_single_ones(reranker_dir: str) -> None:
    batched = CrossEncoder(reranker_dir, batch_size=16).score(QUERY, PASSAGES)
    single = CrossEncoder(reranker_dir, batch_size=1).score(QUERY, PASSAGES)
    assert np.argsort(-batched).tolist() == np.argsort(-single).tolist()
    assert batched == pytest.approx(single, abs=1.0)  # one shared int8 activation scale per batch
    one = CrossEncoder(reranker_dir, batch_size=16).score(QUERY, PASSAGES[:1])
    assert one[0] == single[0]  # a batch of one has no padding: exactly the single score


def test_cached_scores_come_back_in_order(reranker_dir: str) -> None:
    reranker = CrossEncoder(reranker_dir, batch_size=1, cache_size=2)
    first = reranker.score(QUERY, PASSAGES)
    again = reranker.score(QUERY, [PASSAGES[2], PASSAGES[1], PASSAGES[0], PASSAGES[0]])
    assert again.tolist() == [first[2], first[1], first[0], first[0]]
    assert len(reranker._cache) == 2


def test_long_passages_are_cut_not_rejected(reranker_dir: str) -> None:
    scores = CrossEncoder(reranker_dir, max_length=256).score(QUERY, ["privacy " * 3000, ""])
    assert np.isfinite(scores).all()
    assert CrossEncoder(reranker_dir).score(QUERY, []).shape == (0,)


def test_batch_size_must_be_positive(reranker_dir: str) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        CrossEncoder(reranker_dir, batch_size=0)
