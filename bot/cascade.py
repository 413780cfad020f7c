"""A reranking cascade: a small distilled cross-encoder reads every pair, the teacher only the student's best few.

The student (``bot/data/reranker-small``, ``scripts/train_reranker.py``) learnt the teacher's logits, so its scores
stand on the teacher's scale: the vote weights and the calibrated confidence, fitted on that scale, keep their
meaning. ``teacher_top`` of each call's passages (the student's best) are read again by the teacher and carry its
logit, unless the best leads the second by ``margin`` or more (the ranking is settled), judged on the student's
logit plus what the caller adds before it ranks (the example vote's part); with ``teacher_top`` 0 the student
alone answers. Same interface as ``CrossEncoder``: ``warm_up`` and ``score``.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .rerank import CrossEncoder


class PairScorer(Protocol):
    """What retrieval and quoting need of a reranker."""

    def warm_up(self) -> None: ...

    def score(self, query: str, passages: list[str], prior: np.ndarray | None = None) -> np.ndarray: ...


class Cascade:
    """Config in ``__init__``; ``warm_up`` loads both models; ``score`` as ``CrossEncoder.score``."""

    def __init__(
        self, student: CrossEncoder, teacher: CrossEncoder | None, teacher_top: int = 1, margin: float = float("inf")
    ) -> None:
        if teacher_top < 0:
            raise ValueError("teacher_top must be 0 or more")
        self.student = student
        self.teacher = teacher
        self.teacher_top = teacher_top if teacher is not None else 0
        self.margin = margin

    def warm_up(self) -> None:
        self.student.warm_up()
        if self.teacher is not None and self.teacher_top:
            self.teacher.warm_up()

    def score(self, query: str, passages: list[str], prior: np.ndarray | None = None) -> np.ndarray:
        """The logit of each passage for ``query``: the teacher's for the ``teacher_top`` best (unless settled),
        the student's for the rest. ``prior``: what the caller adds to each logit before it ranks (the example
        vote); the best and the settling are judged on the student's logit plus it."""
        scores = self.student.score(query, passages)
        if self.teacher is None or not self.teacher_top or not passages:
            return scores
        ranked = scores if prior is None else scores + prior
        order = np.argsort(-ranked, kind="stable")
        if len(order) > 1 and ranked[order[0]] - ranked[order[1]] >= self.margin:
            return scores  # settled: the best leads by the margin
        best = order[: self.teacher_top]
        out = scores.copy()
        out[best] = self.teacher.score(query, [passages[i] for i in best])
        return out
