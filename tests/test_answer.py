"""Pure pieces of the answer stage: sentence choice, calibration, rendering."""

from __future__ import annotations

import math

from bot.answer import Calibration, Candidate, Citation, choose, render


def _cand(section: int, start: int, chunk_score: float) -> Candidate:
    return Candidate("p.md", section, start, start + 10, f"sentence {start}", chunk_score)


def test_choose_starts_in_the_top_section_and_keeps_close_sentences() -> None:
    cands = [_cand(1, 0, 2.0), _cand(1, 20, 2.0), _cand(2, 40, 1.0), _cand(1, 60, -9.0)]
    scores = [1.0, 3.0, 9.0, -9.0]
    chosen = choose(cands, scores, primary=("p.md", 1), max_quotes=3, margin=3.0)
    # combined = 0.3 * sentence + 0.7 * chunk: 1.7, 2.3, 3.4, -9.0; the other section needs best - margin/2
    assert [c.start for c, _ in chosen] == [40, 20, 0]
    assert [round(score, 2) for _, score in chosen] == [3.4, 2.3, 1.7]
    narrow = choose(cands, scores, primary=("p.md", 1), max_quotes=3, margin=0.5)
    assert [c.start for c, _ in narrow] == [40, 20], "sentences far below the best are not quoted"


def test_choose_returns_nothing_without_the_primary_section() -> None:
    assert choose([_cand(2, 0, 1.0)], [1.0], primary=("p.md", 1), max_quotes=3, margin=3.0) == []


def test_calibration_is_monotonic_in_both_signals() -> None:
    cal = Calibration()
    assert cal.confidence(2.0, 0.0) > cal.confidence(-2.0, 0.0)
    assert cal.confidence(0.0, 2.0) > cal.confidence(0.0, -10.0)
    assert 0.0 <= cal.confidence(-100.0, -100.0) < cal.threshold < cal.confidence(5.0, 5.0) <= 1.0


def test_each_sign_of_an_outside_question_lowers_the_confidence_by_its_weight() -> None:
    cal = Calibration(outside_weights={"organisation": 2.0, "unmentioned": 3.0, "history": math.inf})
    sure = cal.confidence(3.0, 0.0)
    assert cal.confidence(3.0, 0.0, outside=["organisation"]) < sure
    assert cal.confidence(3.0, 0.0, outside=["organisation", "unmentioned"]) < cal.confidence(
        3.0, 0.0, outside=["organisation"]
    )
    assert cal.confidence(3.0, 0.0, outside=["organisation"]) > cal.threshold, "a light sign leaves a sure answer"
    assert cal.confidence(50.0, 50.0, outside=["history"]) < cal.threshold, "a veto refuses whatever else is said"
    assert cal.confidence(50.0, 50.0, outside=["general"]) < cal.threshold, "a sign without a weight is a veto"


def test_render_groups_by_section_in_document_order() -> None:
    a = Citation("p.md", "P", "Cookies", "cookies", "We do use cookies.", 50, 68, 1.0)
    b = Citation("p.md", "P", "Cookies", "cookies", "You can disable cookies.", 10, 34, 2.0)
    c = Citation("p.md", "P", "Security", "security", "We take steps.", 90, 104, 0.5)
    assert render([a, c, b]) == (
        "From “Cookies”: “You can disable cookies.” … “We do use cookies.”\nFrom “Security”: “We take steps.”"
    )
