"""The pure cores of the eval metrics (``_judge`` and ``_score``), on plain data: no model, no index."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evals.metrics import citation, evidence, faithfulness, latency, refusal, retrieval
from bot.evals.stale import stale_reasons
from bot.evals.text import fold, found_phrases, section_matches
from bot.evals.thresholds import Check, Thresholds, ThresholdsError, check, load_thresholds

TEXT = "Intro.\n\n## Cookies\n\nWe do use\xa0cookies on the Sites. Cookies are small text files.\n"


def cite(section: str, quote: str = "x", start: int = 0, end: int = 1, source: str = "p.md") -> dict:
    return {
        "source": source,
        "document": "P",
        "section": section,
        "anchor": "a",
        "quote": quote,
        "start": start,
        "end": end,
        "score": 1.0,
    }


def record(
    case_id: str,
    expect: str = "answer",
    sections=("Cookies",),
    phrases=("use cookies",),
    refused=False,
    citations=(),
    retrieved=(),
    seconds=0.1,
    contact=None,
) -> dict:
    return {
        "case": {
            "id": case_id,
            "question": "q",
            "expect": expect,
            "sections": list(sections),
            "quote_contains": list(phrases),
            "history": [],
            "tags": [],
        },
        "answer": {
            "question": "q",
            "answer": "a",
            "refused": refused,
            "reason": "not_covered" if refused else None,
            "confidence": 0.2 if refused else 0.9,
            "resolved_question": "q",
            "citations": list(citations),
            "retrieved": [{"section": s} for s in retrieved],
            "contact": contact,
        },
        "seconds": seconds,
    }


# -- text folding ---------------------------------------------------------------------------------
def test_fold_collapses_whitespace_case_and_typographic_quotes() -> None:
    assert fold("  Our Commitment to Children’s\xa0\xa0Privacy \n") == "our commitment to children's privacy"
    assert fold("“Hi”") == '"hi"'


def test_section_and_phrase_matching_are_folded() -> None:
    assert section_matches("Our Commitment to Children's Privacy", ["our commitment to children’s privacy"])
    assert not section_matches("Cookies", ["Security"])
    assert found_phrases(["USE COOKIES", "absent"], "We do use\xa0 cookies") == ["USE COOKIES"]


# -- retrieval ------------------------------------------------------------------------------------
def test_retrieval_judge_finds_the_rank_of_the_first_expected_section() -> None:
    v = retrieval._judge("c", ["Security"], ["Cookies", "security", "Security"])
    assert (v.ok, v.rank) == (True, 2)
    assert "rank 2" in v.reason
    miss = retrieval._judge("m", ["Security"], ["Cookies"])
    assert (miss.ok, miss.rank) == (False, None)
    assert miss.reason == "no expected section ['Security'] among 1 retrieved: ['Cookies']"


def test_retrieval_score_hits_and_mrr() -> None:
    verdicts = [
        retrieval._judge(str(i), ["S"], r)
        for i, r in enumerate([["S"], ["A", "B", "S"], ["A", "B", "C", "D", "S"], ["A"]])
    ]
    values = retrieval._score(verdicts)
    assert values["hit@1"] == pytest.approx(0.25)
    assert values["hit@3"] == pytest.approx(0.5)
    assert values["hit@5"] == pytest.approx(0.75)
    assert values["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 5 + 0) / 4)
    assert retrieval._score([]) == {"hit@1": None, "hit@3": None, "hit@5": None, "mrr": None}


def test_retrieval_evaluate_skips_refuse_cases() -> None:
    result = retrieval.evaluate([record("a", retrieved=["Cookies"]), record("r", expect="refuse", retrieved=["X"])])
    assert [v.case_id for v in result.verdicts] == ["a"]
    assert result.values["hit@1"] == 1.0


# -- citation -------------------------------------------------------------------------------------
def test_citation_judge_reason_names_the_wrong_section() -> None:
    v = citation._judge("c", ["Security"], False, ["Cookies", "Security"])
    assert not v.ok
    assert v.reason == "first citation in 'Cookies', expected one of ['Security']"
    assert v.failure == "wrong section: first citation in 'Cookies', expected one of ['Security']"
    assert (v.good, v.total) == (1, 2)


def test_citation_judge_refused_and_correct() -> None:
    refused = citation._judge("r", ["Security"], True, [])
    assert not refused.ok and "refused" in refused.reason and refused.total == 0
    ok = citation._judge("ok", ["Children’s Privacy"], False, ["children's  privacy"])
    assert ok.ok and ok.reason.startswith("first citation in")


def test_citation_score_accuracy_and_pooled_precision() -> None:
    verdicts = [
        citation._judge("a", ["S"], False, ["S", "S", "T"]),
        citation._judge("b", ["S"], False, ["T"]),
        citation._judge("c", ["S"], True, []),
    ]
    values = citation._score(verdicts)
    assert values["section_accuracy"] == pytest.approx(1 / 3)
    assert values["citation_precision"] == pytest.approx(2 / 4)


# -- evidence -------------------------------------------------------------------------------------
def test_evidence_judge_folds_whitespace_and_quotes() -> None:
    v = evidence._judge("e", ["children's privacy", "nope"], ["Our commitment to Children’s\xa0privacy."])
    assert v.ok and v.found == ("children's privacy",)
    across = evidence._judge("x", ["sites. cookies"], ["We use the Sites.", "Cookies are files."])
    assert across.ok


def test_evidence_judge_missing() -> None:
    v = evidence._judge("e", ["disable cookies"], ["We do use cookies on the Sites."])
    assert not v.ok
    assert v.failure.startswith("missing evidence: none of ['disable cookies'] in the 1 quote(s)")
    assert not evidence._judge("r", ["x"], []).ok
    assert evidence._score([v, evidence._judge("ok", ["use"], ["we use"])]) == {"evidence": 0.5}


# -- faithfulness ---------------------------------------------------------------------------------
def test_judge_quote_is_exact() -> None:
    start = TEXT.index("We do")
    end = TEXT.index("Sites.") + len("Sites.")
    good = cite("Cookies", TEXT[start:end], start, end)
    assert faithfulness.judge_quote(good, TEXT) is None
    shifted = cite("Cookies", TEXT[start:end], start + 1, end + 1)
    assert (
        "holds 'e do use\\xa0cookies on the Sites. ', not the quoted 'We do use\\xa0cookies"
        in faithfulness.judge_quote(shifted, TEXT)
    )
    folded = cite("Cookies", "We do use cookies on the Sites.", start, end)  # a plain space for the \xa0
    assert faithfulness.judge_quote(folded, TEXT) is not None
    assert "offsets outside" in faithfulness.judge_quote(cite("C", "x", 5, 10_000), TEXT)
    assert "cannot be read" in faithfulness.judge_quote(good, None)
    assert "empty" in faithfulness.judge_quote(cite("C", "", 3, 3), TEXT)


def test_faithfulness_judge_and_score_count_every_quote() -> None:
    start = TEXT.index("Cookies are")
    good = cite("Cookies", "Cookies are small text files.", start, start + 29)
    bad = cite("Cookies", "Cookies are small text files.", start - 1, start + 28)
    texts = {"p.md": TEXT}
    ok = faithfulness._judge("a", [("citation 1", good), ("contact quote", good)], texts)
    broken = faithfulness._judge("b", [("citation 1", good), ("citation 2", bad)], texts)
    assert ok.ok and (ok.faithful, ok.total) == (2, 2)
    assert not broken.ok and broken.reason.startswith("citation 2: p.md[")
    assert faithfulness._score([ok, broken]) == {"faithfulness": 0.75}
    assert faithfulness._score([faithfulness._judge("r", [], texts)]) == {"faithfulness": None}


def test_faithfulness_reads_the_source_itself(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text(TEXT, encoding="utf-8")
    start = TEXT.index("We do")
    quote = TEXT[start : start + 9]
    records = [
        record("a", citations=[cite("Cookies", quote, start, start + 9)]),
        record("r", expect="refuse", refused=True, contact=cite("Contact", quote, start + 1, start + 10)),
    ]
    result = faithfulness.evaluate(records, tmp_path)
    assert result.values["faithfulness"] == 0.5
    assert [v.ok for v in result.verdicts] == [True, False]
    assert result.verdicts[1].reason.startswith("contact quote:")


# -- refusal --------------------------------------------------------------------------------------
def test_refusal_judge_names_missed_and_false_refusals() -> None:
    missed = refusal._judge("m", True, False, None, 0.97, "Contact Us")
    assert (missed.ok, missed.kind) == (False, "missed refusal")
    assert missed.reason == "answered from 'Contact Us' (confidence 0.97)"
    false = refusal._judge("f", False, True, "not_covered", 0.21, None)
    assert (false.ok, false.kind) == (False, "false refusal")
    assert false.reason == "refused as not_covered (confidence 0.21)"
    assert refusal._judge("ok", True, True, "noise", 0.0, None).ok


def test_refusal_score_precision_recall_and_false_refusal_rate() -> None:
    verdicts = [
        refusal._judge("1", True, True, "noise", 0, None),  # caught
        refusal._judge("2", True, False, None, 1, "A"),  # missed
        refusal._judge("3", False, True, "not_covered", 0, None),  # false refusal
        refusal._judge("4", False, False, None, 1, "A"),
        refusal._judge("5", False, False, None, 1, "A"),
        refusal._judge("6", False, False, None, 1, "A"),
    ]
    assert refusal._score(verdicts) == {
        "refusal_precision": 0.5,
        "refusal_recall": 0.5,
        "false_refusal_rate": 0.25,
    }
    assert refusal._score([]) == {"refusal_precision": None, "refusal_recall": None, "false_refusal_rate": None}


# -- latency --------------------------------------------------------------------------------------
def test_percentile_interpolates() -> None:
    assert latency.percentile([], 50) is None
    assert latency.percentile([5.0], 95) == 5.0
    assert latency.percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert latency.percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)


def test_latency_score_in_milliseconds() -> None:
    verdicts = [latency._judge(str(i), s) for i, s in enumerate([0.1, 0.2, 0.3])]
    assert verdicts[0].reason == "answered in 100 ms"
    values = latency._score(verdicts)
    assert values["latency_p50_ms"] == pytest.approx(200.0)
    assert values["latency_p95_ms"] == pytest.approx(290.0)


# -- stale cases ----------------------------------------------------------------------------------
def test_stale_reasons_name_missing_sections_and_phrases() -> None:
    sections = {"cookies": "## Cookies\n\nWe do use\xa0cookies.", "security": "We take reasonable steps."}
    current = {"id": "c", "expect": "answer", "sections": ["Cookies"], "quote_contains": ["use cookies"]}
    assert stale_reasons(current, sections) == []
    gone = {
        "id": "g",
        "expect": "answer",
        "sections": ["Cookies", "Tracking"],
        "quote_contains": ["use cookies", "reasonable steps"],
    }
    assert stale_reasons(gone, sections) == [
        "section 'Tracking' is not in the corpus",
        "phrase 'reasonable steps' occurs in none of its sections",
    ]
    assert stale_reasons({"id": "r", "expect": "refuse", "sections": [], "quote_contains": []}, sections) == []


# -- thresholds -----------------------------------------------------------------------------------
def test_checks_hold_at_the_limit_and_skip_missing_values() -> None:
    checks = check(
        Thresholds(),
        {
            "faithfulness": 1.0,
            "section_accuracy": 0.95,
            "evidence": 0.5,
            "refusal_recall": None,
            "false_refusal_rate": 0.031,
        },
    )
    by_metric = {c.metric: c.ok for c in checks}
    assert by_metric == {
        "faithfulness": True,
        "section_accuracy": True,
        "evidence": False,
        "refusal_recall": True,
        "false_refusal_rate": False,
    }
    assert not Check("faithfulness", ">=", 1.0, 0.999).ok


def test_thresholds_file_overrides_defaults(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[min]\nevidence = 0.5\n"hit@1" = 0.7\n[max]\nfalse_refusal_rate = 0.1\n', encoding="utf-8")
    t = load_thresholds(path)
    assert t.minimum == {
        "faithfulness": 1.0,
        "section_accuracy": 0.95,
        "evidence": 0.5,
        "refusal_recall": 0.95,
        "hit@1": 0.7,
    }
    assert t.maximum == {"false_refusal_rate": 0.1}
    assert load_thresholds(None) == Thresholds()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[min]\nlatency_p95_ms = 0.5\n", "never gated"),
        ("[min]\nbogus = 0.5\n", "unknown metric 'bogus'"),
        ("[min]\nevidence = 2\n", "from 0 to 1"),
        ("[min]\nevidence = true\n", "from 0 to 1"),
        ("[gates]\nevidence = 0.5\n", "unknown table"),
        ("[min\n", "not valid TOML"),
    ],
)
def test_bad_thresholds_files_are_rejected(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ThresholdsError, match=message):
        load_thresholds(path)


def test_the_repository_thresholds_file_is_valid() -> None:
    t = load_thresholds(Path(__file__).resolve().parents[1] / "evals" / "thresholds.toml")
    assert t.minimum["faithfulness"] == 1.0
