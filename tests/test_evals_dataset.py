"""Eval dataset loading: good files load, every kind of bad line is reported with its file and line number."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from evals_support import ROOT, SMALL_CASES, write_jsonl

from bot.errors import BotError
from bot.evals.dataset import Case, DatasetError, default_paths, load_cases

GOOD = {
    "id": "c1",
    "question": "Do you use cookies?",
    "expect": "answer",
    "sections": ["Cookies"],
    "quote_contains": ["use cookies"],
}


def test_the_golden_set_loads() -> None:
    cases = load_cases(default_paths(ROOT))
    assert len(cases) == len({c.id for c in cases}) > 100
    assert {c.expect for c in cases} == {"answer", "refuse"}
    assert all(c.sections and c.quote_contains for c in cases if c.answerable)


def test_a_case_keeps_every_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", SMALL_CASES)
    cases = load_cases([path])
    follow_up = next(c for c in cases if c.id == "follow-up")
    assert follow_up.history[0] == ("user", "Do you use cookies?")
    assert follow_up.origin == f"{path}:4"
    assert follow_up.to_dict()["history"] == SMALL_CASES[3]["history"]
    refuse = next(c for c in cases if c.id == "keymash")
    assert (refuse.expect, refuse.sections, refuse.quote_contains) == ("refuse", (), ())
    assert isinstance(cases[0], Case)


def test_cases_from_several_files_in_order_and_blank_lines_skipped(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_text(json.dumps(GOOD) + "\n\n", encoding="utf-8")
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": "r1", "question": "hi", "expect": "refuse", "tags": ["junk"]}])
    assert [c.id for c in load_cases([a, b])] == ["c1", "r1"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "question": "q", "expect": "answer", ', "invalid JSON"),
        ('["not", "an", "object"]', "a case must be a JSON object, not list"),
        (json.dumps(GOOD | {"answer": "yes"}), "unknown field(s) ['answer']"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "question"}), "missing required field 'question'"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "sections"}), "missing required field 'sections'"),
        (json.dumps(GOOD | {"quote_contains": []}), "'quote_contains' must not be empty"),
        (json.dumps(GOOD | {"expect": "maybe"}), "'expect' must be one of ['answer', 'refuse'], not 'maybe'"),
        (json.dumps(GOOD | {"id": 7}), "'id' must be a non-empty string"),
        (json.dumps(GOOD | {"question": "  "}), "'question' must be a non-empty string"),
        (json.dumps(GOOD | {"sections": "Cookies"}), "'sections' must be a list of non-empty strings"),
        (json.dumps(GOOD | {"tags": [1]}), "'tags' must be a list of non-empty strings"),
        (json.dumps(GOOD | {"history": {"role": "user"}}), "'history' must be a list"),
        (json.dumps(GOOD | {"history": [{"role": "bot", "content": "x"}]}), "history turn 1: role must be one of"),
        (json.dumps(GOOD | {"history": [{"role": "user"}]}), "history turn 1 must be an object with exactly"),
    ],
)
def test_a_bad_line_is_named_by_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD | {"id": "first"}) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_cases([path])
    assert f"{path}:2: " in str(info.value)
    assert message in str(info.value)
    assert isinstance(info.value, BotError)


def test_every_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    rows = [GOOD, GOOD, GOOD | {"id": "c2", "expect": "nope"}, GOOD | {"id": "c3"}]
    write_jsonl(path, rows)
    with pytest.raises(DatasetError) as info:
        load_cases([path])
    text = str(info.value)
    assert f"{path}:2: duplicate id 'c1' (first at {path}:1)" in text
    assert f"{path}:3: 'expect' must be one of" in text
    assert f"{path}:4" not in text


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=re.escape(f"{tmp_path / 'nope.jsonl'}: no such file")):
        load_cases([tmp_path / "nope.jsonl"])
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=re.escape("empty.jsonl: no cases")):
        load_cases([tmp_path / "empty.jsonl"])
    with pytest.raises(DatasetError, match="no dataset files"):
        load_cases([])
