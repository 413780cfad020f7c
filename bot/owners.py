"""Documents and the owners they speak for: built once when the index loads.

A corpus may hold policies of several companies. Each document has a profile (its source, title, owner, owner
names and contact citation); documents of one owner (a privacy policy, its terms, a cookie notice) form an
``Owner`` and may be quoted together, documents of different owners never are. The owner is the front matter's
``owner:`` when given, else the company the document names with a legal suffix whose name is also in its title
("Infrascale, Inc." in "Infrascale Privacy Policy"), else the title itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .answer import Citation, citation
from .expand import owner_names, title_words
from .index_read import LoadedIndex
from .policy import Document

_WORD = re.compile(r"[^\W\d_]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Profile:
    """One document as the answer core sees it."""

    source: str
    title: str
    owner: str
    names: tuple[str, ...]  # the owner's names this document uses, longest first ("Infrascale, Inc.", "Infrascale")
    contact: Citation | None  # the sentence of its Contact section that names an address


@dataclass(frozen=True)
class Owner:
    """A company and every document of the corpus that speaks for it."""

    name: str
    sources: tuple[str, ...]
    names: tuple[str, ...]
    title_words: frozenset[str]  # words of its documents' titles: where the owner is named
    name_words: frozenset[str]  # words of its names alone ("infrascale,", "inc.")
    text: str  # its documents' text: what it mentions at all
    contact: Citation | None  # the first of its documents' contact citations


@dataclass(frozen=True)
class Owners:
    """The owners of a loaded corpus, in corpus order, and the profile of each document."""

    owners: tuple[Owner, ...]
    profiles: tuple[Profile, ...]

    @property
    def single(self) -> bool:
        return len(self.owners) == 1

    def of_document(self, source: str) -> Owner:
        """The owner of the document cited as ``source`` (KeyError when the corpus has no such document)."""
        name = next(p.owner for p in self.profiles if p.source == source)
        return next(o for o in self.owners if o.name == name)

    def named_in(self, question: str) -> Owner | None:
        """The owner whose name the question uses, when exactly one owner's is used."""
        said = {w.lower() for w in _WORD.findall(question)}
        named = [o for o in self.owners if {w.lower() for w in _WORD.findall(o.name)} & said]
        return named[0] if len(named) == 1 else None

    def all_names(self) -> list[str]:
        """Every owner's names, longest first: said as "the Company" to the models."""
        return sorted({n for o in self.owners for n in o.names}, key=len, reverse=True)


def contact_section(doc: Document) -> int | None:
    """The section that says where to write: the front matter's ``contact:`` title, else the first whose title
    says "contact", else the last whose text holds an e-mail address (a "Reaching Us" or "Questions" section)."""
    given = doc.metadata.get("contact", "").strip().casefold()
    titled = [s.index for s in doc.sections if (s.title.casefold() == given if given else "contact" in s.title.lower())]
    if titled:
        return titled[0]
    mailed = [s.index for s in doc.sections if _EMAIL.search(doc.text, s.body_start, s.end)]
    return mailed[-1] if mailed and not given else None


def contact_citation(index: LoadedIndex, doc: Document) -> Citation | None:
    """The sentence of ``doc``'s contact section that names an address (the one with digits, else the first)."""
    section = contact_section(doc)
    sentences = doc.section_sentences(section) if section is not None else []
    if not sentences:
        return None
    s = max(sentences, key=lambda s: any(ch.isdigit() for ch in s.text))
    return citation(index, doc.source, s.section, s.start, s.end, 0.0)


def profile(index: LoadedIndex, doc: Document) -> Profile:
    names = tuple(owner_names(doc.title, doc.text))
    given = doc.metadata.get("owner", "").strip()
    owner = given or (min(names, key=len) if names else doc.title)
    return Profile(doc.source, doc.title, owner, names, contact_citation(index, doc))


def owners_of(index: LoadedIndex, documents: Sequence[Document]) -> Owners:
    """Group ``documents`` by owner, keeping the corpus order of both."""
    profiles = tuple(profile(index, d) for d in documents)
    by_name: dict[str, list[tuple[Profile, Document]]] = {}
    for p, d in zip(profiles, documents, strict=True):
        by_name.setdefault(p.owner.casefold(), []).append((p, d))
    owners = []
    for members in by_name.values():
        names = sorted({n for p, _ in members for n in p.names}, key=len, reverse=True)
        owners.append(
            Owner(
                name=members[0][0].owner,
                sources=tuple(p.source for p, _ in members),
                names=tuple(names),
                title_words=frozenset(w for _, d in members for w in title_words(d.title)),
                name_words=frozenset(w.lower() for n in names for w in n.split()),
                text="\n".join(d.text for _, d in members),
                contact=next((p.contact for p, _ in members if p.contact is not None), None),
            )
        )
    canonical = {o.name.casefold(): o.name for o in owners}
    profiles = tuple(Profile(p.source, p.title, canonical[p.owner.casefold()], p.names, p.contact) for p in profiles)
    return Owners(tuple(owners), profiles)
