"""Rewrites of a policy sentence for the verifier's training pairs, FactCC-style: ones that keep its meaning and
ones that change it.

Every function takes a sentence and a ``random.Random`` and returns a new sentence, or None when it does not
apply. Nothing here knows any one policy: the word lists are generic English and generic privacy-policy words
(parties, data kinds, modal verbs). ``scripts/verifier_data.py`` assembles the pairs.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

Rewrite = Callable[[str, random.Random], str | None]

# -- generic vocabulary -------------------------------------------------------------------------------------
SYNONYMS: dict[str, tuple[str, ...]] = {
    "use": ("make use of", "utilize"),
    "uses": ("makes use of", "utilizes"),
    "collect": ("gather", "obtain"),
    "collects": ("gathers", "obtains"),
    "disclose": ("share", "reveal"),
    "discloses": ("shares", "reveals"),
    "provide": ("give", "supply"),
    "provided": ("given", "supplied"),
    "personal information": ("personal data", "your information", "personal details"),
    "Personal Information": ("personal data", "personal information", "your personal details"),
    "third parties": ("other companies", "outside parties"),
    "third party": ("outside", "external"),
    "Sites": ("website", "site"),
    "Site": ("website", "site"),
    "Users": ("users", "people who use the site"),
    "User": ("user", "the person using the site"),
    "contact us": ("get in touch with us", "reach us"),
    "request": ("ask for",),
    "modify": ("change", "alter"),
    "obtain": ("get",),
    "ensure": ("make sure",),
    "purposes": ("reasons", "uses"),
    "inform": ("tell",),
    "retain": ("keep",),
    "keep": ("retain", "hold on to"),
    "receive": ("get",),
    "assist": ("help",),
    "improve": ("make better", "enhance"),
    "agree": ("consent",),
    "questions": ("queries",),
    "disable": ("turn off", "switch off"),
    "at any time": ("whenever you like", "at any point"),
    "prior to": ("before",),
    "in order to": ("to", "so as to"),
    "whether": ("if",),
    "access": ("see",),
    "approximately": ("about",),
    "automatically": ("on its own", "without any action"),
}
PARTY_NAMES = ("the Company", "we")
# Interchangeable names of the writer and the reader: swapping within a group keeps the meaning.
SAME_PARTY = (("the Company", "we", "Company"), ("Users", "you", "users", "the User", "User"))
# Parties a sentence can be about; moving a claim from one to another changes its meaning.
PARTIES = (
    "advertisers", "data brokers", "our affiliates", "government agencies", "law enforcement", "marketing partners",
    "our employees", "service providers", "other users", "the public", "insurers", "researchers", "social networks",
    "children", "parents", "you", "we", "third parties",
)  # fmt: skip
DATA_KINDS = (
    "email address", "IP address", "browsing history", "location", "phone number", "credit card details",
    "name", "postal address", "health information", "contacts", "photos", "device identifiers", "purchase history",
    "voice recordings", "search queries", "cookies", "social security number", "date of birth",
)  # fmt: skip
# Invented additions: claims no sentence in a quote makes, in generic policy words.
INVENTED = (
    "and sells it to advertisers", "to train machine learning models", "and shares it with data brokers",
    "and deletes it after one year", "for a small monthly fee", "without telling you", "and publishes it online",
    "in encrypted form", "on servers in Europe", "and notifies you by email each time", "to set insurance prices",
    "for as long as it likes", "and keeps it forever", "only after asking you first", "with your prior written consent",
    "to track you across other websites", "to verify your identity", "to send you text messages every week",
    "for free", "through an independent auditor", "once a year", "within 30 days", "in real time",
)  # fmt: skip
ADDED_CONDITIONS = (
    "unless you pay a fee", "only if you ask in writing", "except for customers in Europe",
    "unless required by a court",
    "if you are over 21", "only when you are logged in", "except during promotions", "provided you opt in first",
    "unless you object", "only for premium accounts", "if you live in California", "except on weekends",
)  # fmt: skip
# modal and quantifier shifts: (pattern, replacements); each changes the strength of the claim
STRENGTHEN = (
    (r"\bmay\b", ("will", "must", "always")),
    (r"\bmight\b", ("will",)),
    (r"\bcan\b", ("must", "will always")),
    (r"\bgenerally\b", ("always", "in every case")),
    (r"\bgeneral\b", ("every",)),
    (r"\breasonable\b", ("guaranteed", "complete", "all possible")),
    (r"\bendeavou?r to\b", ("guarantee to", "always")),
    (r"\bseek to\b", ("guarantee to",)),
    (r"\btake reasonable steps\b", ("guarantee",)),
    (r"\bsome\b", ("all",)),
    (r"\bcertain\b", ("all",)),
    (r"\bmost\b", ("all",)),
    (r"\boften\b", ("always",)),
    (r"\bsometimes\b", ("always", "never")),
    (r"\bany\b", ("no",)),
    (r"\ball\b", ("some", "no", "only a few")),
    (r"\bevery\b", ("some",)),
    (r"\balways\b", ("sometimes", "never")),
    (r"\bonly\b", ("also", "mainly")),
    (r"\bwill\b", ("may",)),
    (r"\bmust\b", ("may", "can choose to")),
    (r"\bshall\b", ("may",)),
    (r"\bis required\b", ("is allowed",)),
    (r"\bnecessarily\b", ("ever",)),
)
CONDITION_OPENERS = (
    "unless", "except", "if", "provided that", "provided", "so long as", "as long as", "subject to", "only if",
    "when", "where", "without regard to", "in the event", "to the extent", "other than", "with your consent",
    "under conditions of", "in connection with", "as required", "as permitted",
)  # fmt: skip
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "thirteen": 13, "sixteen": 16, "eighteen": 18, "thirty": 30, "sixty": 60, "ninety": 90,
}  # fmt: skip
_AUX = re.compile(
    r"\b(may|might|will|can|could|shall|should|would|must|is|are|was|were|does|do|did|has|have)(\s+not\b|n't\b)?", re.I
)
_NEG = re.compile(r"\b(?:do|does|did|is|are|was|were|will|may|can|could|shall|should|would|must)\s+not\s+", re.I)
_SUBJECT_VERB = re.compile(r"\b(we|you|they|users|the company|company)\s+([a-z]+s?)\b", re.I)
_MODALS = frozenset("may might will can could shall should would must".split())
_PAREN = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)")
_LIST_ITEM = re.compile(r"\(([a-z]|[ivx]+)\)\s*")


def _sub_once(pattern: str, text: str, repl: str, rng: random.Random, flags: int = 0) -> str | None:
    """Replace one randomly chosen match of ``pattern`` (None when there is none)."""
    matches = list(re.finditer(pattern, text, flags))
    if not matches:
        return None
    m = rng.choice(matches)
    return text[: m.start()] + repl + text[m.end() :]


def _cap(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text else text


def _end(text: str) -> str:
    text = text.rstrip(" ,;:")
    return text if text.endswith((".", "!", "?")) else text + "."


# -- meaning kept ---------------------------------------------------------------------------------------------
def synonyms(sentence: str, rng: random.Random) -> str | None:
    """Swap up to three words or phrases for generic synonyms, and parties for their other names."""
    out = sentence
    keys = [k for k in SYNONYMS if re.search(rf"\b{re.escape(k)}\b", out)]
    rng.shuffle(keys)
    changed = 0
    for key in keys[: rng.randint(1, 3)]:
        out = re.sub(rf"\b{re.escape(key)}\b", rng.choice(SYNONYMS[key]), out, count=1)
        changed += 1
    swapped = _swap_subject(out, rng)
    if swapped and rng.random() < 0.5:
        out, changed = swapped, changed + 1
    return _cap(out) if changed and out != sentence else None


def _swap_subject(sentence: str, rng: random.Random) -> str | None:
    """ "The Company uses..." <-> "We use...", "Users may..." -> "You may..." at the start of a sentence."""
    m = re.match(r"(The Company|Company|We|Users|Each User|You)\s+([a-z]+)\b", sentence)
    if not m:
        return None
    subject, verb = m.groups()
    plural = {"The Company": "We", "Company": "We", "We": "The Company", "Users": "You", "Each User": "You",
              "You": "Users"}[subject]  # fmt: skip
    singular_now = subject in {"The Company", "Company", "Each User"}
    if singular_now and verb.endswith("s") and not verb.endswith("ss") and verb not in {"is", "has", "does", "was"}:
        verb = verb[:-1]
    elif singular_now:
        verb = {"is": "are", "has": "have", "does": "do", "was": "were"}.get(verb, verb)
    elif plural == "The Company" and verb not in _MODALS:
        verb = {"are": "is", "have": "has", "do": "does", "were": "was"}.get(verb, verb + "s")
    return f"{plural} {verb}{sentence[m.end() :]}"


def shorten(sentence: str, rng: random.Random) -> str | None:
    """Leave out examples and illustrations ("such as ...", "for example ...", "including ..."), keeping conditions."""
    out = _PAREN.sub("", sentence)
    out = re.sub(r",?\s*(?:such as|for example|e\.g\.,?|i\.e\.,?|including|like)\b[^,.;]*(?=[,.;]|$)", "", out,
                 flags=re.I)  # fmt: skip
    out = re.sub(r"\s+([,.;:])", r"\1", " ".join(out.split()))
    return _end(_cap(out)) if out != sentence and len(out.split()) >= 4 else None


def drop_asides(sentence: str, rng: random.Random) -> str | None:
    """Remove parentheses, "without limitation", "for example ..." asides and leading discourse phrases."""
    out = _PAREN.sub("", sentence)
    out = re.sub(r",?\s*(?:including,? but not limited to|without limitation),?", " ", out, flags=re.I)
    out = re.sub(r"^(?:please note that|note that|please bear in mind that|in general,|notwithstanding the foregoing,)"
                 r"\s*",
                 "", out.strip(), flags=re.I)  # fmt: skip
    out = re.sub(r"\s+([,.;:])", r"\1", " ".join(out.split()))
    return _cap(out) if out and out != sentence and len(out.split()) >= 4 else None


def list_subset(sentence: str, rng: random.Random) -> str | None:
    """Keep part of a list: "(a) X; (b) Y; (c) Z" -> the head and one item; "A, B, and C" -> "A and C"."""
    items = _LIST_ITEM.split(sentence)
    if len(items) >= 5:
        head = items[0].rstrip(" :;,")
        parts = [p.strip(" ;,.") for p in items[2::2] if p.strip(" ;,.")]
        if parts:
            part = re.sub(r"^(?:and|or)\s+", "", rng.choice(parts))
            return _end(_cap(f"{head} {part}"))
    m = re.search(
        r"((?:[\w'-]+ ){0,3}[\w'-]+), ((?:[\w'-]+ ){0,3}[\w'-]+),? (and|or) ((?:[\w'-]+ ){0,3}[\w'-]+)", sentence
    )
    if not m:
        return None
    chosen = rng.sample([m.group(1), m.group(2), m.group(4)], 2)
    return sentence[: m.start()] + f"{chosen[0]} {m.group(3)} {chosen[1]}" + sentence[m.end() :]


def clause(sentence: str, rng: random.Random) -> str | None:
    """One main clause of a sentence joined by "; " or ", and" (conditions in a clause stay with it)."""
    parts = [p for p in re.split(r";\s+|,\s+and\s+(?=(?:we|you|the|it|they|this|our)\b)", sentence) if p]
    parts = [p for p in parts if (len(p.split()) >= 5 and _AUX.search(p)) or _SUBJECT_VERB.search(p)]
    if len(parts) < 2:
        return None
    return _end(_cap(rng.choice(parts)))


def answer_form(sentence: str, rng: random.Random) -> str | None:
    """Say it as an answer: "Yes, ..." or, for a negative sentence, "No, ..."."""
    word = "No" if _NEG.search(sentence) or re.search(r"\bnot\b|n't\b|\bnever\b", sentence) else "Yes"
    return f"{word}, {sentence[:1].lower()}{sentence[1:]}"


def weaken(sentence: str, rng: random.Random) -> str | None:
    """A weaker claim the sentence still implies: "will" -> "may", "always" -> "usually"."""
    for pattern, repl in ((r"\bwill\b(?! not)", "may"), (r"\balways\b", "usually"), (r"\bmust\b(?! not)", "should")):
        out = _sub_once(pattern, sentence, repl, rng)
        if out:
            return out
    return None


def contraction(sentence: str, rng: random.Random) -> str | None:
    """ "do not" -> "don't", "cannot" -> "can't" (and back)."""
    pairs = (("do not", "don't"), ("does not", "doesn't"), ("will not", "won't"), ("cannot", "can't"),
             ("is not", "isn't"), ("are not", "aren't"))  # fmt: skip
    for full, short in pairs:
        if re.search(rf"\b{full}\b", sentence):
            return re.sub(rf"\b{full}\b", short, sentence, count=1)
        if short in sentence:
            return sentence.replace(short, full, 1)
    return None


KEEP: tuple[Rewrite, ...] = (synonyms, shorten, drop_asides, list_subset, clause, answer_form, weaken, contraction)
