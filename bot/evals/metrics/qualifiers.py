"""Qualifiers: does an answer that quotes a qualified sentence also quote its qualifier?

"We do not sell your personal information." shown without the next sentence, "The preceding does not apply to
trusted third parties ...", misleads by omission. Over answered cases (any ``expect``), a case fails when one of
its cited sentences has a qualifier (``bot.qualify.qualifier_of``: the next sentence of the same section opening
with an exception, concession or condition marker) that none of its citations covers. The check parses each
source itself (``root / source`` like faithfulness, or documents given by the caller); a source it cannot read
fails the case, since nothing could be checked. ``dropped_qualifiers`` counts the failing answers; gated at 0.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import CorpusError
from ...policy import Document, read_policy
from ...qualify import qualifier_of, sentences_in
from .base import MetricResult, Record, Verdict

NAME = "qualifiers"
KIND = "dropped qualifier"

Documents = Mapping[str, Document] | Callable[[str], Document | None]


@dataclass(frozen=True)
class QualifierVerdict(Verdict):
    cited: int  # distinct cited sentences
    missing: tuple[str, ...]  # the first words of each qualifier left out


def first_words(text: str, n: int = 8) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def from_root(root: Path) -> Callable[[str], Document | None]:
    """Read and parse each source once, ``root / source`` (or the absolute path); None when unreadable."""

    @functools.cache
    def load(source: str) -> Document | None:
        path = Path(source)
        try:
            return read_policy(path if path.is_absolute() else root / path, source)
        except CorpusError:
            return None

    return load


def _lookup(documents: Documents | Path) -> Callable[[str], Document | None]:
    if isinstance(documents, Path):
        return from_root(documents)
    if isinstance(documents, Mapping):
        return documents.get
    return documents


def _select(
    records: list[Record], documents: Documents | Path
) -> tuple[list[tuple[str, list[dict[str, Any]]]], dict[str, Document | None]]:
    """Each answered case's citations, and the parsed document of every source they name (None: unreadable)."""
    selected = [(r["case"]["id"], list(r["answer"]["citations"])) for r in records if not r["answer"]["refused"]]
    load = _lookup(documents)
    sources = sorted({c["source"] for _, cites in selected for c in cites})
    return selected, {s: load(s) for s in sources}


def _judge(case_id: str, citations: list[dict[str, Any]], docs: Mapping[str, Document | None]) -> QualifierVerdict:
    unreadable = sorted({c["source"] for c in citations if docs.get(c["source"]) is None})
    if unreadable:
        reason = f"cannot check: source(s) {unreadable} cannot be read"
        return QualifierVerdict(case_id, False, reason, KIND, 0, ())
    parsed = {s: d for s, d in docs.items() if d is not None}
    cited = sorted(
        {(c["source"], i) for c in citations for i in sentences_in(parsed[c["source"]], c["start"], c["end"])}
    )
    problems, missing = [], []
    for source, i in cited:
        doc = parsed[source]
        q = qualifier_of(doc, i)
        if q is not None and (source, q) not in cited:
            missing.append(first_words(doc.sentences[q].text))
            problems.append(f"{missing[-1]!r} (qualifies {first_words(doc.sentences[i].text, 6)!r})")
    if problems:
        return QualifierVerdict(case_id, False, "; ".join(problems), KIND, len(cited), tuple(missing))
    return QualifierVerdict(
        case_id, True, f"{len(cited)} cited sentence(s), no qualifier left out", KIND, len(cited), ()
    )


def _score(verdicts: list[QualifierVerdict]) -> dict[str, float | None]:
    return {"dropped_qualifiers": float(sum(not v.ok for v in verdicts)) if verdicts else None}


def evaluate(records: list[Record], documents: Documents | Path) -> MetricResult:
    """``documents``: the corpus root (sources read like faithfulness), a mapping or a callable source -> Document."""
    selected, docs = _select(records, documents)
    verdicts = [_judge(case_id, citations, docs) for case_id, citations in selected]
    return MetricResult(NAME, _score(verdicts), tuple(verdicts))
