"""Claims files (``bot.claims``): what ``check-support`` and the support sets read, and the errors a user sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.claims import Claim, ClaimsFileError, read_claims


def write(path: Path, *lines: object) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def test_lines_are_read_in_order_with_their_quotes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.jsonl",
        {"id": "a", "quotes": ["We keep logs for a week."], "sentence": "Logs are kept for a week [1]."},
        "",
        {"id": 7, "quotes": ["One.", "Two."], "sentence": "Both [1][2]."},
    )
    assert read_claims(path) == [
        Claim("a", ("We keep logs for a week.",), "Logs are kept for a week [1]."),
        Claim("7", ("One.", "Two."), "Both [1][2]."),
    ]


def test_a_labelled_set_carries_label_and_kind(tmp_path: Path) -> None:
    row = {"id": "x", "quotes": ["Q."], "sentence": "S [1].", "label": "unfaithful", "kind": "negation"}
    (claim,) = read_claims(write(tmp_path / "c.jsonl", row), labelled=True)
    assert (claim.label, claim.kind) == ("unfaithful", "negation")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "c.jsonl:2:"),
        (json.dumps({"id": "b", "quotes": [], "sentence": "S [1]."}), '"quotes" must be a non-empty list'),
        (json.dumps({"id": "b", "quotes": ["Q."]}), '"sentence" must be a non-empty string'),
        (json.dumps({"quotes": ["Q."], "sentence": "S [1]."}), '"id" must be'),
        (json.dumps(["a", "list"]), "expected a JSON object"),
        (json.dumps({"id": "a", "quotes": ["Q."], "sentence": "S [1]."}), "duplicate id 'a'"),
    ],
)
def test_a_malformed_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    good = {"id": "a", "quotes": ["Q."], "sentence": "S [1]."}
    with pytest.raises(ClaimsFileError, match=r"c\.jsonl:2") as err:
        read_claims(write(tmp_path / "c.jsonl", good, line))
    assert message in str(err.value)


def test_a_support_set_line_without_a_label_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", {"id": "a", "quotes": ["Q."], "sentence": "S [1].", "label": "maybe"})
    with pytest.raises(ClaimsFileError, match=r'c.jsonl:1: "label" must be one of faithful, unfaithful'):
        read_claims(path, labelled=True)
    assert read_claims(path)[0].label is None  # check-support ignores labels


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ClaimsFileError, match="no such file"):
        read_claims(tmp_path / "nope.jsonl")
