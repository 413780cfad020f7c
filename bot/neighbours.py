"""The example channel: the labelled questions nearest to a question vote for sections, sentences or a refusal.

The bank's questions are embedded at index time with the model that embeds questions (bot/index.py); a question's
nearest ``k`` examples each vote with the weight ``exp((similarity - best) / temperature)``, so a near-paraphrase
outweighs loose neighbours. The vote is a signal beside dense, BM25 and the reranker, not a verdict: how much it
counts is calibrated on the banks (scripts/fit_calibration.py, bot/data/calibration.json).

A follow-up ("and which postal address takes it?") is read with the turn it follows, so its nearest examples are
mostly about that earlier turn's topic. Given the follow-up's own turn read alone (``turn``), an example's
similarity is ``(1 - turn_weight) * similarity + turn_weight * turn similarity``, the second taken against the
example's own turn when it is a follow-up too, else against its question: topic and ask both count.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from .examples import Example
from .index_read import LoadedIndex


@dataclass(frozen=True)
class Neighbour:
    example: Example
    similarity: float
    weight: float  # its share of the vote


@dataclass(frozen=True)
class Vote:
    neighbours: tuple[Neighbour, ...] = ()
    sections: dict[tuple[str, int], float] = field(default_factory=dict)  # (source, section) -> share of the vote
    sentences: dict[tuple[str, int], float] = field(default_factory=dict)  # (source, sentence) -> share
    refuse: float = 0.0  # the share of the vote on refusal examples
    top: float = 0.0  # the best similarity (0 with no bank)

    def section(self, source: str, section: int) -> float:
        return self.sections.get((source, section), 0.0)

    def best_section(self) -> tuple[tuple[str, int], float] | None:
        return max(self.sections.items(), key=lambda kv: kv[1]) if self.sections else None


NO_VOTE = Vote()


class ExampleVoter:
    """Config in ``__init__``; ``run(vector)`` → the vote of the nearest examples (``NO_VOTE`` without a bank).

    ``exclude``: example origins to leave out (leave-one-set-out measurement); ``sources``: documents whose
    examples may vote (None: every document)."""

    def __init__(self, index: LoadedIndex, k: int = 5, temperature: float = 0.05, turn_weight: float = 0.5) -> None:
        self.index = index
        self.k = k
        self.temperature = temperature
        self.turn_weight = turn_weight

    @property
    def empty(self) -> bool:
        return self.index.example_index is None or not self.index.examples

    def run(
        self,
        vector: np.ndarray,
        exclude: Collection[str] = (),
        sources: Collection[str] | None = None,
        turn: np.ndarray | None = None,
    ) -> Vote:
        """The vote for a question's ``vector``; ``turn``: a follow-up's own turn read alone, embedded (either
        vector of shape (dimension,) or (1, dimension))."""
        if self.empty:
            return NO_VOTE
        examples = self.index.examples
        own_turn = turn.reshape(-1) if turn is not None and self.turn_weight > 0 else None
        plain = not exclude and sources is None and own_turn is None
        want = self.k if plain else min(len(examples), self.k * 8 + 64)
        sims, ids = self.index.example_index.search(vector.reshape(1, -1).astype(np.float32), want)
        rows = [
            (int(i), float(s))
            for s, i in zip(sims[0], ids[0], strict=True)
            if i >= 0
            and examples[int(i)].origin not in exclude
            and (sources is None or examples[int(i)].source in sources)
        ]
        if own_turn is not None:
            rows = sorted(((i, self._with_turn(i, s, own_turn)) for i, s in rows), key=lambda r: -r[1])
        found = [(examples[i], s) for i, s in rows[: self.k]]
        if not found:
            return NO_VOTE
        best = found[0][1]
        raw = [math.exp((s - best) / self.temperature) for _, s in found]
        total = sum(raw)
        neighbours = tuple(Neighbour(e, s, w / total) for (e, s), w in zip(found, raw, strict=True))
        sections: dict[tuple[str, int], float] = {}
        sentences: dict[tuple[str, int], float] = {}
        refuse = 0.0
        for n in neighbours:
            e = n.example
            if not e.answerable:
                refuse += n.weight
                continue
            sections[(e.source, e.section)] = sections.get((e.source, e.section), 0.0) + n.weight
            if e.sentence >= 0:
                sentences[(e.source, e.sentence)] = sentences.get((e.source, e.sentence), 0.0) + n.weight
        return Vote(neighbours, sections, sentences, refuse, best)

    def _with_turn(self, row: int, similarity: float, turn: np.ndarray) -> float:
        own = self.index.example_turns.get(row)
        if own is None:
            own = self.index.example_index.reconstruct(row)
        return (1 - self.turn_weight) * similarity + self.turn_weight * float(np.dot(own, turn))
