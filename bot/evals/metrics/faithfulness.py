"""Faithfulness: is every quote shown verbatim in its source file at its offsets?

The check reads each source file itself (``root / source``, decoded as UTF-8 without newline translation) and
compares ``text[start:end] == quote`` exactly; it trusts nothing the bot computed. It covers every citation of
every case, answerable or not, and the contact quote a refusal shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..text import clip
from .base import MetricResult, Record, Verdict, ratio

NAME = "faithfulness"


@dataclass(frozen=True)
class FaithfulnessVerdict(Verdict):
    faithful: int
    total: int


def _quotes(record: Record) -> list[tuple[str, dict[str, Any]]]:
    answer = record["answer"]
    labelled = [(f"citation {i}", c) for i, c in enumerate(answer["citations"], start=1)]
    if answer.get("contact"):
        labelled.append(("contact quote", answer["contact"]))
    return labelled


def read_source(root: Path, source: str) -> str | None:
    path = Path(source)
    path = path if path.is_absolute() else root / path
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _select(
    records: list[Record], root: Path
) -> tuple[list[tuple[str, list[tuple[str, dict[str, Any]]]]], dict[str, str | None]]:
    """Each case's labelled quotes, and the text of every source they name (None when unreadable)."""
    selected = [(r["case"]["id"], _quotes(r)) for r in records]
    sources = {q["source"] for _, quotes in selected for _, q in quotes}
    return selected, {s: read_source(root, s) for s in sorted(sources)}


def judge_quote(quote: dict[str, Any], text: str | None) -> str | None:
    """None when ``quote`` is verbatim at its offsets in ``text``, else what is wrong."""
    start, end, expected = quote["start"], quote["end"], quote["quote"]
    where = f"{quote['source']}[{start}:{end}]"
    if text is None:
        return f"{where}: the source file cannot be read"
    if not expected:
        return f"{where}: the quote is empty"
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return f"{where}: offsets outside the file ({len(text)} characters)"
    actual = text[start:end]
    if actual != expected:
        return f"{where} holds {clip(actual, raw=True)!r}, not the quoted {clip(expected, raw=True)!r}"
    return None


def _judge(case_id: str, quotes: list[tuple[str, dict[str, Any]]], texts: dict[str, str | None]) -> FaithfulnessVerdict:
    problems = []
    for label, quote in quotes:
        problem = judge_quote(quote, texts.get(quote["source"]))
        if problem:
            problems.append(f"{label}: {problem}")
    total = len(quotes)
    if problems:
        return FaithfulnessVerdict(
            case_id, False, "; ".join(problems), "unfaithful quote", total - len(problems), total
        )
    return FaithfulnessVerdict(case_id, True, f"{total} quote(s) verbatim", "unfaithful quote", total, total)


def _score(verdicts: list[FaithfulnessVerdict]) -> dict[str, float | None]:
    return {"faithfulness": ratio(sum(v.faithful for v in verdicts), sum(v.total for v in verdicts))}


def evaluate(records: list[Record], root: Path) -> MetricResult:
    selected, texts = _select(records, root)
    verdicts = [_judge(case_id, quotes, texts) for case_id, quotes in selected]
    return MetricResult(NAME, _score(verdicts), tuple(verdicts))
