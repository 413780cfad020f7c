"""Answering one question from a loaded index: read it, retrieve, judge confidence, pick and verify the quotes.

``Answerer`` is built by ``PolicyBot.warm_up`` from warm parts; ``read`` turns a question into what the models
read of it (``Reading``), ``answer`` turns a reading into an ``Answer`` for one owner. Every quote comes from
that owner's documents, and the contact and refusal text are that owner's.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from .answer import REFUSAL_NOT_COVERED, Answer, Calibration, render
from .checks import outside_kinds
from .domain import DomainClassifier
from .followup import Turn, resolve
from .lifecycle import prepare
from .neighbours import NO_VOTE, ExampleVoter, Vote
from .owners import Owner
from .quoting import Quoting
from .rerank import CrossEncoder
from .retrieval import Hit, Retriever
from .settings import Settings
from .spelling import Speller


@dataclass(frozen=True)
class Reading:
    """What the models read of one question, and what the cheap signals say of it."""

    question: str  # as asked
    query: str  # follow-up resolved against the history
    asked: str  # what the models read: the query with the owner's name neutral, spelling corrected
    vector: np.ndarray  # the embedding of ``asked``, shape (1, dimension)
    vote: Vote  # the nearest labelled examples' vote
    scope: frozenset[str] | None  # the documents that may answer (None: every document)
    turn: np.ndarray | None = None  # a follow-up's own turn read alone, embedded (None: not a follow-up)


@dataclass(frozen=True)
class Signals:
    """The confidence's inputs for one question (``Calibration.confidence`` names them)."""

    domain: float  # the domain classifier's logit, less its threshold's
    relevance: float  # the top hit's reranker logit (its fused score without a reranker)
    example: float | None  # the answering document's examples' say (None: that document has no bank)
    answerable: float | None  # the answerability model's best logit (None: off, or no bank)
    outside: frozenset[str] = frozenset()  # signs that it lies outside the owner's documents (``outside_kinds``)


class Answerer:
    """Config and warm parts in ``__init__``; ``read`` and ``answer`` per question. Thread-safe (no state)."""

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        voter: ExampleVoter,
        domain: DomainClassifier,
        calibration: Calibration,
        speller: Speller | None,
        names: list[str],
        quoting: Quoting,
        judge: CrossEncoder | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.voter = voter
        self.domain = domain
        self.calibration = calibration
        self.speller = speller
        self.names = names
        self.quoting = quoting
        self.judge = judge  # the answerability model (None: off)

    def prepare(self, query: str) -> str:
        return prepare(query, self.names, self.speller)

    def vote(
        self,
        vector: np.ndarray,
        exclude: Collection[str] = (),
        scope: Collection[str] | None = None,
        turn: np.ndarray | None = None,
    ) -> Vote:
        """The nearest labelled examples' vote (none with banks off, or when no document has a bank); ``turn``: a
        follow-up's own turn, embedded (bot/neighbours.py)."""
        if not self.settings.examples:
            return NO_VOTE
        return self.voter.run(vector[0], exclude=exclude, sources=scope, turn=turn)

    def read(
        self, question: str, history: Sequence[Turn], scope: frozenset[str] | None, exclude: Collection[str] = ()
    ) -> Reading:
        query = resolve(question, history)
        asked = self.prepare(query)
        vector = self.retriever.embed(asked)
        turn = self.retriever.embed(self.prepare(question)) if query != question else None
        return Reading(question, query, asked, vector, self.vote(vector, exclude, scope, turn), scope, turn)

    def retrieve(self, reading: Reading) -> list[Hit]:
        """The best chunks of the reading's documents, the example vote among the signals."""
        search = self.retriever.search_query(reading.asked)  # lay words mapped to the policy's
        vector = reading.vector if search == reading.asked else self.retriever.embed(search)
        return self.retriever.run(reading.asked, self.settings.top_k, vector, reading.vote, reading.scope)

    def signals(
        self, reading: Reading, hits: Sequence[Hit], exclude: Collection[str] = (), owner: Owner | None = None
    ) -> Signals:
        """What the confidence weighs for ``reading`` and its ``hits`` (at least one): domain, relevance, its
        examples' say, whether one of the top passages answers (the answerability model) and, given the ``owner``
        who answers, the signs that the question as asked lies outside that owner's documents."""
        # the question as asked, not with its lay words mapped: then support questions look in scope too
        domain_logit = self.domain_logit(reading.vector)
        top = hits[0]
        relevance = top.rerank if top.rerank is not None else top.score
        say = self._example_say(reading, top, exclude)
        # the answerability weight was fitted beside the examples' say: a document without a bank keeps the
        # calibration it had (the three signals), as PolicyQA's policies do
        judged = self.answerable(reading, hits) if say is not None else None
        signs = outside_kinds(reading.question, owner) if owner is not None else frozenset()
        return Signals(domain_logit, relevance, say, judged, signs)

    def domain_logit(self, vector: np.ndarray) -> float:
        """The domain classifier's logit for a question's embedding, less its threshold's (> 0: in domain)."""
        p = min(max(self.domain.probability(vector[0]), 1e-9), 1 - 1e-9)
        return math.log(p / (1 - p)) - math.log(self.domain.threshold / (1 - self.domain.threshold))

    def confidence(
        self, reading: Reading, hits: Sequence[Hit], exclude: Collection[str] = (), owner: Owner | None = None
    ) -> float:
        """How sure the bot is that the top hit's document (``owner``'s) answers: ``signals`` weighed by the
        calibration."""
        s = self.signals(reading, hits, exclude, owner)
        return self.calibration.confidence(s.domain, s.relevance, s.example, s.answerable, s.outside)

    def answerable(self, reading: Reading, hits: Sequence[Hit]) -> float | None:
        """The answerability model's best logit over the top passages (None when it is off)."""
        if self.judge is None or not hits:
            return None
        passages = [h.chunk.text for h in hits[: self.settings.answerability_depth]]
        return float(self.judge.score(reading.asked, passages).max())

    def _example_say(self, reading: Reading, top: Hit, exclude: Collection[str]) -> float | None:
        """What the examples of the answering document say of answering at all: ``top similarity * (answer share -
        refusal share)``; None when that document has no bank (one policy's refusals say nothing of another's)."""
        if not self.settings.examples:
            return None
        vote = self.voter.run(reading.vector[0], exclude=exclude, sources={top.chunk.source}, turn=reading.turn)
        return vote.top * (1 - 2 * vote.refuse) if vote.neighbours else None

    def answer(self, reading: Reading, owner: Owner, exclude: Collection[str] = ()) -> Answer:
        """The answer to ``reading`` from ``owner``'s documents: quotes, or a refusal with the owner's contact."""
        hits = self.retrieve(reading)
        if not hits:
            return self.quoting.refusal(reading, REFUSAL_NOT_COVERED, owner, hits, 0.0)
        confidence = self.confidence(reading, hits, exclude, owner)
        if confidence < self.calibration.threshold:
            return self.quoting.refusal(reading, REFUSAL_NOT_COVERED, owner, hits, confidence)
        follow_up = reading.query != reading.question
        alone = self.prepare(reading.question) if follow_up else reading.asked  # a follow-up read alone
        cites, dropped = self.quoting.quotes(reading, hits, alone)
        if not cites:
            return self.quoting.refusal(reading, REFUSAL_NOT_COVERED, owner, hits, confidence, dropped)
        # where the quotes say to write ("contact us as indicated below"): the address, last; first when the
        # examples nearest the question itself (a follow-up read alone) are mostly about where to write
        own = reading.vote if reading.turn is None else self.vote(reading.turn, exclude, reading.scope)
        cites = self.quoting.with_contact(cites, own, owner.contact)
        return Answer(
            question=reading.question,
            answer=render(cites),
            refused=False,
            reason=None,
            confidence=confidence,
            citations=tuple(cites),
            retrieved=tuple(hits),
            resolved_question=reading.query,
            contact=owner.contact,
            dropped=tuple(dropped),
            owner=owner.name,
        )
