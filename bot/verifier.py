"""The support verifier: P(the cited quotes entail a claim), from two models trained here (docs/LLM.md).

- a small cross-encoder (int8 ONNX, ``model.onnx`` + ``tokenizer.json``) fine-tuned from all-MiniLM-L6-v2;
- a logistic model over how the claim differs from the quotes (``bot.claim_features``, ``features.json``).

The verifier's probability is the cross-encoder's (``"combine": "cross"`` in ``verifier.json``), or the lower of
the two (``"lower"``, the first models'), so that either can veto a claim it is sure of. The
cross-encoder reads the claim (citations removed) as the first segment and the cited quotes, joined by a space,
as the second, the longer of the two cut at its end to the length it was trained with.
Trained by ``scripts/train_verifier.py`` on synthetic pairs from policy sentences (docs/LLM.md); shipped in
``bot/data/verifier/`` (``model.onnx``, ``tokenizer.json``, ``verifier.json``). onnxruntime + tokenizers, no
torch; loaded in ``warm_up``, never at import. Pairs are scored one at a time (no padding, so int8's dynamic
activation scale never depends on other pairs) and remembered.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .claim_features import FeatureModel
from .errors import ModelUnavailableError

VERIFIER_DIR = Path(__file__).resolve().parent / "data" / "verifier"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class Verifier:
    """P(supported) for (claim, quotes). Config in the constructor, the model loaded in ``warm_up``."""

    def __init__(self, model_dir: Path | str = VERIFIER_DIR, threads: int = 1, cache_size: int = 4096) -> None:
        self.model_dir = Path(model_dir)
        self.threads = threads
        self.cache_size = cache_size
        self.max_length = 256
        self.combine = "lower"
        self._session: Any = None
        self._tokenizer: Any = None
        self._features: FeatureModel | None = None
        self._cache: OrderedDict[tuple[str, tuple[str, ...]], float] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the tokenizer and the ONNX session (once)."""
        if self._session is not None:
            return
        folder = self.model_dir
        needed = [folder / n for n in ("model.onnx", "tokenizer.json", "verifier.json", "features.json")]
        missing = [p.name for p in needed if not p.is_file()]
        if missing:
            raise ModelUnavailableError(
                f"support verifier not found in {folder} (missing {', '.join(missing)}); "
                "rebuild it with scripts/train_verifier.py (docs/LLM.md)"
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = json.loads((folder / "verifier.json").read_text(encoding="utf-8"))
        self.max_length = int(config["max_length"])
        self.combine = str(config.get("combine", "lower"))
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_length, strategy="longest_first")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self._tokenizer = tokenizer
        self._features = FeatureModel.load(folder / "features.json")

    def probability(self, claim: str, quotes: Sequence[str]) -> float:
        """P(the quotes, read together, entail ``claim``): the cross-encoder's, or the lower of the two models'."""
        if self.combine == "cross":
            self.warm_up()
            return self._cross(claim, quotes)
        return min(self.parts(claim, quotes))

    def parts(self, claim: str, quotes: Sequence[str]) -> tuple[float, float]:
        """(the cross-encoder's P, the feature model's P) for ``claim`` against ``quotes``."""
        self.warm_up()
        assert self._features is not None
        return self._cross(claim, quotes), self._features.probability(claim, quotes)

    def _cross(self, claim: str, quotes: Sequence[str]) -> float:
        key = (claim, tuple(quotes))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        e = self._tokenizer.encode(claim, " ".join(quotes))
        feed = {
            "input_ids": np.array([e.ids], dtype=np.int64),
            "attention_mask": np.ones((1, len(e.ids)), dtype=np.int64),
            "token_type_ids": np.array([e.type_ids], dtype=np.int64),
        }
        logit = float(np.asarray(self._session.run(None, feed)[0]).reshape(-1)[0])
        value = 1.0 / (1.0 + math.exp(-logit))
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return value
