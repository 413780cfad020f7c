"""Is a question about the privacy policy at all? A logistic regression over its sentence embedding.

The weights are trained by ``scripts/train_domain.py`` and shipped as plain JSON in
``bot/data/domain_classifier.json``; at runtime only numpy is needed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "domain_classifier.json"


@dataclass(frozen=True)
class DomainClassifier:
    """Linear classifier ``sigmoid(w·v + b) >= threshold`` on one L2-normalised question embedding."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def __post_init__(self) -> None:
        if not self.weights:
            raise ValueError("domain classifier has no weights")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must lie in [0, 1], got {self.threshold}")

    @classmethod
    def load(cls, path: Path | None = None) -> DomainClassifier:
        """Read the classifier from ``path`` (default: ``bot/data/domain_classifier.json``)."""
        data = json.loads((path or DEFAULT_PATH).read_text(encoding="utf-8"))
        weights = tuple(float(w) for w in data["weights"])
        dimension = int(data.get("dimension", len(weights)))
        if len(weights) != dimension:
            raise ValueError(f"domain classifier has {len(weights)} weights but dimension {dimension}")
        return cls(weights=weights, bias=float(data["bias"]), threshold=float(data["threshold"]))

    @property
    def dimension(self) -> int:
        """Length of the embedding vectors this classifier expects."""
        return len(self.weights)

    def probability(self, vector: np.ndarray) -> float:
        """Probability that the question embedded as ``vector`` (one 1-d, L2-normalised) is in scope."""
        v = np.asarray(vector, dtype=np.float64).reshape(-1)
        if v.shape[0] != self.dimension:
            raise ValueError(f"expected a {self.dimension}-d vector, got {v.shape[0]}-d")
        z = float(np.dot(np.asarray(self.weights, dtype=np.float64), v)) + self.bias
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def in_scope(self, vector: np.ndarray) -> bool:
        """True when the question looks like a privacy-policy question (``probability >= threshold``)."""
        return self.probability(vector) >= self.threshold
