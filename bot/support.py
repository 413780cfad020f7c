"""Is a generated sentence supported by the quotes it cites? The check every LLM sentence passes before it is shown.

A sentence is supported when, in this order:

1. it cites at least one quote (``[n]``), and every number it cites exists;
2. every number (digits or number words: dates, ages, amounts), every capitalised name, every link or e-mail
   address and every absolute word ("only", "always", "all", "every", "must", "guarantee") in it occurs in a
   cited quote, and any currency sign it uses does too;
3. its negation agrees with a cited quote: a sentence with "not / no / never / n't / cannot / without..." needs
   a cited quote with one, and a sentence without needs a quote without;
4. most of its content words (stemmed; ``min_overlap``) occur in the cited quotes: a sentence that brings
   its own nouns and verbs ("...to sell your browsing history to advertisers") is an invention;
5. the support score, the cross-encoder's logit with the sentence (citations removed) as query and that quote
   as passage, reaches ``threshold`` for at least one cited quote whose negation agrees.

The words of a sentence (its citations, numbers, names, negations, stems) are read by ``bot.claim_text``.
Words naming the parties and the document ("Company", "User", "Sites", "Policy", "we", "you") may be used
even when the quote says "we" or "the Company" instead. The checks are deliberately simple and conservative:
they drop some good sentences rather than show a bad one. Everything here is pure except ``score``, which is
passed in (``bot.rerank.CrossEncoder`` in production), and the thresholds, calibrated by
``scripts/calibrate_support.py`` (docs/LLM.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from .claim_text import (
    PARTY_TERMS,
    acronyms_in,
    cited,
    content_words,
    has_negation,
    initials,
    names_in,
    numbers_in,
    split_sentences,
    strip_citations,
    words,
)

# Calibrated on scripts/data/support_pairs.jsonl by scripts/calibrate_support.py (docs/LLM.md).
SUPPORT_THRESHOLD = 5.0
MIN_OVERLAP = 0.7

# (sentence, passages) -> one support logit per passage
Scorer = Callable[[str, list[str]], Sequence[float]]

_LINK = re.compile(
    r"(?:https?://|www\b)\S+|[\w.+-]+@[\w-]+\.[\w.]+|\b[\w-]+(?:\.[\w-]+)+/\S*|\b[\w-]+\.(?:com|org|net|gov|edu|io)\b",
    re.I,
)
_CURRENCY = {"$": ("$", "dollar", "usd"), "€": ("€", "euro", "eur"), "£": ("£", "pound", "gbp"), "¥": ("¥", "yen")}

# Absolute words: "we use it only for...", "you must..." where the quote says "generally" or "may".
ABSOLUTES = frozenset("only always all every solely exclusively guarantee guarantees guaranteed must".split())
# Absolute words that say the same: "only" is supported by a quote that says "solely".
SAME_ABSOLUTE = (frozenset({"only", "solely", "exclusively"}), frozenset({"guarantee", "guarantees", "guaranteed"}))


@dataclass(frozen=True)
class SentenceCheck:
    """One generated sentence and the verdict on it. ``score`` is None when an earlier check already failed."""

    text: str
    citations: tuple[int, ...]
    supported: bool
    score: float | None
    reason: str


Checker = Callable[[str, Sequence[str]], SentenceCheck]  # (sentence, numbered quotes) -> verdict, as the checkers


def _fold(text: str) -> str:
    return text.replace("’", "'").casefold()


def overlap(sentence: str, quotes: Sequence[str]) -> float:
    """Share of the sentence's content words that occur in the quotes (party terms count as present)."""
    mine = content_words(sentence)
    if not mine:
        return 1.0
    theirs = set(content_words(" ".join(quotes))) | set(content_words(" ".join(PARTY_TERMS)))
    return sum(w in theirs for w in mine) / len(mine)


def _occurs(word: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(_fold(word))}(?![A-Za-z0-9])", _fold(text)) is not None


def unsupported_claims(sentence: str, quotes: Sequence[str], names: Collection[str] = ()) -> list[str]:
    """The numbers, names, currency signs, links and absolute words of ``sentence`` that no quote in ``quotes`` has.
    ``names`` (casefolded) are the document's own names for its owner ("Harborline" where a quote says "we"):
    they stand for a party, like "Company", without being quoted."""
    text = " ".join(quotes)
    problems = [f"number {n}" for n in sorted(numbers_in(sentence) - numbers_in(text))]
    spelled = set(acronyms_in(sentence))
    known = initials(text) | set(acronyms_in(text))
    problems += [f"name {a!r}" for a in sorted(spelled) if a not in known and not _occurs(a, text)]
    dotted = {c for a in spelled for c in a}  # the letters of "U.S." are not names of their own
    problems += [
        f"name {n!r}"
        for n in dict.fromkeys(names_in(sentence, quotes))
        if n.lower() not in PARTY_TERMS
        and n.casefold() not in names
        and not _occurs(n, text)
        and not (len(n) == 1 and n in dotted)
    ]
    for sign, spellings in _CURRENCY.items():
        if sign in sentence and not any(s in _fold(text) for s in spellings):
            problems.append(f"currency {sign}")
    problems += [
        f"link {link!r}"
        for link in dict.fromkeys(m.group().rstrip(".,;:!?)”\"'") for m in _LINK.finditer(sentence))
        if link.casefold() not in _fold(text)
    ]
    problems += [
        f"word {w!r}"
        for w in dict.fromkeys(w.lower() for w in words(sentence) if w.lower() in ABSOLUTES)
        if not any(_occurs(same, text) for same in next((g for g in SAME_ABSOLUTE if w in g), frozenset({w})))
    ]
    return problems


# -- the verdict -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """A sentence that passed the cheap gates: its text, the quotes it cites, and what it claims of them."""

    text: str  # the sentence, whitespace folded
    numbers: tuple[int, ...]  # the quote numbers it cites
    claim: str  # the sentence without its citations
    sources: list[str]  # the cited quotes, in citation order
    doubts: tuple[str, ...] = ()  # what the soft gates found unquoted ("name 'EEA'"): a judge must be sure


def cheap_gates(
    sentence: str, quotes: Sequence[str], names: Collection[str] = (), soft: Collection[str] = ()
) -> Claim | SentenceCheck:
    """The gates every checker runs first: a citation, only existing quote numbers, some words, and every number,
    name (but the owner's ``names``), link and absolute word in a cited quote. The failing verdict, else the claim
    to judge further. A problem of a ``soft`` kind ("name", "word") does not fail: it is the claim's ``doubts``."""
    text = " ".join(sentence.split())
    numbers = cited(text)
    if not numbers:
        return SentenceCheck(text, numbers, False, None, "cites no quote")
    missing = [n for n in numbers if not 1 <= n <= len(quotes)]
    if missing:
        return SentenceCheck(text, numbers, False, None, f"cites [{missing[0]}], which is not one of the quotes")
    claim = strip_citations(text)
    if not words(claim):
        return SentenceCheck(text, numbers, False, None, "says nothing but citations")
    sources = [quotes[n - 1] for n in numbers]
    problems = unsupported_claims(claim, sources, names)
    hard = [p for p in problems if p.split(" ", 1)[0] not in soft]
    if hard:
        return SentenceCheck(text, numbers, False, None, f"{', '.join(problems)} not in the cited quotes")
    return Claim(text, numbers, claim, sources, tuple(problems))


def check_sentence(
    sentence: str, quotes: Sequence[str], score: Scorer, threshold: float, min_overlap: float = MIN_OVERLAP
) -> SentenceCheck:
    """Judge one generated sentence against the numbered quotes (``quotes[0]`` is ``[1]``)."""
    gated = cheap_gates(sentence, quotes)
    if isinstance(gated, SentenceCheck):
        return gated
    text, numbers, claim, sources = gated.text, gated.numbers, gated.claim, gated.sources
    negated = has_negation(claim)
    agreeing = [q for q in sources if has_negation(q) == negated]
    if not agreeing:
        side = "a negation" if negated else "no negation"
        return SentenceCheck(text, numbers, False, None, f"has {side}, unlike the cited quotes")
    shared = overlap(claim, sources)
    if shared < min_overlap:
        return SentenceCheck(
            text, numbers, False, None, f"{shared:.0%} of its words are in the cited quotes (needs {min_overlap:.0%})"
        )
    best = round(max(float(s) for s in score(claim, agreeing)), 4)
    if best < threshold:
        return SentenceCheck(text, numbers, False, best, f"support {best:.2f} is below {threshold:.2f}")
    return SentenceCheck(text, numbers, True, best, "supported")


def check_text(
    text: str, quotes: Sequence[str], score: Scorer, threshold: float, min_overlap: float = MIN_OVERLAP
) -> list[SentenceCheck]:
    """Split generated text into sentences and judge each."""
    return [check_sentence(s, quotes, score, threshold, min_overlap) for s in split_sentences(text)]
