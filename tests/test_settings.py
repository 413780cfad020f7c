"""Settings read from the environment as a shell user writes them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.settings import Settings


@pytest.fixture
def two_policies(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "north.md", tmp_path / "south.txt"
    first.write_text("# North\n\nWe keep your email address.\n", encoding="utf-8")
    second.write_text("South Ltd keeps nothing.\n", encoding="utf-8")
    return first, second


def test_corpus_takes_paths_joined_like_path(monkeypatch: pytest.MonkeyPatch, two_policies: tuple[Path, Path]) -> None:
    first, second = two_policies
    monkeypatch.setenv("BOT_CORPUS", f"{first}{os.pathsep}{second}")
    assert Settings().resolved_corpus() == [first, second]


def test_corpus_takes_one_plain_path(monkeypatch: pytest.MonkeyPatch, two_policies: tuple[Path, Path]) -> None:
    monkeypatch.setenv("BOT_CORPUS", str(two_policies[1]))
    assert Settings().resolved_corpus() == [two_policies[1]]


def test_corpus_still_takes_a_json_list(monkeypatch: pytest.MonkeyPatch, two_policies: tuple[Path, Path]) -> None:
    monkeypatch.setenv("BOT_CORPUS", f'["{two_policies[0]}"]')
    assert Settings().resolved_corpus() == [two_policies[0]]


def test_outside_weights_name_known_signs_and_a_misspelt_one_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_OUTSIDE_WEIGHTS", '{"organisation": 3, "history": Infinity}')
    assert Settings().outside_weights == {"organisation": 3.0, "history": float("inf")}
    monkeypatch.setenv("BOT_OUTSIDE_WEIGHTS", '{"organization": 3}')
    with pytest.raises(ValueError, match=r"unknown outside signs.*known: organisation"):
        Settings()
