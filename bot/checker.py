"""Is a sentence entailed by the quotes it cites? The checker every generated sentence passes before it is shown.

Same contract as ``bot.support.check_sentence``: a sentence that cites quotes as ``[1]``, ``[2]``, and the
numbered quotes, give a ``SentenceCheck`` (supported or not, the reason, a score). In this order:

1. **citations**: the sentence cites at least one quote, every one of which exists, and says something;
2. **claims** (``bot.support.unsupported_claims``): every number, name, link, currency sign and absolute word
   ("only", "always", "must"...) in it occurs in a cited quote (the owner's own names, ``owner_words``, may stand
   for "we"): cheap, exact, and never fooled by fluency. A number, link or currency sign that is not quoted fails
   the sentence; an unquoted name or absolute word (``SOFT_GATES``) raises its bar to ``contrary``, as in 4;
3. **entailment**: the support verifier (``bot.verifier``, a cross-encoder trained on labelled and generated
   pairs) reads the claim against the cited quotes together and gives P(entailed); the sentence is supported
   when it reaches ``threshold``. It judges meaning, not overlap: a negation moved, "may" made "will", a party
   swapped, a condition dropped or added, two true quotes composed into a false claim;
4. **polarity, a stricter bar**: a claim with a negation ("not", "never", "n't", "without"...) whose cited quotes
   have none, or the reverse (a leading "Yes," / "No," answers a question, and "without limitation", "not limited
   to" negate nothing), needs P(entailed) of at least ``contrary`` (``CONTRARY_THRESHOLD``), not ``threshold``.

With the owner's ``names`` (``owner_words``), a quote that says "we" is read with the name the claim uses for the
company (``as_named``). With a ``context`` (``qualifier_context``: the policy's own sentences), the verifier also
reads, after each cited quote, the sentences right after it in the policy that qualify it (``bot.qualify``: "The
preceding does not apply to ...") when they are not cited too: a claim citing a rule must not contradict the limit
its neighbour sets.

``score`` is that probability (None when an earlier check failed). Word overlap and the retrieval cross-encoder
are not used: they measure topic, not entailment (docs/LLM.md has the figures).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from .claim_features import strip_answer_word
from .claim_text import PARTY_TERMS, cited, claim_parts, has_negation
from .support import SentenceCheck, cheap_gates

# P(entailed) a sentence needs: chosen on held-out synthetic sections, other policies' synthetic pairs and the
# hand-written pairs of scripts/data/support_pairs.jsonl, never on an eval set (docs/LLM.md).
ENTAIL_THRESHOLD = 0.2
# P(entailed) a claim needs when its negation disagrees with its quotes (chosen the same way): the verifier must be
# sure that "stop working" says what "not function" says.
CONTRARY_THRESHOLD = 0.9
# The cheap gates that raise the bar to ``contrary`` instead of refusing: a name or an absolute word ("only",
# "all") the cited quotes lack may be a paraphrase ("the EEA" for "the European Economic Area", "only" for "solely"),
# which a sure verifier may keep. Numbers, links and currency signs stay hard gates (docs/LLM.md, sixth round).
SOFT_GATES = ("name", "word")

# (claim, the cited quotes) -> P(the quotes entail the claim)
Entailer = Callable[[str, Sequence[str]], float]
# a quote -> the policy sentences right after it that qualify it (none when it is not a policy sentence)
Context = Callable[[str], Sequence[str]]

if TYPE_CHECKING:
    from .policy import Document
    from .settings import Settings


# Phrases with a negation word that negate nothing: "including, without limitation, ...", "but not limited to".
_IDIOMS = re.compile(r"\b(?:without limitation|(?:but )?not limited to|without limiting)\b", re.I)


def _without_idioms(text: str) -> str:
    return _IDIOMS.sub(" ", text)


def _polarity_disagrees(text: str, claim: str, quotes: Sequence[str]) -> str:
    """Why the claim's negation disagrees with its quotes ("" when it agrees). A sentence that cites different
    quotes in different places ("A [1], and B [2].") is read part by part, each against its own quotes."""
    parts = claim_parts(text)
    if len(parts) < 2:
        parts = [(claim, cited(text))]
    for part, numbers in parts:
        negated = has_negation(_without_idioms(strip_answer_word(part)))
        own = [quotes[n - 1] for n in numbers if 1 <= n <= len(quotes)]
        if own and not any(has_negation(_without_idioms(q)) == negated for q in own):
            side = "a negation" if negated else "no negation"
            where = "" if len(parts) == 1 else f" (the part citing [{numbers[0]}])"
            return f"has {side}, unlike the cited quotes{where}"
    return ""


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def qualifier_context(documents: Iterable[Document]) -> Context:
    """A ``Context`` over the policy documents: each sentence's qualifying neighbours (``bot.qualify``)."""
    from .qualify import qualifiers_of

    table: dict[str, tuple[str, ...]] = {}
    for doc in documents:
        for i, sentence in enumerate(doc.sentences):
            chain = qualifiers_of(doc, i)
            if chain:
                table[_key(sentence.text)] = tuple(" ".join(doc.sentences[j].text.split()) for j in chain)
    return lambda quote: table.get(_key(quote), ())


def owner_words(documents: Iterable[Document]) -> frozenset[str]:
    """The words each document names its owner with, casefolded: the capitalised words of its ``owner`` field,
    else of its title ("Harborline Systems, Inc." -> harborline, systems, inc), but the party words ("Privacy",
    "Policy"). A paraphrase may name the company where its quote says "we" or "the Company". Not
    ``bot.expand.owner_names``, the legal names ("Acme, Inc.") that the models read as "the Company"."""
    names: set[str] = set()
    for doc in documents:
        for word in re.findall(r"[A-Z][\w-]*", doc.metadata.get("owner") or doc.title):
            if word.casefold() not in PARTY_TERMS and len(word) > 1:
                names.add(word.casefold())
    return frozenset(names)


_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Uu]s|[Oo]urs?)\b")  # not "US", the country


def as_named(claim: str, premise: Sequence[str], names: Collection[str]) -> list[str]:
    """The premise with the owner named as the claim names it: when the claim calls the company by its name
    ("Harborline keeps...") and a quote says "we", "us" or "our", the quote reads "Harborline", "Harborline's".
    The verifier then compares like with like instead of reading a new name as a new party."""
    if not names:
        return list(premise)
    owner = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    found = re.search(rf"\b(?:{owner})\b(?:\s+(?:{owner})\b)*", claim, re.I)
    if not found or not found.group()[0].isupper():
        return list(premise)
    name = found.group()

    def rename(quote: str) -> str:
        if name.casefold() in quote.casefold():
            return quote
        return _FIRST_PERSON.sub(lambda m: name + ("'s" if m.group().lower().startswith("our") else ""), quote)

    return [rename(q) for q in premise]


def with_context(sources: Sequence[str], context: Context | None) -> list[str]:
    """The cited quotes, each followed by its qualifiers that are not cited already."""
    premise = list(sources)
    if context is None:
        return premise
    cited_keys = {_key(q) for q in sources}
    for quote in sources:
        for extra in context(quote):
            if _key(extra) not in cited_keys and extra not in premise:
                premise.insert(premise.index(quote) + 1, extra)
    return premise


def check_entailed(
    sentence: str,
    quotes: Sequence[str],
    entail: Entailer,
    threshold: float,
    context: Context | None = None,
    names: Collection[str] = (),
    contrary: float = CONTRARY_THRESHOLD,
) -> SentenceCheck:
    """Judge one sentence against the numbered quotes (``quotes[0]`` is ``[1]``). ``names`` (``owner_words``) may
    stand for the company unquoted; a claim whose negation disagrees with its quotes needs P(entailed) of at least
    ``contrary`` (above 1: never kept)."""
    gated = cheap_gates(sentence, quotes, names, SOFT_GATES if contrary <= 1 else ())
    if isinstance(gated, SentenceCheck):
        return gated
    text, numbers, claim, sources = gated.text, gated.numbers, gated.claim, gated.sources
    disagreeing = _polarity_disagrees(text, claim, quotes)
    if gated.doubts:
        unquoted = f"{', '.join(gated.doubts)} not in the cited quotes"
        disagreeing = f"{disagreeing}; {unquoted}" if disagreeing else unquoted
    if disagreeing and contrary > 1:
        return SentenceCheck(text, numbers, False, None, disagreeing)
    probability = round(float(entail(claim, as_named(claim, with_context(sources, context), names))), 4)
    needed = max(threshold, contrary) if disagreeing else threshold
    if probability < needed:
        if disagreeing:
            why = f"{disagreeing}, and p={probability:.2f} < {needed:g}"
        else:
            why = f"not entailed by the cited quotes (p={probability:.2f} < {needed:g})"
        return SentenceCheck(text, numbers, False, probability, why)
    return SentenceCheck(text, numbers, True, probability, "supported")


class SupportChecker:
    """The checker with its verifier and threshold in the constructor, the sentence in ``check``."""

    def __init__(
        self,
        entail: Entailer,
        threshold: float = ENTAIL_THRESHOLD,
        context: Context | None = None,
        names: Collection[str] = (),
        contrary: float = CONTRARY_THRESHOLD,
    ) -> None:
        self.entail = entail
        self.threshold = threshold
        self.context = context
        self.names = frozenset(names)
        self.contrary = contrary

    @classmethod
    def packaged(
        cls,
        threads: int = 1,
        threshold: float = ENTAIL_THRESHOLD,
        context: Context | None = None,
        names: Collection[str] = (),
    ) -> SupportChecker:
        """The checker with the verifier shipped in ``bot/data/verifier/``, loaded now."""
        from .verifier import Verifier

        verifier = Verifier(threads=threads)
        verifier.warm_up()
        return cls(verifier.probability, threshold, context, names)

    @classmethod
    def for_corpus(cls, settings: Settings) -> SupportChecker:
        """The packaged checker with the configured policies' owner names (``owner_words``); the corpus is read,
        not indexed."""
        from .policy import read_policy

        names = owner_words(read_policy(path) for path in settings.resolved_corpus())
        return cls.packaged(settings.model_threads, settings.llm_support_threshold, names=names)

    def __call__(self, sentence: str, quotes: Sequence[str]) -> SentenceCheck:
        return self.check(sentence, quotes)

    def check(self, sentence: str, quotes: Sequence[str]) -> SentenceCheck:
        return check_entailed(sentence, quotes, self.entail, self.threshold, self.context, self.names, self.contrary)
