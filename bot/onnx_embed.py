"""The query encoder without torch: the embedding model exported to ONNX at index build time.

``write_query_encoder`` (build time; needs torch, sentence-transformers and onnx) turns the loaded
SentenceTransformer into one ONNX graph (transformer, mean pooling, L2 normalisation), saves it with its
tokenizer in ``<build>/query_encoder/`` and checks it against sentence-transformers on a few probe texts.
``OnnxEmbedder`` (query time) runs that folder with onnxruntime + tokenizers: asking and serving never
import torch or sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import IndexCorruptError, ModelUnavailableError

if TYPE_CHECKING:
    from .embedding import Embedder

ENCODER_DIR = "query_encoder"
FILES = ("model.onnx", "tokenizer.json")
RECIPE = 1  # bump whenever the export writes something different: older builds then count as stale
MIN_COSINE = 0.999
INPUTS = ("input_ids", "attention_mask", "token_type_ids")

# Texts the export is checked on: short, long (truncated at the model's limit), accented, empty-ish.
PROBES = (
    "Is my eleven year old allowed to make an account?",
    "are advertisers buying my data from you",
    "Once my account is closed, for how long is my information still held?",
    "Où sont stockées mes données ?",
    "?",
    "cookies " * 300,
)

# The last folder exported per weights fingerprint in this process: building many indexes (PolicyQA builds one
# per policy) copies it instead of exporting again. Only a hint: a folder is reused after its hashes check out.
_EXPORTED: dict[str, Path] = {}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class OnnxEmbedder:
    """L2-normalised float32 vectors from an exported encoder folder. Config in ``__init__``, loads in ``warm_up``."""

    def __init__(self, folder: Path, model_name: str, threads: int = 1, batch_size: int = 32) -> None:
        self.folder = folder
        self.model_name = model_name
        self.threads = threads
        self.batch_size = batch_size
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: set[str] = set()

    @classmethod
    def for_build(cls, build: Path, model_name: str, threads: int = 1) -> OnnxEmbedder:
        """The encoder saved inside an index build folder."""
        return cls(build / ENCODER_DIR, model_name, threads)

    def warm_up(self) -> None:
        if self._session is not None:
            return
        missing = [n for n in FILES if not (self.folder / n).is_file()]
        if missing:
            raise IndexCorruptError(
                f"query encoder incomplete in {self.folder} (missing {', '.join(missing)}); rebuild the index"
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.enable_mem_pattern = False  # plans per input shape: questions vary in length, so it only grows RSS
        self._session = ort.InferenceSession(
            str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))

    @property
    def dimension(self) -> int:
        self.warm_up()
        return int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        out: list[np.ndarray] = []
        for i in range(0, len(texts), self.batch_size):
            out.append(self._run(texts[i : i + self.batch_size]))
        if not out:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(np.concatenate(out), dtype=np.float32)

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        feed = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in INPUTS}
        for row, e in enumerate(encodings):
            n = len(e.ids)
            feed["input_ids"][row, :n] = e.ids
            feed["attention_mask"][row, :n] = 1
            feed["token_type_ids"][row, :n] = e.type_ids
        vectors = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def min_cosine(reference: np.ndarray, candidate: np.ndarray) -> float:
    """The smallest row-wise cosine similarity between two stacks of vectors (1.0 when they agree)."""
    a = np.asarray(reference, dtype=np.float64)
    b = np.asarray(candidate, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return float(np.min(np.sum(a * b, axis=1) / np.maximum(norms, 1e-12)))


def _check_exportable(model: Any) -> tuple[Any, Any, int]:
    """(transformer module, backend tokenizer, max tokens) of a Transformer → mean Pooling → Normalize model."""
    kinds = [type(m).__name__ for m in model]
    pooling = model[1].get_config_dict() if len(kinds) > 1 else {}
    mean = pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens") is True
    if kinds != ["Transformer", "Pooling", "Normalize"] or not mean:
        raise ModelUnavailableError(
            f"cannot export the query encoder: expected Transformer, mean Pooling, Normalize; got {kinds} {pooling}"
        )
    return model[0].auto_model, model.tokenizer.backend_tokenizer, int(model.max_seq_length)


def _export(model: Any, dest: Path) -> None:
    """Write ``model.onnx`` and ``tokenizer.json`` for the SentenceTransformer ``model`` into ``dest``."""
    import torch
    from tokenizers import Tokenizer

    transformer, backend, max_tokens = _check_exportable(model)

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    tokenizer = Tokenizer.from_str(backend.to_str())
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    # Trace with a padded batch so that the attention mask is a real input of the graph, never folded away.
    sample = tokenizer.encode_batch(["a short probe", "a somewhat longer probe sentence with more words in it"])
    width = max(len(e.ids) for e in sample)
    tensors = {name: torch.zeros((len(sample), width), dtype=torch.long) for name in INPUTS}
    for row, e in enumerate(sample):
        tensors["input_ids"][row, : len(e.ids)] = torch.tensor(e.ids)
        tensors["attention_mask"][row, : len(e.ids)] = 1
        tensors["token_type_ids"][row, : len(e.ids)] = torch.tensor(e.type_ids)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {"embedding": {0: "batch"}}
    config = transformer.config
    attention = config._attn_implementation
    config._attn_implementation = "eager"  # plain matmuls: exports on every opset, no fused-kernel branches
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer and deprecation chatter
            torch.onnx.export(
                Pooled(transformer).eval(),
                tuple(tensors[name] for name in INPUTS),
                str(dest / "model.onnx"),
                input_names=list(INPUTS),
                output_names=["embedding"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
    finally:
        config._attn_implementation = attention
    tokenizer.save(str(dest / "tokenizer.json"))


def read_spec(folder: Path) -> dict[str, Any] | None:
    """``encoder.json`` of an exported folder when every file still matches its hash, else None."""
    try:
        spec = dict(json.loads((folder / "encoder.json").read_text(encoding="utf-8")))
        if all(_sha256(folder / n) == spec["files"][n] for n in FILES):
            return spec
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def write_query_encoder(
    embedder: Embedder, fingerprint: str, dest: Path, reuse: tuple[Path, ...] = (), threads: int = 1
) -> dict[str, Any]:
    """Write the query encoder for ``embedder``'s model into ``dest`` and return its spec (also ``encoder.json``).

    A folder in ``reuse`` exported from the same weights (``fingerprint``) by the same recipe, its files intact,
    is copied: no model is loaded. Otherwise the model is exported and checked against sentence-transformers on
    ``PROBES``: every cosine must be at least ``MIN_COSINE``, else ``ModelUnavailableError``.
    """
    dest.mkdir(parents=True, exist_ok=True)
    candidates = (*reuse, *([_EXPORTED[fingerprint]] if fingerprint in _EXPORTED else []))
    for folder in candidates:
        spec = read_spec(folder) if folder != dest else None
        if spec and spec.get("recipe") == RECIPE and spec.get("embedding_fingerprint") == fingerprint:
            for name in (*FILES, "encoder.json"):
                shutil.copyfile(folder / name, dest / name)
            return spec
    model = embedder.sentence_transformer
    _export(model, dest)
    reference = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
    agreement = min_cosine(reference, OnnxEmbedder(dest, embedder.model_name, threads).encode(list(PROBES)))
    if agreement < MIN_COSINE:
        raise ModelUnavailableError(
            f"the ONNX query encoder disagrees with sentence-transformers (cosine {agreement:.5f} < {MIN_COSINE})"
        )
    spec = {
        "recipe": RECIPE,
        "embedding_fingerprint": fingerprint,
        "min_cosine": round(agreement, 6),
        "files": {n: _sha256(dest / n) for n in FILES},
    }
    (dest / "encoder.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")
    _EXPORTED[fingerprint] = dest
    return spec
