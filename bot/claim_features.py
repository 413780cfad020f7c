"""How a claim differs from the quotes it cites, as numbers: the signals of the usual ways a fluent sentence
misstates a policy (polarity, modality, quantifiers, conditions, parties, new content).

Each feature is a general reading of English, not of one policy: word classes below are generic English and
generic privacy-policy vocabulary. ``features`` is pure; ``bot.checker`` combines them with the verifier's
probability in a logistic model fitted by ``scripts/train_verifier.py`` on synthetic pairs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .claim_text import NEGATIONS, PARTY_TERMS, content_words, words

NAMES = (
    "negation_differs", "claim_negated_more", "stronger_modal", "weaker_modal", "new_universal",
    "dropped_condition", "added_condition", "new_party", "new_content", "new_content_count", "claim_longer",
    "claim_words", "subject_differs",
)  # fmt: skip

CERTAIN = frozenset("will shall must always never cannot guarantee guarantees guaranteed ensure ensures".split())
POSSIBLE = frozenset("may might can could generally usually typically sometimes often seek endeavor try".split())
UNIVERSAL = frozenset("all every any always never none nobody nothing only solely exclusively entire".split())
CONDITIONS = (
    "unless", "except", "if", "provided", "so long as", "as long as", "subject to", "only if", "only when",
    "when", "where", "without your", "with your consent", "to the extent", "other than", "in the event",
    "under conditions", "as required", "as permitted", "notwithstanding",
)  # fmt: skip
WRITER = frozenset("we us our ours company".split())
READER = frozenset("you your yours user users".split())
PARTIES = frozenset(
    """advertisers advertiser brokers broker affiliates affiliate partners partner government agencies police
    employees contractors vendors providers insurers researchers public children parents third parties buyers
    marketers sponsors""".split()
)


def _lower_words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in words(text)]


def _negations(text: str) -> int:
    return sum(w in NEGATIONS or w.endswith("n't") for w in _lower_words(text))


def _first_party(text: str) -> str:
    """Who a sentence is first about: "writer" (we, the Company), "reader" (you, users), "third", or ""."""
    for w in _lower_words(text):
        if w in WRITER:
            return "writer"
        if w in READER:
            return "reader"
        if w in PARTIES:
            return "third"
    return ""


def _conditions(text: str) -> set[str]:
    folded = " " + " ".join(_lower_words(text)) + " "
    return {c for c in CONDITIONS if f" {c} " in folded}


_ANSWER_WORD = re.compile(r"^\s*(?:yes|no)\b[,.!:;]*\s*", re.I)


def strip_answer_word(claim: str) -> str:
    """The claim without a leading "Yes," or "No," (an answer to a question, not part of what is claimed)."""
    return _ANSWER_WORD.sub("", claim)


def features(claim: str, quotes: Sequence[str]) -> list[float]:
    """The values of ``NAMES`` for a claim (citations removed) and its cited quotes. A leading "Yes," or "No,"
    answers a question; it is not part of the claim."""
    claim = strip_answer_word(claim)
    premise = " ".join(quotes)
    mine, theirs = _lower_words(claim), set(_lower_words(premise))
    neg_c, neg_p = _negations(claim), _negations(premise)
    certain_new = any(w in CERTAIN and w not in theirs for w in mine)
    possible_new = any(w in POSSIBLE and w not in theirs for w in mine)
    universal_new = any(w in UNIVERSAL and w not in theirs for w in mine)
    dropped = bool(_conditions(premise) - _conditions(claim))
    added = bool(_conditions(claim) - _conditions(premise))
    party_new = any(w in PARTIES and w not in theirs and w not in PARTY_TERMS for w in mine)
    stems = content_words(claim)
    known = set(content_words(premise)) | set(content_words(" ".join(PARTY_TERMS)))
    novel = [w for w in stems if w not in known]
    subject = _first_party(claim)
    subjects = {_first_party(q) for q in quotes}
    return [
        float((neg_c > 0) != (neg_p > 0)),
        float(neg_c > neg_p),
        float(certain_new),
        float(possible_new),
        float(universal_new),
        float(dropped),
        float(added),
        float(party_new),
        len(novel) / max(1, len(stems)),
        min(len(novel), 6) / 6,
        float(len(mine) > len(_lower_words(premise))),
        min(len(mine), 60) / 60,
        float(bool(subject) and "" not in subjects and subject not in subjects),
    ]


@dataclass(frozen=True)
class FeatureModel:
    """A logistic model over ``features``: P(supported) from how the claim differs from its quotes."""

    weights: tuple[float, ...]
    bias: float

    @classmethod
    def load(cls, path: Path) -> FeatureModel:
        """The weights ``scripts/train_verifier.py`` wrote (``features.json``); their names must match ``NAMES``."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["names"]) != NAMES:
            raise ValueError(f"{path}: fitted for features {data['names']}, not {list(NAMES)}")
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]))

    def probability(self, claim: str, quotes: Sequence[str]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, features(claim, quotes), strict=True))
        return 1.0 / (1.0 + math.exp(-z))
