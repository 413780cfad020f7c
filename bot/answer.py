"""Compose an extractive answer: choose the sentences that answer, quote them verbatim, cite them.

The only words in an answer that are not quotes are fixed connective text (``From “<section>”:``) and
the fixed refusal message; every policy fact is a quote with its source, section and offsets.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from .index_read import LoadedIndex
from .policy import Sentence
from .retrieval import Hit
from .settings import OUTSIDE_KINDS

REFUSAL_NOT_COVERED = "not_covered"
REFUSAL_INSTRUCTION = "instruction"
REFUSAL_NOISE = "noise"

VETO = math.inf  # an outside weight that refuses whatever else is said

REFUSAL_TEXT = {
    REFUSAL_NOT_COVERED: "The privacy policy does not cover that, so I can't answer it from the policy.",
    REFUSAL_INSTRUCTION: "I can only quote what the privacy policy says; I can't follow other instructions.",
    REFUSAL_NOISE: "I didn't understand that. Please ask a question about the privacy policy.",
}


@dataclass(frozen=True)
class Citation:
    source: str
    document: str
    section: str
    anchor: str
    quote: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    refused: bool
    reason: str | None
    confidence: float
    citations: tuple[Citation, ...]
    retrieved: tuple[Hit, ...]
    resolved_question: str
    contact: Citation | None = None
    dropped: tuple[Citation, ...] = field(default=())
    owner: str | None = None  # the company whose documents answered (or refused)


@dataclass(frozen=True)
class Calibration:
    """How sure the bot is that the policy answers a question, from two signals.

    ``domain``: the domain classifier's logit (is this a privacy-policy question at all?);
    ``relevance``: the best cross-encoder logit (does a passage of this policy answer it?);
    ``example``: the nearest labelled examples' say, ``top similarity * (answer share - refusal share)`` in [-1, 1]
    (0 without a bank);
    ``answerable``: the answerability model's best logit over the top passages (does one of them *answer*, not
    just match the topic? ``bot/data/answerability``; left out when the model is off);
    ``outside``: the signs that the question lies outside the policy (``bot.checks.outside_kinds``: it names
    another organisation's policy, or something the documents never mention…), each lowering the logit by its
    weight in ``outside_weights``.
    Confidence = sigmoid(domain_weight * domain + relevance_weight * (relevance - relevance_center)
    + example_weight * (example - example_center) + answer_weight * (answerable - answer_center)
    - sum of outside_weights[sign] over the signs).
    The bot refuses below ``threshold``.
    """

    domain_weight: float = 1.0
    relevance_weight: float = 0.4
    relevance_center: float = -8.0
    threshold: float = 0.4
    example_weight: float = 0.0
    example_center: float = 0.0
    answer_weight: float = 0.0
    answer_center: float = 0.0
    outside_weights: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(OUTSIDE_KINDS, VETO))

    def confidence(
        self,
        domain_logit: float,
        relevance: float,
        example: float | None = None,
        answerable: float | None = None,
        outside: Collection[str] = (),
    ) -> float:
        z = self.domain_weight * domain_logit + self.relevance_weight * (relevance - self.relevance_center)
        z -= sum(self.outside_weights.get(sign, VETO) for sign in outside)
        if example is not None:
            z += self.example_weight * (example - self.example_center)
        if answerable is not None:
            z += self.answer_weight * (answerable - self.answer_center)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def citation(index: LoadedIndex, source: str, section: int, start: int, end: int, score: float) -> Citation:
    doc = index.document(source)
    sec = doc.sections[section]
    return Citation(
        source=source,
        document=doc.title,
        section=sec.title,
        anchor=sec.anchor,
        quote=doc.text[start:end],
        start=start,
        end=end,
        score=round(score, 4),
    )


def render(citations: list[Citation]) -> str:
    """Group quotes by section, in the order the sections first appear; ``From “<section>”: “...” … “...”``."""
    lines: list[str] = []
    groups: dict[tuple[str, str], list[Citation]] = {}
    for c in citations:
        groups.setdefault((c.source, c.section), []).append(c)
    for (_, section), cites in groups.items():
        quotes = " … ".join(f"“{c.quote}”" for c in sorted(cites, key=lambda c: c.start))
        lines.append(f"From “{section}”: {quotes}")
    return "\n".join(lines)


def refusal_text(reason: str, contact: Citation | None) -> str:
    text = REFUSAL_TEXT[reason]
    if contact is not None:
        text += f" For anything else, the policy’s “{contact.section}” section says: “{contact.quote}”"
    return text


@dataclass(frozen=True)
class Candidate:
    source: str
    section: int
    start: int
    end: int
    text: str
    chunk_score: float

    @classmethod
    def of(cls, s: Sentence, chunk_score: float) -> Candidate:
        """A policy sentence as a candidate quote, with the score of the best chunk holding it."""
        return cls(source=s.source, section=s.section, start=s.start, end=s.end, text=s.text, chunk_score=chunk_score)


def candidates(index: LoadedIndex, hits: list[Hit], depth: int) -> list[Candidate]:
    """The distinct sentences of the top ``depth`` hits, each with the best score of a chunk holding it."""
    seen: dict[tuple[str, int], Candidate] = {}
    for hit in hits[:depth]:
        doc = index.document(hit.chunk.source)
        for sid in hit.chunk.sentence_ids:
            s = doc.sentences[sid]
            key = (s.source, s.start)
            if key not in seen:
                seen[key] = Candidate.of(s, hit.score)
    return list(seen.values())


def choose(
    cands: list[Candidate],
    scores: list[float],
    primary: tuple[str, int],
    max_quotes: int,
    margin: float,
    sentence_weight: float = 0.3,
) -> list[tuple[Candidate, float]]:
    """Pick the best sentence of the primary (top-ranked) section, then others close to it, best first.

    A sentence's score mixes its own cross-encoder logit (weight ``sentence_weight``) with the logit of the
    chunk it came from, so a sentence that only makes sense in context ("You must be over the age of 18")
    still counts; the chunk, which the reranker reads with its context, weighs more.
    Sentences from other sections must come closer (half the margin) to be added.
    """
    combined = [
        (c, sentence_weight * s + (1 - sentence_weight) * c.chunk_score) for c, s in zip(cands, scores, strict=True)
    ]
    combined.sort(key=lambda cs: -cs[1])
    in_primary = [cs for cs in combined if (cs[0].source, cs[0].section) == primary]
    if not in_primary:
        return []
    best = in_primary[0][1]
    chosen = [
        cs for cs in combined if cs[1] >= best - (margin if (cs[0].source, cs[0].section) == primary else margin / 2)
    ]
    return chosen[:max_quotes]


def citation_to_dict(c: Citation) -> dict[str, object]:
    return {
        "source": c.source,
        "document": c.document,
        "section": c.section,
        "anchor": c.anchor,
        "quote": c.quote,
        "start": c.start,
        "end": c.end,
        "score": c.score,
    }


def hit_to_dict(h: Hit) -> dict[str, object]:
    c = h.chunk
    return {
        "source": c.source,
        "section": c.section_title,
        "anchor": c.anchor,
        "start": c.start,
        "end": c.end,
        "score": round(h.score, 4),
        "dense": None if h.dense is None else round(h.dense, 4),
        "lexical": None if h.lexical is None else round(h.lexical, 4),
        "fused": round(h.fused, 6),
        "rerank": None if h.rerank is None else round(h.rerank, 4),
        "text": c.text,
    }


def answer_to_dict(a: Answer) -> dict[str, object]:
    """The JSON shape of ``ask --json`` and ``POST /api/ask``."""
    return {
        "question": a.question,
        "answer": a.answer,
        "refused": a.refused,
        "reason": a.reason,
        "confidence": round(a.confidence, 4),
        "resolved_question": a.resolved_question,
        "citations": [citation_to_dict(c) for c in a.citations],
        "retrieved": [hit_to_dict(h) for h in a.retrieved],
        "contact": None if a.contact is None else citation_to_dict(a.contact),
        "owner": a.owner,
    }
