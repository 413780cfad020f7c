"""PolicyBot: the facade over the answer core. Config in ``__init__``, loads in ``warm_up``, one ``ask`` per question.

The stages live in their own modules: the index lifecycle (``bot.lifecycle``), the checks before retrieval
(``bot.checks``), the owners of the documents (``bot.owners``), answering (``bot.answering``) and quoting
(``bot.quoting``). ``PolicyBot`` wires them and chooses which owner answers: the one of the ``document`` asked
about, else the one the question names, else the only one, else the owner of the best passage.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .answer import Answer, Calibration
from .answering import Answerer, Reading
from .cascade import Cascade, PairScorer
from .checks import form_refusal, validate
from .chunking import ChunkParams
from .domain import DomainClassifier
from .embedding import Embedder
from .errors import UnknownDocumentError
from .examples import normalise
from .expand import neutral
from .followup import Turn
from .index import BuildReport
from .index_read import LoadedIndex
from .lifecycle import IndexLifecycle, names_of
from .neighbours import ExampleVoter
from .onnx_embed import OnnxEmbedder
from .owners import Owner, Owners, owners_of
from .policy import Document
from .quoting import Quoting, SourceFiles, refusal
from .rerank import CrossEncoder
from .retrieval import Hit, RetrievalParams, Retriever
from .settings import Settings


def retrieval_params(settings: Settings) -> RetrievalParams:
    return RetrievalParams(
        dense_k=settings.dense_k,
        lexical_k=settings.lexical_k,
        rrf_k=settings.rrf_k,
        dense_weight=settings.dense_weight,
        lexical_weight=settings.lexical_weight,
        rerank_depth=settings.rerank_depth,
        expand=settings.query_expansion,
        vote_weight=settings.vote_weight if settings.examples else 0.0,
        vote_floor=settings.vote_floor,
        rerank_first=settings.rerank_first,
        settle_score=settings.settle_score,
    )


def answerability_judge(settings: Settings) -> CrossEncoder | None:
    """The answerability model (does a passage answer the question?), reading pairs cut to the length it was
    trained with (``answerability.json``); None when ``answerability_dir`` is empty. Loaded in ``warm_up``."""
    if not settings.answerability_dir:
        return None
    config = Path(settings.answerability_dir) / "answerability.json"
    length = json.loads(config.read_text(encoding="utf-8"))["max_length"] if config.is_file() else 256
    return CrossEncoder(
        settings.answerability_dir,
        max_length=length,
        threads=settings.model_threads,
        batch_size=1,
        name="answerability model",
        remedy="rebuild it with scripts/train_answerability.py, or set BOT_ANSWERABILITY_DIR= (empty) to go without",
    )


def reranker(settings: Settings, cache_size: int = 4096) -> PairScorer | None:
    """The teacher cross-encoder alone, or (``cascade``) the distilled student and the teacher; None without a model.
    ``cache_size``: pair scores each model remembers (0: none, as the bench's floor reads)."""
    threads = settings.model_threads
    teacher = (
        CrossEncoder(settings.reranker_dir, threads=threads, batch_size=settings.rerank_batch, cache_size=cache_size)
        if settings.reranker_dir
        else None
    )
    if not settings.cascade or not settings.small_reranker_dir:
        return teacher
    student = CrossEncoder(
        settings.small_reranker_dir,
        threads=threads,
        batch_size=1,
        cache_size=cache_size,
        name="small reranker",
        remedy="rebuild it with scripts/train_reranker.py, or set BOT_CASCADE=0 to rerank with the teacher alone",
    )
    return Cascade(student, teacher, settings.teacher_top, settings.teacher_margin)


class PolicyBot:
    def __init__(self, settings: Settings, calibration: Calibration | None = None) -> None:
        self.settings = settings
        self.calibration = calibration or Calibration(
            threshold=settings.refusal_threshold,
            example_weight=settings.example_weight if settings.examples else 0.0,
            example_center=settings.example_center,
            answer_weight=settings.answer_weight if settings.answerability_dir else 0.0,
            answer_center=settings.answer_center,
            outside_weights=settings.outside_weights,
        )
        self.chunk_params = ChunkParams(settings.chunk_sentences, settings.chunk_overlap, settings.chunk_max_chars)
        self.retrieval_params = retrieval_params(settings)
        self.lifecycle = IndexLifecycle(settings, Embedder(settings.embedding_model), self.chunk_params)
        self.domain = DomainClassifier.load()
        self.reranker = reranker(settings)
        self.judge = answerability_judge(settings) if self.calibration.answer_weight else None
        self.files = SourceFiles(settings.root)
        self.exclude_origins: frozenset[str] = frozenset()  # example origins left out (leave-one-set-out evals)
        self._index: LoadedIndex | None = None
        self._answerer: Answerer | None = None
        self._owners: Owners | None = None

    # -- corpus and index (bot.lifecycle) ---------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        """The document embedding model (torch; used only to build the index)."""
        return self.lifecycle.embedder

    @embedder.setter
    def embedder(self, embedder: Embedder) -> None:
        self.lifecycle.embedder = embedder

    def source_name(self, path: Path) -> str:
        return self.lifecycle.source_name(path)

    def read_corpus(self) -> list[Document]:
        return self.lifecycle.read_corpus()

    def corpus_hashes(self) -> dict[str, str]:
        return self.lifecycle.corpus_hashes()

    def build(self) -> BuildReport:
        """(Re)build the index from the corpus; only chunks whose text changed are embedded again."""
        report = self.lifecycle.build()
        self._index, self._answerer, self._owners = None, None, None
        return report

    def load(self, rebuild: bool = True) -> LoadedIndex:
        """Load the index; when it is missing or stale, rebuild it if ``rebuild`` else raise."""
        return self.lifecycle.load(rebuild=rebuild)

    def warm_up(self, rebuild: bool = True) -> None:
        if self._answerer is not None:
            return
        index = self.load(rebuild=rebuild)
        # Questions are embedded by the build's ONNX export of the model: no torch at query time.
        encoder = OnnxEmbedder.for_build(index.path, self.embedder.model_name, self.settings.model_threads)
        retriever = Retriever(index, encoder, self.reranker, self.retrieval_params)
        retriever.warm_up()
        if self.judge is not None:
            self.judge.warm_up()
        documents = list(index.documents.values())
        voter = ExampleVoter(
            index, self.settings.examples_k, self.settings.examples_temperature, self.settings.examples_turn_weight
        )
        quoting = Quoting(self.settings, index, retriever, self.reranker, self.files)
        speller = self.lifecycle.speller(documents)
        names = names_of(documents)
        self._owners = owners_of(index, documents)
        self._answerer = Answerer(
            self.settings, retriever, voter, self.domain, self.calibration, speller, names, quoting, self.judge
        )
        self._index = index

    @property
    def index(self) -> LoadedIndex:
        self.warm_up()
        assert self._index is not None
        return self._index

    @property
    def owners(self) -> Owners:
        """The owners of the loaded corpus and each document's profile."""
        self.warm_up()
        assert self._owners is not None
        return self._owners

    @property
    def answerer(self) -> Answerer:
        self.warm_up()
        assert self._answerer is not None
        return self._answerer

    # -- answering --------------------------------------------------------------------------------
    def retrieve(self, query: str, top_k: int | None = None, document: str | None = None) -> list[Hit]:
        """The best chunks for ``query`` (of ``document`` only, when given), without answering."""
        a = self.answerer
        scope = None if document is None else frozenset(self.owner_of(document).sources)
        return a.retriever.run(neutral(query, a.names), top_k or self.settings.top_k, scope=scope)

    def owner_of(self, document: str) -> Owner:
        """The owner of the document cited as ``document``; ``UnknownDocumentError`` naming the known ones."""
        known = [p.source for p in self.owners.profiles]
        if document not in known:
            raise UnknownDocumentError(f"unknown document {document!r}; known documents: {', '.join(known)}")
        return self.owners.of_document(document)

    def ask(self, question: str, history: Sequence[Turn] = (), document: str | None = None) -> Answer:
        """Answer ``question`` (after ``history``) from one owner's documents: ``document``'s owner when given."""
        validate(question, history, self.settings.max_question_chars)
        owner = self.owner_of(document) if document is not None else self._named_owner(question)
        reason = form_refusal(question)  # noise, or an instruction to the bot: refused before anything is read
        if reason is not None:
            return refusal(question, question, reason, owner, self.files)
        reading = self.answerer.read(question, history, self._scope(owner), self.exclude_origins)
        if owner is None:  # several owners, none named: the owner of the best passage answers
            owner, reading = self._best_owner(reading)
        return self.answerer.answer(reading, owner, self.exclude_origins)

    def canonical(self, text: str) -> str:
        """``text`` as the answer cache keys it: misspellings corrected, then case, punctuation and spacing folded
        ("do u sell my data" and "Do you sell my data?" are one question)."""
        speller = self.answerer.speller
        return normalise(speller.correct(text) if speller is not None else text)

    def _named_owner(self, question: str) -> Owner | None:
        owners = self.owners
        return owners.owners[0] if owners.single else owners.named_in(question)

    def _scope(self, owner: Owner | None) -> frozenset[str] | None:
        """The documents ``owner`` may quote; None when that is every document (or no owner is chosen yet)."""
        if owner is None or self.owners.single:
            return None
        return frozenset(owner.sources)

    def _best_owner(self, reading: Reading) -> tuple[Owner, Reading]:
        """The owner of the best passage of any document, and the reading scoped to its documents (the question is
        not embedded again: only the example vote is taken anew, among that owner's examples)."""
        hits = self.answerer.retrieve(reading)
        owner = self.owners.of_document(hits[0].chunk.source) if hits else self.owners.owners[0]
        scope = self._scope(owner)
        vote = self.answerer.vote(reading.vector, self.exclude_origins, scope, reading.turn)
        return owner, replace(reading, scope=scope, vote=vote)
