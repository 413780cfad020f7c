"""The CLI through click's CliRunner: exit codes and the exact JSON shape of ask --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.settings import Settings


@pytest.fixture()
def env(settings: Settings, bot: object) -> dict[str, str]:
    return {"BOT_INDEX_DIR": str(settings.index_dir), "BOT_ROOT": str(settings.root), "HF_HUB_OFFLINE": "1"}


def test_ask_json_shape(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["ask", "Do you use cookies?", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"question", "answer", "refused", "reason", "citations", "retrieved"} <= set(data)
    assert data["refused"] is False and data["reason"] is None
    cite = data["citations"][0]
    assert {"source", "section", "anchor", "quote", "start", "end", "score"} <= set(cite)
    assert cite["source"] == "corpus/infrascale-privacy-policy.md" and cite["section"] == "Cookies"
    root = Path(env["BOT_ROOT"])
    assert (root / cite["source"]).read_text(encoding="utf-8")[cite["start"] : cite["end"]] == cite["quote"]
    assert {"source", "section", "start", "end", "score"} <= set(data["retrieved"][0])


def test_ask_plain_text_and_history(env: dict[str, str], tmp_path: Path) -> None:
    history = tmp_path / "turns.json"
    history.write_text(json.dumps([{"role": "user", "content": "Do you use cookies?"}]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ask", "how do I turn them off?", "--history", str(history)], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("From “Cookies”: “")
    assert "#cookies chars" in result.output


def test_bad_history_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    history = tmp_path / "turns.json"
    history.write_text('{"role": "user"}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["ask", "hi", "--history", str(history)], env=env)
    assert result.exit_code == 2
    assert "history must be a JSON list" in result.output


def test_empty_question_exits_2(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["ask", "  "], env=env)
    assert result.exit_code == 2
    assert "the question is empty" in result.output


def test_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["ask", "--help"])
    assert (
        result.exit_code == 0
        and 'python -m bot ask "Is my eleven year old allowed to make an account?"' in result.output
    )
