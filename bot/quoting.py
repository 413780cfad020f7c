"""Choosing the quotes of an answer: score candidate sentences, keep the qualifiers, verify, place the address.

Every quote is checked against the cited file as it is on disk now (``verify_quotes``); a sentence that the next
one qualifies ("The preceding does not apply to…") is never shown without it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .answer import Answer, Candidate, Citation, candidates, choose, citation, refusal_text
from .cascade import PairScorer
from .expand import spell_out
from .index_read import LoadedIndex
from .neighbours import Vote
from .owners import Owner
from .qualify import sentence_at, with_qualifiers
from .retrieval import Hit, Retriever
from .settings import Settings
from .verify import verify_quotes

if TYPE_CHECKING:
    from .answering import Reading

_POINTS_TO_CONTACT = re.compile(r"\bcontact(?:ing)?\s+us\b", re.I)


class SourceFiles:
    """The cited files as they are on disk now (re-read when they change), so quotes are checked against them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, tuple[tuple[int, int], str]] = {}

    def __call__(self, source: str) -> str | None:
        path = Path(source) if Path(source).is_absolute() else self.root / source
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._files.get(source)
        if cached is None or cached[0] != key:
            try:
                cached = (key, path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                return None
            self._files[source] = cached
        return cached[1]


class Quoting:
    """Config in ``__init__``; ``quotes`` picks and verifies the quotes for the hits of one question."""

    def __init__(
        self,
        settings: Settings,
        index: LoadedIndex,
        retriever: Retriever,
        reranker: PairScorer | None,
        files: SourceFiles,
    ) -> None:
        self.settings = settings
        self.index = index
        self.retriever = retriever
        self.reranker = reranker
        self.files = files

    def quotes(self, reading: Reading, hits: list[Hit], alone: str) -> tuple[list[Citation], list[Citation]]:
        """The verified quotes answering ``reading`` (primary section first, then by score) and those dropped."""
        cands = self._with_voted(candidates(self.index, hits, depth=3), reading.vote, hits[0])
        texts = [c.text for c in cands]
        bonus = self._sentence_vote(cands, reading.vote)
        if self.reranker is None:
            scores = [c.chunk_score for c in cands]
        else:
            read = self._read(reading.asked, texts, bonus)
            if reading.query != reading.question:  # a follow-up: quotes that answer it, not only the turn before
                read = (read + self._read(alone, texts, bonus)) / 2
            scores = [float(s) for s in read]
        scores = [s + float(b) for s, b in zip(scores, bonus, strict=True)]
        primary = (hits[0].chunk.source, hits[0].chunk.section)
        s = self.settings
        chosen = choose(cands, scores, primary, s.max_quotes, s.quote_margin, s.sentence_weight)
        cites = self._qualified([citation(self.index, c.source, c.section, c.start, c.end, sc) for c, sc in chosen])
        kept, dropped = verify_quotes(cites, self.files)
        best: dict[tuple[str, str], float] = {}
        for c in kept:
            best[(c.source, c.section)] = max(best.get((c.source, c.section), c.score), c.score)
        home = (primary[0], self.index.document(primary[0]).sections[primary[1]].title)
        kept.sort(key=lambda c: ((c.source, c.section) != home, -best[(c.source, c.section)], c.start))
        return kept, dropped

    def with_contact(self, quotes: list[Citation], vote: Vote, contact: Citation | None) -> list[Citation]:
        """``quotes`` plus the owner's address: first when ``vote`` is mostly for its section (the question asks
        where to write), last when a quote sends the reader there ("contact us as indicated below")."""
        if contact is None:
            return quotes
        wants = self._voted_for(vote, contact) >= 0.5
        out = quotes + self._contact_for(quotes, contact, wants)
        if wants:
            home = (contact.source, contact.section)
            out.sort(key=lambda c: (c.source, c.section) != home)  # stable: the rest keep their order
        return out

    def refusal(
        self,
        reading: Reading,
        reason: str,
        owner: Owner | None,
        hits: Sequence[Hit] = (),
        confidence: float = 0.0,
        dropped: Sequence[Citation] = (),
    ) -> Answer:
        """A refusal for ``reason``, pointing to ``owner``'s address when its file still holds it."""
        return refusal(reading.question, reading.query, reason, owner, self.files, hits, confidence, dropped)

    def _with_voted(self, cands: list[Candidate], vote: Vote, top: Hit) -> list[Candidate]:
        """``cands`` plus the sentences of the top hit's section that the examples vote for (``vote_floor`` or more
        of the vote) and retrieval's top chunks did not hold: the labelled answer competes even when its chunk
        ranked lower."""
        have = {(c.source, c.start) for c in cands}
        doc = self.index.document(top.chunk.source)
        extra = []
        for (source, i), share in vote.sentences.items():
            s = doc.sentences[i] if source == doc.source else None
            if s is None or share < self.settings.vote_floor or s.section != top.chunk.section:
                continue
            if (s.source, s.start) not in have:
                extra.append(Candidate.of(s, top.score))
        return cands + extra

    def _sentence_vote(self, cands: list[Candidate], vote: Vote) -> np.ndarray:
        """What the vote adds to each candidate sentence's reranker score: ``sentence_vote_weight`` times the share
        of the vote of the examples whose quote is that sentence."""
        out = np.zeros(len(cands))
        if not vote.sentences or self.settings.sentence_vote_weight == 0:
            return out
        for n, c in enumerate(cands):
            i = sentence_at(self.index.document(c.source), c.start, c.end)
            share = vote.sentences.get((c.source, i), 0.0) if i is not None else 0.0
            out[n] = self.settings.sentence_vote_weight * share
        return out

    def _qualified(self, cites: list[Citation]) -> list[Citation]:
        """``cites`` plus, for each quoted sentence that the next sentence qualifies ("The preceding does not apply
        to…"), that qualifier: a quote must not mislead by leaving out its exception."""
        out = list(cites)
        have = {(c.source, c.start) for c in cites}
        for c in cites:
            doc = self.index.document(c.source)
            i = sentence_at(doc, c.start, c.end)
            if i is None:
                continue
            for j in with_qualifiers(doc, [i]):
                s = doc.sentences[j]
                if (s.source, s.start) not in have:
                    have.add((s.source, s.start))
                    out.append(citation(self.index, s.source, s.section, s.start, s.end, c.score))
        return out

    def _read(self, query: str, texts: list[str], prior: np.ndarray) -> np.ndarray:
        """The reranker's scores of ``texts`` for ``query``, read as the retriever reads it: when lay words were
        mapped to the policy's, the mean of both readings. A cascade settles on the score plus ``prior``."""
        assert self.reranker is not None
        plain, search = spell_out(query), self.retriever.search_query(query)
        scores = self.reranker.score(plain, texts, prior)
        return scores if search in (plain, query) else (scores + self.reranker.score(search, texts, prior)) / 2

    def _voted_for(self, vote: Vote, cite: Citation) -> float:
        """The share of ``vote`` for the section ``cite`` is in."""
        doc = self.index.document(cite.source)
        return next((vote.section(doc.source, s.index) for s in doc.sections if s.start <= cite.start < s.end), 0.0)

    def _contact_for(self, quotes: list[Citation], contact: Citation, asked: bool) -> list[Citation]:
        """The address when the question asks for it (``asked``) or a quote sends the reader there, and no quote
        is from its section yet: otherwise the answer points to an address it does not show."""
        if any((c.source, c.section) == (contact.source, contact.section) for c in quotes):
            return []
        if not asked and not any(c.source == contact.source and _POINTS_TO_CONTACT.search(c.quote) for c in quotes):
            return []
        return verify_quotes([contact], self.files)[0]


def refusal(
    question: str,
    query: str,
    reason: str,
    owner: Owner | None,
    files: SourceFiles,
    hits: Sequence[Hit] = (),
    confidence: float = 0.0,
    dropped: Sequence[Citation] = (),
) -> Answer:
    """A refusal for ``reason`` with ``owner``'s address when its file still holds it (none without an owner)."""
    contact = owner.contact if owner is not None else None
    if contact is not None and not verify_quotes([contact], files)[0]:
        contact = None
    return Answer(
        question=question,
        answer=refusal_text(reason, contact),
        refused=True,
        reason=reason,
        confidence=confidence,
        citations=(),
        retrieved=tuple(hits),
        resolved_question=query,
        contact=contact,
        dropped=tuple(dropped),
        owner=owner.name if owner is not None else None,
    )
