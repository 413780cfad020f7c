"""Stale cases: an answerable case whose expected sections or phrases are no longer in the corpus.

Checked before running, against the policy files as they are now, so an edited policy shows up as "stale" cases
to fix in the dataset rather than as wrong answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..policy import Document
from .dataset import Case
from .text import fold, found_phrases


def section_texts(documents: Iterable[Document]) -> dict[str, str]:
    """Folded section title -> the text of every section with that title (joined when several documents share it)."""
    texts: dict[str, list[str]] = {}
    for doc in documents:
        for sec in doc.sections:
            texts.setdefault(fold(sec.title), []).append(doc.text[sec.start : sec.end])
    return {title: "\n\n".join(parts) for title, parts in texts.items()}


def stale_reasons(case: dict[str, Any], sections: dict[str, str]) -> list[str]:
    """What in ``case`` no longer matches ``sections`` (as from ``section_texts``); empty when the case is current."""
    if case["expect"] != "answer":
        return []
    reasons = [f"section {s!r} is not in the corpus" for s in case["sections"] if fold(s) not in sections]
    listed = "\n\n".join(sections[fold(s)] for s in case["sections"] if fold(s) in sections)
    present = set(found_phrases(case["quote_contains"], listed))
    reasons += [f"phrase {p!r} occurs in none of its sections" for p in case["quote_contains"] if p not in present]
    return reasons


def find_stale(cases: Iterable[Case], documents: Iterable[Document]) -> dict[str, list[str]]:
    """Case id -> reasons, for every stale case."""
    sections = section_texts(documents)
    found = {c.id: stale_reasons(c.to_dict(), sections) for c in cases}
    return {case_id: reasons for case_id, reasons in found.items() if reasons}
