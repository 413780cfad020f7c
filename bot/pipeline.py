"""PolicyBot: the whole answer core behind one object. Config in ``__init__``, loads in ``warm_up``."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .answer import (
    REFUSAL_INSTRUCTION,
    REFUSAL_NOISE,
    REFUSAL_NOT_COVERED,
    Answer,
    Calibration,
    Candidate,
    Citation,
    candidates,
    choose,
    citation,
    contact_citation,
    refusal_text,
    render,
)
from .chunking import ChunkParams
from .domain import DomainClassifier
from .embedding import Embedder
from .errors import CorpusError, IndexMissingError, IndexStaleError, InvalidQuestionError
from .examples import Bank, Example, bank_path, normalise, read_bank
from .expand import LAWS, neutral, owner_names, spell_out, title_words
from .followup import Turn, resolve
from .guard import asks_history, is_general, is_instruction, is_noise, other_organisation, text_problem, unmentioned
from .index import (
    BuildReport,
    LoadedIndex,
    build_index,
    check_fresh,
    expected_fingerprint,
    load_index,
    sha256_bytes,
)
from .neighbours import NO_VOTE, ExampleVoter, Vote
from .onnx_embed import OnnxEmbedder
from .policy import Document, read_policy
from .qualify import sentence_at, with_qualifiers
from .rerank import CrossEncoder
from .retrieval import Hit, RetrievalParams, Retriever
from .settings import Settings
from .spelling import Speller
from .verify import verify_quotes

log = logging.getLogger(__name__)

_POINTS_TO_CONTACT = re.compile(r"\bcontact(?:ing)?\s+us\b", re.I)


class PolicyBot:
    def __init__(self, settings: Settings, calibration: Calibration | None = None) -> None:
        self.settings = settings
        self.calibration = calibration or Calibration(
            threshold=settings.refusal_threshold,
            example_weight=settings.example_weight if settings.examples else 0.0,
            example_center=settings.example_center,
        )
        self.chunk_params = ChunkParams(settings.chunk_sentences, settings.chunk_overlap, settings.chunk_max_chars)
        self.retrieval_params = RetrievalParams(
            settings.dense_k,
            settings.lexical_k,
            settings.rrf_k,
            settings.dense_weight,
            settings.lexical_weight,
            settings.rerank_depth,
            settings.query_expansion,
            settings.vote_weight if settings.examples else 0.0,
            settings.vote_floor,
        )
        self.embedder = Embedder(settings.embedding_model)
        self.domain = DomainClassifier.load()
        self.reranker = (
            CrossEncoder(settings.reranker_dir, threads=settings.model_threads, batch_size=settings.rerank_batch)
            if settings.reranker_dir
            else None
        )
        self._index: LoadedIndex | None = None
        self._retriever: Retriever | None = None
        self._voter: ExampleVoter | None = None
        self._speller: Speller | None = None
        self._spellers: tuple[tuple[str, ...], Speller] | None = None  # (the corpus texts, their speller)
        self.exclude_origins: frozenset[str] = frozenset()  # example origins left out (leave-one-set-out evals)
        self._contact: Citation | None = None
        self._files: dict[str, tuple[tuple[int, int], str]] = {}
        self._owners: frozenset[str] = frozenset()  # words of the documents' titles, where owners are named
        self._names: list[str] = []  # the policy owners' names, said as "the Company" to the models
        self._corpus_text = ""  # every policy's text: what the policies mention at all
        self._owner_words: frozenset[str] = frozenset()  # words of the owners' names alone ("infrascale")

    # -- corpus and index -------------------------------------------------------------------------
    def source_name(self, path) -> str:  # type: ignore[no-untyped-def]
        try:
            return path.resolve().relative_to(self.settings.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def read_corpus(self) -> list[Document]:
        files = self.settings.resolved_corpus()
        if not files:
            raise IndexMissingError(f"no policy files (.md or .txt) in {', '.join(map(str, self.settings.corpus))}")
        return [read_policy(p, self.source_name(p)) for p in files]

    def read_banks(self, documents: Sequence[Document]) -> list[Bank]:
        """The example bank beside each policy file (empty for a policy without one); BankError when malformed."""
        if not self.settings.examples:
            return []
        return [read_bank(bank_path(self._path_of(d.source)), d) for d in documents]

    def bank_hashes(self, sources: Sequence[str]) -> dict[str, str | None]:
        """sha256 of each document's bank file (None without one, or with banks switched off)."""
        hashes: dict[str, str | None] = {}
        for source in sources:
            path = bank_path(self._path_of(source))
            hashes[source] = sha256_bytes(path.read_bytes()) if self.settings.examples and path.is_file() else None
        return hashes

    def _path_of(self, source: str) -> Path:
        return Path(source) if Path(source).is_absolute() else self.settings.root / source

    def corpus_hashes(self) -> dict[str, str]:
        """sha256 of each configured policy file's bytes, by source name: enough to tell an index is current
        without parsing the corpus (the parse happens only when the index must be rebuilt)."""
        files = self.settings.resolved_corpus()
        if not files:
            raise IndexMissingError(f"no policy files (.md or .txt) in {', '.join(map(str, self.settings.corpus))}")
        hashes = {}
        for path in files:
            try:
                hashes[self.source_name(path)] = sha256_bytes(path.read_bytes())
            except OSError as exc:
                raise CorpusError(f"cannot read policy file {path}: {exc.strerror or exc}") from exc
        return hashes

    def build(self) -> BuildReport:
        """(Re)build the index from the corpus; only chunks whose text changed are embedded again."""
        documents = self.read_corpus()
        report = build_index(
            documents,
            self.embedder,
            self.chunk_params,
            self.settings.resolved_index_dir(),
            self.read_banks(documents),
            self._example_text_for(documents),
        )
        self._index = None
        self._retriever = None
        return report

    def _example_text_for(self, documents: Sequence[Document]) -> Callable[[Example], str]:
        """How a bank example is embedded: as its question would be read when asked (follow-up resolved, the
        owner's name neutral, spelling corrected), so the vote compares like with like."""
        names = _names_of(documents)
        speller = self._make_speller(documents)

        def text(e: Example) -> str:
            return self._prepare(resolve(e.question, [Turn(r, c) for r, c in e.history]), names, speller)

        return text

    def _make_speller(self, documents: Sequence[Document]) -> Speller | None:
        """The speller of these documents' words, loaded once per corpus (a rebuild then warm-up reuse it)."""
        if not self.settings.spelling:
            return None
        texts = tuple(d.text for d in documents)
        if self._spellers is None or self._spellers[0] != texts:
            speller = Speller(texts)
            speller.warm_up()
            self._spellers = (texts, speller)
        return self._spellers[1]

    @staticmethod
    def _prepare(query: str, names: list[str], speller: Speller | None) -> str:
        """What the models read of a (resolved) question: the owner's name neutral, misspellings corrected."""
        asked = neutral(query, names)
        return speller.correct(asked) if speller is not None else asked

    def load(self, rebuild: bool = True) -> LoadedIndex:
        """Load the index; when it is missing or stale, rebuild it if ``rebuild`` else raise."""
        index_dir = self.settings.resolved_index_dir()
        try:
            index = load_index(index_dir, self.settings.root)
            corpus = self.corpus_hashes()
            model = self.embedder.model_name
            expected = expected_fingerprint(corpus, model, self.chunk_params, self.bank_hashes(list(corpus)))
            check_fresh(index.manifest, expected)
        except (IndexMissingError, IndexStaleError) as exc:
            if not rebuild:
                raise
            log.warning("%s; rebuilding the index", exc)
            self.build()
            index = load_index(index_dir, self.settings.root)
        return index

    def warm_up(self, rebuild: bool = True) -> None:
        if self._retriever is not None:
            return
        self._index = self.load(rebuild=rebuild)
        # Questions are embedded by the build's ONNX export of the model: no torch at query time.
        encoder = OnnxEmbedder.for_build(self._index.path, self.embedder.model_name, self.settings.model_threads)
        self._retriever = Retriever(self._index, encoder, self.reranker, self.retrieval_params)
        self._retriever.warm_up()
        self._voter = ExampleVoter(self._index, self.settings.examples_k, self.settings.examples_temperature)
        self._speller = self._make_speller(list(self._index.documents.values()))
        self._contact = contact_citation(self._index)
        self._names = _names_of(list(self._index.documents.values()))
        self._owners = frozenset(w for d in self._index.documents.values() for w in title_words(d.title))
        self._corpus_text = "\n".join(d.text for d in self._index.documents.values())
        self._owner_words = frozenset(w.lower() for n in self._names for w in n.split())

    @property
    def index(self) -> LoadedIndex:
        self.warm_up()
        assert self._index is not None
        return self._index

    # -- answering --------------------------------------------------------------------------------
    def retrieve(self, query: str, top_k: int | None = None) -> list[Hit]:
        self.warm_up()
        assert self._retriever is not None
        return self._retriever.run(neutral(query, self._names), top_k or self.settings.top_k)

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestionError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestionError(f"the question is longer than {self.settings.max_question_chars} characters")
        problem = text_problem(question) or next(
            (text_problem(t.content) for t in history if text_problem(t.content)), None
        )
        if problem:
            raise InvalidQuestionError(f"the question {problem}")
        self.warm_up()
        if is_noise(question):
            return self._refuse(question, question, REFUSAL_NOISE, [], 0.0)
        if is_instruction(question):
            return self._refuse(question, question, REFUSAL_INSTRUCTION, [], 0.0)
        if self._outside_policy(question):
            return self._refuse(question, question, REFUSAL_NOT_COVERED, [], 0.0)
        query = resolve(question, history)
        asked = self._prepare(query, self._names, self._speller)  # what the models read
        assert self._retriever is not None and self._voter is not None
        vector = self._retriever.embed(asked)
        vote = self._vote(vector)
        search = self._retriever.search_query(asked)  # lay words mapped to the policy's ("hang on to" -> retain)
        search_vector = vector if search == asked else self._retriever.embed(search)
        hits = self._retriever.run(asked, self.settings.top_k, search_vector, vote)
        if not hits:
            return self._refuse(question, query, REFUSAL_NOT_COVERED, hits, 0.0)
        # the question as asked, not with its lay words mapped: then support questions look in scope too
        p = min(max(self.domain.probability(vector[0]), 1e-9), 1 - 1e-9)
        domain_logit = math.log(p / (1 - p)) - math.log(self.domain.threshold / (1 - self.domain.threshold))
        relevance = hits[0].rerank if hits[0].rerank is not None else hits[0].score
        example = self._example_say(vector, hits[0].chunk.source)
        confidence = self.calibration.confidence(domain_logit, relevance, example)
        if confidence < self.calibration.threshold:
            return self._refuse(question, query, REFUSAL_NOT_COVERED, hits, confidence)
        alone = asked if query == question else self._prepare(question, self._names, self._speller)
        cands = self._with_voted(candidates(self.index, hits, depth=3), vote, hits[0])
        texts = [c.text for c in cands]
        if self.reranker is None:
            scores = [c.chunk_score for c in cands]
        else:
            read = self._read(asked, texts)
            if query != question:  # a follow-up: quotes that answer it, not only the turn it follows up
                read = (read + self._read(alone, texts)) / 2
            scores = [float(s) for s in read]
        scores = self._with_sentence_vote(cands, scores, vote)
        primary = (hits[0].chunk.source, hits[0].chunk.section)
        chosen = choose(
            cands,
            scores,
            primary,
            self.settings.max_quotes,
            self.settings.quote_margin,
            self.settings.sentence_weight,
        )
        cites = self._qualified([citation(self.index, c.source, c.section, c.start, c.end, s) for c, s in chosen])
        kept, dropped = verify_quotes(cites, self._text_of)
        if not kept:
            return self._refuse(question, query, REFUSAL_NOT_COVERED, hits, confidence, dropped)
        best: dict[tuple[str, str], float] = {}
        for c in kept:
            best[(c.source, c.section)] = max(best.get((c.source, c.section), c.score), c.score)
        primary_title = self.index.document(primary[0]).sections[primary[1]].title
        kept.sort(
            key=lambda c: ((c.source, c.section) != (primary[0], primary_title), -best[(c.source, c.section)], c.start)
        )
        # where the quotes say to write ("contact us as indicated below"): the address, last; first when the
        # examples nearest the question itself (a follow-up read alone) are mostly about where to write
        own = vote if query == question else self._vote(self._retriever.embed(alone))
        wants = self._contact is not None and self._voted_for(own, self._contact) >= 0.5
        kept += self._contact_for(kept, wants)
        if wants and self._contact is not None:
            home = (self._contact.source, self._contact.section)
            kept.sort(key=lambda c: (c.source, c.section) != home)  # stable: the rest keep their order
        return Answer(
            question,
            render(kept),
            False,
            None,
            confidence,
            tuple(kept),
            tuple(hits),
            query,
            self._contact,
            tuple(dropped),
        )

    def canonical(self, text: str) -> str:
        """``text`` as the answer cache keys it: misspellings corrected, then case, punctuation and spacing folded
        ("do u sell my data" and "Do you sell my data?" are one question)."""
        return normalise(self._speller.correct(text) if self._speller is not None else text)

    def _vote(self, vector: np.ndarray) -> Vote:
        """The nearest labelled examples' vote (none with banks off, or when no document has a bank)."""
        if not self.settings.examples or self._voter is None:
            return NO_VOTE
        return self._voter.run(vector[0], exclude=self.exclude_origins)

    def _example_say(self, vector: np.ndarray, source: str) -> float | None:
        """What the examples of the answering document say of answering at all: ``top similarity * (answer share -
        refusal share)``; None when that document has no bank (one policy's refusals say nothing of another's)."""
        if not self.settings.examples or self._voter is None:
            return None
        vote = self._voter.run(vector[0], exclude=self.exclude_origins, sources={source})
        return vote.top * (1 - 2 * vote.refuse) if vote.neighbours else None

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
                extra.append(Candidate(s.source, s.section, s.start, s.end, s.text, top.score))
        return cands + extra

    def _with_sentence_vote(self, cands: list[Candidate], scores: list[float], vote: Vote) -> list[float]:
        """Each candidate sentence's reranker score plus ``sentence_vote_weight`` times the share of the vote of the
        examples whose quote is that sentence."""
        if not vote.sentences or self.settings.sentence_vote_weight == 0:
            return scores
        out = []
        for c, s in zip(cands, scores, strict=True):
            i = sentence_at(self.index.document(c.source), c.start, c.end)
            share = vote.sentences.get((c.source, i), 0.0) if i is not None else 0.0
            out.append(s + self.settings.sentence_vote_weight * share)
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

    def _read(self, query: str, texts: list[str]) -> np.ndarray:
        """The reranker's scores of ``texts`` for ``query``, read as the retriever reads it: when lay words were
        mapped to the policy's, the mean of both readings."""
        assert self.reranker is not None and self._retriever is not None
        plain, search = spell_out(query), self._retriever.search_query(query)
        scores = self.reranker.score(plain, texts)
        return scores if search in (plain, query) else (scores + self.reranker.score(search, texts)) / 2

    def _outside_policy(self, question: str) -> bool:
        """A question no passage can answer, however close its nearest one: checked before retrieval."""
        if (
            other_organisation(question, self._owners)  # "how does Acme's privacy policy treat…?"
            or asks_history(question)  # "was the firm ever breached?": not a practice a policy states
            or is_general(question, self._owner_words)  # "in general, how do two privacy laws differ?"
        ):
            return True
        missing = unmentioned(question, self._corpus_text, LAWS, self._owner_words)
        if missing:  # "will you notify me within 72 hours?": a fact no policy states
            log.info("refused: %d thing(s) named that the policy never mentions", len(missing))  # no user text
        return bool(missing)

    def _voted_for(self, vote: Vote, cite: Citation) -> float:
        """The share of ``vote`` for the section ``cite`` is in."""
        doc = self.index.document(cite.source)
        return next((vote.section(doc.source, s.index) for s in doc.sections if s.start <= cite.start < s.end), 0.0)

    def _contact_for(self, quotes: list[Citation], asked: bool = False) -> list[Citation]:
        """The Contact section's address when the examples say the question asks for it (``asked``) or a quote
        sends the reader there ("contact us as indicated below"), and no quote is from that section yet: otherwise
        the answer points to an address it does not show."""
        contact = self._contact
        if contact is None or any((c.source, c.section) == (contact.source, contact.section) for c in quotes):
            return []
        if not asked and not any(c.source == contact.source and _POINTS_TO_CONTACT.search(c.quote) for c in quotes):
            return []
        return verify_quotes([contact], self._text_of)[0]

    def _text_of(self, source: str) -> str | None:
        """The cited file as it is on disk now (re-read when it changes), so quotes are checked against the file."""
        path = Path(source) if Path(source).is_absolute() else self.settings.root / source
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

    def _refuse(
        self,
        question: str,
        query: str,
        reason: str,
        hits: list[Hit],
        confidence: float,
        dropped: Sequence[Citation] = (),
    ) -> Answer:
        contact = self._contact
        if contact is not None and not verify_quotes([contact], self._text_of)[0]:
            contact = None
        text = refusal_text(reason, contact)
        return Answer(question, text, True, reason, confidence, (), tuple(hits), query, contact, tuple(dropped))


def _names_of(documents: Sequence[Document]) -> list[str]:
    """The policy owners' names, longest first: said as "the Company" to the models."""
    return sorted({n for d in documents for n in owner_names(d.title, d.text)}, key=len, reverse=True)
