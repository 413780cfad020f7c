"""The qualifiers metric on plain records: an answer that quotes a qualified sentence must quote its qualifier."""

from __future__ import annotations

from pathlib import Path

from bot.evals.metrics import qualifiers
from bot.policy import Document, parse_text

TEXT = (
    "## Sharing\n\nWe never rent your address to anyone. The preceding does not apply to our couriers. "
    "Couriers sign a contract.\n\n## Safety\n\nWe lock the servers.\n"
)
SOURCE = "notice.md"


def doc() -> Document:
    return parse_text(TEXT, SOURCE)


def cite(opening: str, source: str = SOURCE) -> dict:
    start = TEXT.index(opening)
    end = TEXT.index(".", start) + 1
    return {"source": source, "section": "S", "quote": TEXT[start:end], "start": start, "end": end, "score": 1.0}


def record(case_id: str, citations: list[dict], refused: bool = False, expect: str = "answer") -> dict:
    return {
        "case": {"id": case_id, "expect": expect, "sections": [], "quote_contains": []},
        "answer": {"refused": refused, "citations": citations, "contact": None},
        "seconds": 0.1,
    }


def test_judge_fails_when_the_qualifier_is_left_out() -> None:
    v = qualifiers._judge("c", [cite("We never rent")], {SOURCE: doc()})
    assert not v.ok and v.kind == "dropped qualifier"
    assert v.failure.startswith("dropped qualifier: 'The preceding does not apply to our couriers.'")
    assert v.missing == ("The preceding does not apply to our couriers.",)


def test_judge_passes_with_the_qualifier_or_without_a_qualified_sentence() -> None:
    both = qualifiers._judge("b", [cite("The preceding"), cite("We never rent")], {SOURCE: doc()})
    assert both.ok and both.cited == 2
    plain = qualifiers._judge("p", [cite("Couriers sign"), cite("We lock")], {SOURCE: doc()})
    assert plain.ok and plain.reason == "2 cited sentence(s), no qualifier left out"


def test_one_citation_spanning_both_sentences_is_enough() -> None:
    start = TEXT.index("We never rent")
    end = TEXT.index("couriers.") + len("couriers.")
    span = {"source": SOURCE, "quote": TEXT[start:end], "start": start, "end": end}
    assert qualifiers._judge("s", [span], {SOURCE: doc()}).ok


def test_an_unreadable_source_fails_the_case() -> None:
    v = qualifiers._judge("u", [cite("We never rent", source="gone.md")], {"gone.md": None})
    assert not v.ok and "cannot be read" in v.reason


def test_score_counts_failing_answers() -> None:
    docs = {SOURCE: doc()}
    verdicts = [
        qualifiers._judge("a", [cite("We never rent")], docs),
        qualifiers._judge("b", [cite("We lock")], docs),
        qualifiers._judge("c", [], docs),
    ]
    assert qualifiers._score(verdicts) == {"dropped_qualifiers": 1.0}
    assert qualifiers._score([]) == {"dropped_qualifiers": None}


def test_evaluate_skips_refusals_and_reads_sources_from_a_root(tmp_path: Path) -> None:
    (tmp_path / SOURCE).write_text(TEXT, encoding="utf-8")
    records = [
        record("dropped", [cite("We never rent")]),
        record("kept", [cite("We never rent"), cite("The preceding")]),
        record("refused", [], refused=True, expect="refuse"),
        record("answered-anyway", [cite("We never rent")], expect="refuse"),
    ]
    result = qualifiers.evaluate(records, tmp_path)
    assert [v.case_id for v in result.verdicts] == ["dropped", "kept", "answered-anyway"]
    assert [v.ok for v in result.verdicts] == [False, True, False]
    assert result.values == {"dropped_qualifiers": 2.0}
    assert qualifiers.evaluate(records, {SOURCE: doc()}).values == result.values
    assert qualifiers.evaluate(records, lambda source: None).values == {"dropped_qualifiers": 3.0}
