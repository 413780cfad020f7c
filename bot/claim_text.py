"""The words of a cited sentence: its sentences, its citations, and the numbers, names, negations and content
words in it. Pure text helpers, shared by the support checks (``bot.support``), the verifier's features
(``bot.claim_features``) and the checker (``bot.checker``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

_CITATION = re.compile(r"\[\s*(\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*)\s*\]")
_LEADING_CITATIONS = re.compile(r"^((?:\s*\[\s*\d[\d\s,;–\-and]*\])+[.!?]*)\s*")
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d+[.)]|\([a-z0-9]\))\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

# "one" is left out: far more often a pronoun or determiner ("one purpose", "no one") than a number.
NUMBER_WORDS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "million": 10**6,
    "billion": 10**9,
}  # fmt: skip
NEGATIONS = frozenset("not no never none nor neither nobody nothing nowhere cannot can't without unable".split())
# Words for the parties and the document: a paraphrase may say "the Company" where the quote says "we".
PARTY_TERMS = frozenset(
    """
    company companies user users site sites website websites service services policy privacy we us our you your
    """.split()
)
STOPWORDS = frozenset(
    """
    a an the and or but if then than so as of to in on at by for from with into onto about over under after
    before between through during upon within via per is are was were be been being am do does did doing done
    has have had having can could may might must shall should will would it its this that these those there
    here which who whom whose what when where why how all any both each every some such other own same only
    also just very too more most much many few less least either whether while although though because since
    until unless yes ok i me my mine he him his she her they them their theirs one ones s t we us our ours you
    your yours
    """.split()
)
# A capitalised first word that English uses this often (symspellpy's frequency list: about the 20,000 commonest
# words) is capitalised because it starts the sentence ("Once", "Parents", "Keep"), not because it names someone.
COMMON_COUNT = 1_000_000


@functools.cache
def common_words() -> frozenset[str]:
    """The commonest English words, lower case, from the frequency list inside the symspellpy package."""
    from .spelling import open_dictionary

    with open_dictionary() as fh:
        return frozenset(w for w, count in (line.split() for line in fh if line.strip()) if int(count) >= COMMON_COUNT)


@functools.lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """The sentences of generated text: one per line at most, pysbd within a line, list bullets removed.

    Citations that pysbd puts at the start of the next piece ("We use cookies. [1] You can...") are given back
    to the sentence before, on the same line only: a line that starts with "[1]" is the model listing a quote.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        first = True
        for piece in _segmenter().segment(line):
            piece = piece.strip()
            if not piece:
                continue
            lead = _LEADING_CITATIONS.match(piece)
            if lead and not first:  # "...cookies. [1] You can..." : the [1] closes the sentence before
                sentences[-1] = f"{sentences[-1]} {lead.group(1).strip()}"
                piece = piece[lead.end() :].strip()
            if piece:
                sentences.append(piece)
                first = False
    return sentences


def cited(sentence: str) -> tuple[int, ...]:
    """The quote numbers a sentence cites, in order, once each: ``[1]``, ``[1, 2]``, ``[1][3]``, ``[1-3]``.

    A marker counts only after the sentence has said something: ``[1] “...”`` at the start of a line is the
    model listing a quote again, not a sentence citing one.
    """
    numbers: list[int] = []
    for match in _CITATION.finditer(sentence):
        if not re.search(r"\w", _CITATION.sub("", sentence[: match.start()])):
            continue
        parts = [int(n) for n in re.findall(r"\d+", match.group(1))]
        if re.search(r"[-–]", match.group(1)) and len(parts) == 2 and 0 < parts[1] - parts[0] < 10:
            parts = list(range(parts[0], parts[1] + 1))
        numbers.extend(n for n in parts if n not in numbers)
    return tuple(dict.fromkeys(numbers))


def claim_parts(sentence: str) -> list[tuple[str, tuple[int, ...]]]:
    """The parts of a sentence that cite quotes in different places, each with the numbers it cites:
    "A [1], and B [2]." -> [("A", (1,)), (", and B", (2,))]. Text after the last marker joins the last part."""
    parts: list[tuple[str, tuple[int, ...]]] = []
    start = 0
    for match in _CITATION.finditer(sentence):
        text = sentence[start : match.start()]
        numbers = tuple(int(n) for n in re.findall(r"\d+", match.group(1)))
        if re.search(r"\w", text):
            parts.append((text.strip(), numbers))
        elif parts:  # "[1][2]": both markers cite the part before
            parts[-1] = (parts[-1][0], parts[-1][1] + numbers)
        start = match.end()
    tail = sentence[start:]
    if parts and re.search(r"\w", tail):
        parts[-1] = (f"{parts[-1][0]} {tail.strip()}", parts[-1][1])
    return parts


def strip_citations(sentence: str) -> str:
    """The sentence without its ``[n]`` markers (what is scored against the quotes)."""
    text = _CITATION.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return _WORD.findall(text.replace("’", "'"))


def numbers_in(text: str) -> set[str]:
    """Every number in ``text`` as digits (commas dropped); number words ("thirteen") count as their digits."""
    found = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}
    found |= {str(NUMBER_WORDS[w.lower()]) for w in words(text) if w.lower() in NUMBER_WORDS}
    return found


def has_negation(text: str) -> bool:
    return any(w.lower() in NEGATIONS or w.lower().endswith("n't") for w in words(text))


def names_in(sentence: str, quotes: Sequence[str] = ()) -> list[str]:
    """Capitalised words that may be names: every one after the first word, and the first unless it is a
    common English word (``common_words``), an adverb in -ly, a gerund in -ing ("Disabling cookies..."), a
    contraction ("Don't", "We're") or a word the quotes use in another form ("Disputes" for "dispute"). "I" is
    not a name. A brand at the start ("Google may...") is left to the verifier, which reads it as a party."""
    found = []
    stems = set(content_words(" ".join(quotes)))
    for piece in re.split(r"(?<=[?!])\s+|(?<=[a-z]\.)\s+", sentence):  # "Don't like them? Switch them off."
        for i, word in enumerate(words(piece)):
            if not word[0].isupper() or word == "I":
                continue
            base = re.sub(r"'s$", "", word)
            if i == 0 and _ordinary_opener(base, stems):
                continue
            found.append(base)
    return found


def _ordinary_opener(word: str, stems: set[str]) -> bool:
    head = word.lower().split("'")[0]
    if head in common_words() or word.lower().endswith(("ly", "ing", "n't")) or "'" in word:
        return True
    return bool(content_words(word)) and content_words(word)[0] in stems


def acronyms_in(text: str) -> list[str]:
    """Dotted abbreviations ("U.S.", "E.U.") as their letters: "US", "EU"."""
    return [m.group().replace(".", "") for m in re.finditer(r"\b(?:[A-Z]\.){2,}", text)]


def initials(text: str) -> set[str]:
    """The initials of every run of two to four capitalised words: "United States" -> "US"."""
    caps = re.findall(r"\b[A-Z][a-z]+(?:[\s-]+[A-Z][a-z]+){1,3}", text)
    out = set()
    for run in caps:
        parts = re.split(r"[\s-]+", run)
        out |= {"".join(p[0] for p in parts[i:j]) for i in range(len(parts)) for j in range(i + 2, len(parts) + 1)}
    return out


@functools.lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def content_words(text: str) -> list[str]:
    """Stemmed words that carry meaning: no function words, no negations (judged apart), no numbers."""
    kept = [w.lower() for w in words(text)]
    kept = [w for w in kept if w not in STOPWORDS and w not in NEGATIONS and not w.endswith("n't")]
    return [str(w) for w in _stemmer().stemWords(kept)]
