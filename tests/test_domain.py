"""The shipped domain classifier separates privacy-policy questions from everything else.

The exact questions below are deliberately absent from scripts/data/*.txt, so these
assertions exercise generalisation rather than memorisation.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.domain import DEFAULT_PATH, DomainClassifier
from bot.settings import packaged_embedding_model

IN_SCOPE = [
    "do you sell my personal data?",
    "is my eleven-year-old daughter allowed to register?",
    "how do I turn off cookies?",
    "could I file a lawsuit against your company?",
]
OUT_OF_SCOPE = [
    "Is it going to rain in El Segundo tomorrow?",
    "how much is the business plan?",
    "write me a python function to sort a list",
]


@pytest.fixture(scope="module")
def model() -> Any:
    sentence_transformers = pytest.importorskip("sentence_transformers")
    return sentence_transformers.SentenceTransformer(packaged_embedding_model(), device="cpu")


@pytest.fixture(scope="module")
def classifier() -> DomainClassifier:
    return DomainClassifier.load()


def _embed(model: Any, text: str) -> np.ndarray:
    return np.asarray(model.encode([text], normalize_embeddings=True)[0])


def test_shipped_json_is_plain_and_consistent() -> None:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert data["embedding_model"] == "all-MiniLM-L6-v2"
    assert data["dimension"] == len(data["weights"]) == 384
    assert 0.0 < data["threshold"] < 1.0


def test_load_explicit_path_matches_default(classifier: DomainClassifier) -> None:
    assert DomainClassifier.load(Path(DEFAULT_PATH)) == classifier


def test_probability_is_sigmoid_of_linear_score(classifier: DomainClassifier) -> None:
    zero = np.zeros(classifier.dimension)
    assert classifier.probability(zero) == pytest.approx(1.0 / (1.0 + np.exp(-classifier.bias)))
    with pytest.raises(ValueError):
        classifier.probability(np.zeros(classifier.dimension + 1))


@pytest.mark.parametrize("question", IN_SCOPE)
def test_privacy_questions_are_in_scope(model: Any, classifier: DomainClassifier, question: str) -> None:
    vector = _embed(model, question)
    assert classifier.in_scope(vector), f"{question!r}: p={classifier.probability(vector):.3f}"


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_other_questions_are_out_of_scope(model: Any, classifier: DomainClassifier, question: str) -> None:
    vector = _embed(model, question)
    assert not classifier.in_scope(vector), f"{question!r}: p={classifier.probability(vector):.3f}"
