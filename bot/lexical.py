"""BM25 over chunk texts (bm25s, with Snowball stemming). Small enough to build at load time."""

from __future__ import annotations

from typing import Any

import numpy as np


class LexicalIndex:
    def __init__(self, texts: list[str]) -> None:
        import logging

        import bm25s
        import Stemmer

        logging.getLogger("bm25s").setLevel(logging.WARNING)

        self._bm25s = bm25s
        self._stemmer: Any = Stemmer.Stemmer("english")
        self._model: Any = bm25s.BM25()
        self._size = len(texts)
        self._model.index(self._tokenize(texts), show_progress=False)

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        tokens = self._bm25s.tokenize(texts, stemmer=self._stemmer, return_ids=False, show_progress=False)
        return [list(t) for t in tokens]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros when no query term occurs)."""
        terms = self._tokenize([query])[0]
        if not terms:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._model.get_scores(terms), dtype=np.float32)
