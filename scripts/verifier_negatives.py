"""Rewrites of a policy sentence that change its meaning, for the verifier's negative training pairs.

Negation inserted or removed, modality and quantifier shifts, numbers changed, parties swapped, conditions dropped
or added, claims added, and false compositions of two sentences. Generic English and generic privacy-policy words
only (``scripts/verifier_perturb.py`` holds them); nothing here knows any one policy.
"""

from __future__ import annotations

import random
import re

from verifier_perturb import (
    _AUX,
    _NEG,
    _SUBJECT_VERB,
    ADDED_CONDITIONS,
    CONDITION_OPENERS,
    DATA_KINDS,
    INVENTED,
    NUMBER_WORDS,
    PARTIES,
    SAME_PARTY,
    STRENGTHEN,
    Rewrite,
    _cap,
    _end,
    _sub_once,
)

_BASE_VERB = {"is": "is", "are": "are", "was": "was", "were": "were", "has": "has", "have": "have"}


def negate(sentence: str, rng: random.Random) -> str | None:
    """Flip the polarity of one clause: add "not" after an auxiliary, or remove it; "never" <-> "always"."""
    if _NEG.search(sentence) and rng.random() < 0.8:
        m = rng.choice(list(_NEG.finditer(sentence)))
        aux = m.group(0).split()[0]
        keep = "" if aux.lower() in {"do", "does", "did"} else aux + " "
        return sentence[: m.start()] + keep + sentence[m.end() :]
    for neg, pos in (("cannot", "can"), ("never", "always"), ("no longer", "still"), ("don't", "do"),
                     ("doesn't", "does"), ("won't", "will"), ("without", "with"), ("none of", "all of")):  # fmt: skip
        if re.search(rf"\b{neg}\b", sentence, re.I):
            return re.sub(rf"\b{neg}\b", pos, sentence, count=1, flags=re.I)
    auxes = [m for m in _AUX.finditer(sentence) if not m.group(2)]
    if auxes:
        m = rng.choice(auxes)
        return sentence[: m.end()] + (" never" if rng.random() < 0.25 else " not") + sentence[m.end() :]
    m = _SUBJECT_VERB.search(sentence)
    if m and m.group(2).lower() not in {"and", "or", "the", "a", "to", "of"}:
        verb = m.group(2)
        subject = m.group(1)
        does = subject.lower() in {"the company", "company"}
        stem = verb[:-1] if does and verb.endswith("s") and not verb.endswith("ss") else verb
        insert = "never" if rng.random() < 0.3 else ("does not" if does else "do not")
        if insert == "never":
            stem = verb
        return sentence[: m.start(2)] + f"{insert} {stem}" + sentence[m.end(2) :]
    return None


def shift_modality(sentence: str, rng: random.Random) -> str | None:
    """Make a claim stronger or weaker than the sentence: may -> will, generally -> always, some -> all."""
    options = [(p, r) for p, r in STRENGTHEN if re.search(p, sentence, re.I)]
    if not options:
        return None
    pattern, repls = rng.choice(options)
    return _sub_once(pattern, sentence, rng.choice(repls), rng, re.I)


def add_only(sentence: str, rng: random.Random) -> str | None:
    """Narrow the claim with "only" / "exclusively" before its verb or object."""
    m = _AUX.search(sentence) or _SUBJECT_VERB.search(sentence)
    if not m or " only " in sentence:
        return None
    word = rng.choice(("only", "exclusively", "solely"))
    return sentence[: m.end()] + f" {word}" + sentence[m.end() :]


def change_number(sentence: str, rng: random.Random) -> str | None:
    """Another number: digits moved up or down, or a number word replaced."""
    digits = list(re.finditer(r"\b\d{1,4}\b", sentence))
    if digits:
        m = rng.choice(digits)
        value = int(m.group())
        new = max(0, value + rng.choice((-5, -3, -2, -1, 1, 2, 3, 5, 10)))
        if new == value:
            new = value + 1
        return sentence[: m.start()] + str(new) + sentence[m.end() :]
    words = [w for w in NUMBER_WORDS if re.search(rf"\b{w}\b", sentence, re.I)]
    if words:
        old = rng.choice(words)
        new_word = rng.choice([w for w in NUMBER_WORDS if w != old])
        return re.sub(rf"\b{old}\b", new_word, sentence, count=1, flags=re.I)
    return None


def swap_party(sentence: str, rng: random.Random) -> str | None:
    """Move the claim to another party: we <-> you, third parties -> advertisers, employees -> the public."""
    found = [p for p in PARTIES if re.search(rf"\b{re.escape(p)}\b", sentence, re.I)]
    swaps = [("we", "you"), ("We", "You"), ("our", "your"), ("us", "you")]
    if found and rng.random() < 0.6:
        old = rng.choice(found)
        same = next((g for g in SAME_PARTY if old in g), (old,))
        new = rng.choice([p for p in PARTIES if p not in same and p != old])
        return _cap(re.sub(rf"\b{re.escape(old)}\b", new, sentence, count=1, flags=re.I))
    for a, b in swaps:
        if re.search(rf"\b{a}\b", sentence) and re.search(rf"\b{b}\b", sentence):
            tmp = re.sub(rf"\b{a}\b", "\0", sentence)
            tmp = re.sub(rf"\b{b}\b", a, tmp)
            return _cap(tmp.replace("\0", b))
    if re.search(r"\b(?:the Company|Company)\b", sentence):
        other = rng.choice(("you", "your employer", "advertisers"))
        return re.sub(r"\b(?:the Company|Company)\b", other, sentence, count=1)
    return None


def swap_data(sentence: str, rng: random.Random) -> str | None:
    """Put another kind of data in place of the one the sentence names."""
    found = [d for d in DATA_KINDS if re.search(rf"\b{re.escape(d)}", sentence, re.I)]
    if not found:
        return None
    old = rng.choice(found)
    new = rng.choice([d for d in DATA_KINDS if d != old])
    return re.sub(rf"\b{re.escape(old)}", new, sentence, count=1, flags=re.I)


def drop_condition(sentence: str, rng: random.Random) -> str | None:
    """Cut a condition or exception ("unless ...", "so long as ...", "subject to ..."): an overgeneral claim."""
    spans = []
    for opener in CONDITION_OPENERS:
        for m in re.finditer(rf"(?:,\s*|\s)({re.escape(opener)}\b[^.;]*?)(?=[,.;]|$)", sentence, re.I):
            spans.append((m.start(), m.end()))
        m = re.match(rf"\s*{re.escape(opener)}\b[^,]*,\s*", sentence, re.I)
        if m:
            spans.append((m.start(), m.end()))
    spans = [s for s in spans if len(sentence[s[0] : s[1]].split()) >= 2 and s[1] - s[0] < 0.7 * len(sentence)]
    if not spans:
        return None
    start, end = rng.choice(spans)
    out = sentence[:start] + sentence[end:]
    out = re.sub(r"\s+([,.;:])", r"\1", " ".join(out.split()))
    return _end(_cap(out)) if len(out.split()) >= 4 else None


def add_condition(sentence: str, rng: random.Random) -> str | None:
    """Add a condition or exception the sentence does not have."""
    return _end(f"{sentence.rstrip(' .')} {rng.choice(ADDED_CONDITIONS)}")


def add_claim(sentence: str, rng: random.Random) -> str | None:
    """Add a purpose, a party or a practice the sentence does not state."""
    return _end(f"{sentence.rstrip(' .')} {rng.choice(INVENTED)}")


def absolute(sentence: str, rng: random.Random) -> str | None:
    """Overstate the claim: "under any circumstances", "to anyone", "with no exceptions"."""
    tail = rng.choice(("under any circumstances", "with no exceptions", "to anyone at all", "in every case",
                       "whatever happens", "to anyone who asks"))  # fmt: skip
    return _end(f"{sentence.rstrip(' .')} {tail}")


def compose_false(first: str, second: str, rng: random.Random) -> str | None:
    """Join one true sentence with the opposite of another: a false composition of two quotes."""
    flipped = negate(second, rng) or shift_modality(second, rng)
    if not flipped:
        return None
    joiner = rng.choice((", and ", "; ", ", and so ", ", and "))
    return _end(_cap(first.rstrip(" .") + joiner + flipped[:1].lower() + flipped[1:]))


def compose_true(first: str, second: str, rng: random.Random) -> str:
    """Join two true sentences (a claim citing both)."""
    return _end(_cap(first.rstrip(" .") + rng.choice((", and ", "; ", ". Also, ")) + second[:1].lower() + second[1:]))


CHANGE: tuple[Rewrite, ...] = (
    negate, shift_modality, add_only, change_number, swap_party, swap_data, drop_condition, add_condition,
    add_claim, absolute,
)  # fmt: skip
# How often each kind is drawn: negation and modality errors are the commonest fluent mistakes.
WEIGHTS = (4, 3, 1, 1, 3, 1, 3, 2, 2, 1)
