"""The support checker's eval (``bot.evals.support_set``): catch and keep rate, gated, and sealed sets shown in
aggregate only. The checker here is a transparent rule over fresh sentences; the real one is in test_checker.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.claims import Claim, ClaimsFileError
from bot.evals.runner import EvalResult
from bot.evals.support_set import _judge, _score, default_paths, evaluate, load, with_support
from bot.evals.thresholds import Thresholds, check
from bot.support import SentenceCheck

QUOTE = "We keep your drafts for 30 days."


def says_no_to_never(sentence: str, quotes: Sequence[str]) -> SentenceCheck:
    """Drops any sentence with "never" in it."""
    ok = "never" not in sentence
    return SentenceCheck(sentence, (1,), ok, 0.9 if ok else 0.1, "supported" if ok else "not entailed")


CLAIMS = [
    Claim("f1", (QUOTE,), "Drafts are kept for 30 days [1].", "faithful"),
    Claim("f2", (QUOTE,), "Your drafts are never deleted before 30 days [1].", "faithful"),
    Claim("u1", (QUOTE,), "We never keep drafts [1].", "unfaithful", "negation"),
    Claim("u2", (QUOTE,), "We keep drafts forever [1].", "unfaithful", "number"),
]


def test_catch_and_keep_rates_count_each_label_apart() -> None:
    verdicts = [_judge(c, says_no_to_never) for c in CLAIMS]
    assert [v.ok for v in verdicts] == [True, False, True, False]
    assert verdicts[1].kind == "faithful dropped" and "not entailed" in verdicts[1].reason
    assert verdicts[3].kind == "unfaithful kept"
    assert _score(verdicts) == {"catch_rate": 0.5, "keep_rate": 0.5, "support_claims": 4.0}


def test_the_rates_are_gated_with_the_other_metrics() -> None:
    gate = Thresholds({"catch_rate": 0.5, "keep_rate": 0.9}, {})
    before = tuple(check(gate, {"faithfulness": 1.0}))  # what run_eval checked: no value yet, so both hold
    base = EvalResult(("golden.jsonl",), (), (), {"faithfulness": 1.0}, before, ())
    result = with_support(base, evaluate(CLAIMS, says_no_to_never), gate)
    assert result.metrics["catch_rate"] == 0.5
    assert {c.metric: c.ok for c in result.checks} == {"catch_rate": True, "keep_rate": False}


def test_support_sets_are_found_apart_from_question_sets(tmp_path: Path) -> None:
    from bot.evals.dataset import default_paths as question_paths

    folder = tmp_path / "evals" / "datasets"
    folder.mkdir(parents=True)
    for name in ("golden.jsonl", "faithfulness.jsonl", "faithfulness-extra.jsonl"):
        (folder / name).write_text("", encoding="utf-8")
    assert [p.name for p in default_paths(tmp_path)] == ["faithfulness-extra.jsonl", "faithfulness.jsonl"]
    assert [p.name for p in question_paths(tmp_path)] == ["golden.jsonl"]


def test_a_support_set_needs_labels_and_unique_ids_across_files(tmp_path: Path) -> None:
    row = {"id": "a", "quotes": [QUOTE], "sentence": "Drafts are kept for 30 days [1].", "label": "faithful"}
    for name in ("one.jsonl", "two.jsonl"):
        (tmp_path / name).write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert len(load([tmp_path / "one.jsonl"])) == 1
    with pytest.raises(ClaimsFileError, match=r"two\.jsonl: id 'a' is also in .*one\.jsonl"):
        load([tmp_path / "one.jsonl", tmp_path / "two.jsonl"])
