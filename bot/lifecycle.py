"""The index lifecycle: read and hash the corpus and its example banks, build the index, load it, tell it is stale.

Config in ``__init__``; nothing heavy happens until ``build`` or ``load``. The speller of the corpus's words is
made here too, once per corpus text, because the build embeds bank examples as they will be read when asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from .chunking import ChunkParams
from .embedding import Embedder
from .errors import CorpusError, IndexMissingError, IndexStaleError
from .examples import Bank, Example, bank_path, read_bank
from .expand import neutral, owner_names
from .followup import Turn, resolve
from .index import BuildReport, build_index, expected_fingerprint
from .index_read import LoadedIndex, check_fresh, load_index, sha256_bytes
from .policy import Document, read_policy
from .settings import Settings
from .spelling import Speller
from .vector_cache import VectorCache

log = logging.getLogger(__name__)


def source_name(root: Path, path: Path) -> str:
    """How citations name ``path``: relative to ``root`` when under it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def names_of(documents: Sequence[Document]) -> list[str]:
    """The policy owners' names, longest first: said as "the Company" to the models."""
    return sorted({n for d in documents for n in owner_names(d.title, d.text)}, key=len, reverse=True)


def prepare(query: str, names: list[str], speller: Speller | None) -> str:
    """What the models read of a (resolved) question: the owner's name neutral, misspellings corrected. The name is
    made neutral again after correcting: a misspelled name the speller restores ("Globx") reads as a spelled one."""
    asked = neutral(query, names)
    return neutral(speller.correct(asked), names) if speller is not None else asked


class IndexLifecycle:
    """Reads, hashes, builds and loads the index of ``settings.corpus`` under ``settings.index_dir``."""

    def __init__(self, settings: Settings, embedder: Embedder, chunk_params: ChunkParams) -> None:
        self.settings = settings
        self.embedder = embedder
        self.chunk_params = chunk_params
        self._spellers: tuple[tuple[str, ...], Speller] | None = None  # (the corpus texts, their speller)

    def source_name(self, path: Path) -> str:
        return source_name(self.settings.root, path)

    def path_of(self, source: str) -> Path:
        return Path(source) if Path(source).is_absolute() else self.settings.root / source

    def _files(self) -> list[Path]:
        files = self.settings.resolved_corpus()
        if not files:
            raise IndexMissingError(f"no policy files (.md or .txt) in {', '.join(map(str, self.settings.corpus))}")
        return files

    def read_corpus(self) -> list[Document]:
        return [read_policy(p, self.source_name(p)) for p in self._files()]

    def read_banks(self, documents: Sequence[Document]) -> list[Bank]:
        """The example bank beside each policy file (empty for a policy without one); BankError when malformed."""
        if not self.settings.examples:
            return []
        return [read_bank(bank_path(self.path_of(d.source)), d) for d in documents]

    def bank_hashes(self, sources: Sequence[str]) -> dict[str, str | None]:
        """sha256 of each document's bank file (None without one, or with banks switched off)."""
        hashes: dict[str, str | None] = {}
        for source in sources:
            path = bank_path(self.path_of(source))
            hashes[source] = sha256_bytes(path.read_bytes()) if self.settings.examples and path.is_file() else None
        return hashes

    def corpus_hashes(self) -> dict[str, str]:
        """sha256 of each configured policy file's bytes, by source name: enough to tell an index is current
        without parsing the corpus (the parse happens only when the index must be rebuilt)."""
        hashes = {}
        for path in self._files():
            try:
                hashes[self.source_name(path)] = sha256_bytes(path.read_bytes())
            except OSError as exc:
                raise CorpusError(f"cannot read policy file {path}: {exc.strerror or exc}") from exc
        return hashes

    def build(self) -> BuildReport:
        """(Re)build the index from the corpus; only chunks whose text changed are embedded again."""
        documents = self.read_corpus()
        return build_index(
            documents,
            self.embedder,
            self.chunk_params,
            self.settings.resolved_index_dir(),
            self.read_banks(documents),
            self._example_text_for(documents),
            VectorCache(self.settings.vector_cache) if self.settings.vector_cache else None,
        )

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

    def speller(self, documents: Sequence[Document]) -> Speller | None:
        """The speller of these documents' words, loaded once per corpus (a rebuild then warm-up reuse it)."""
        if not self.settings.spelling:
            return None
        texts = tuple(d.text for d in documents)
        if self._spellers is None or self._spellers[0] != texts:
            speller = Speller(texts)
            speller.warm_up()
            self._spellers = (texts, speller)
        return self._spellers[1]

    def _example_text_for(self, documents: Sequence[Document]) -> Callable[[Example], tuple[str, str | None]]:
        """How a bank example is embedded: as its question would be read when asked (follow-up resolved, the
        owner's name neutral, spelling corrected), so the vote compares like with like; and a follow-up's own
        turn, read alone the same way (None for a question that needs no earlier turn)."""
        names = names_of(documents)
        speller = self.speller(documents)

        def text(e: Example) -> tuple[str, str | None]:
            query = resolve(e.question, [Turn(r, c) for r, c in e.history])
            turn = prepare(e.question, names, speller) if query != e.question else None
            return prepare(query, names, speller), turn

        return text
