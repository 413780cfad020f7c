"""``python -m bot eval`` through click's CliRunner: exit codes 0 / 1 / 2 and what it prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from evals_support import ROOT, SMALL_CASES, eval_settings, write_jsonl

from bot.cli import cli


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    settings = eval_settings(tmp_path_factory)
    return {"BOT_ROOT": str(ROOT), "BOT_INDEX_DIR": str(settings.index_dir)}


def test_a_bad_dataset_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [SMALL_CASES[0], {"id": "x", "question": "q", "expect": "perhaps"}])
    result = CliRunner().invoke(cli, ["eval", "--dataset", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: 'expect' must be one of ['answer', 'refuse']" in result.output


def test_a_missing_dataset_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "--dataset", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl: no such file" in result.output


def test_a_bad_thresholds_file_exits_2(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", SMALL_CASES)
    gate = tmp_path / "t.toml"
    gate.write_text("[min]\nlatency_p95_ms = 0.5\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--dataset", str(data), "--thresholds", str(gate)])
    assert result.exit_code == 2
    assert "latency is reported, never gated" in result.output


def test_passing_cases_exit_0_with_json_and_a_report(tmp_path: Path, env: dict[str, str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", SMALL_CASES)
    report = tmp_path / "out" / "report.md"
    result = CliRunner().invoke(cli, ["eval", "--dataset", str(data), "--json", "--report", str(report)], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["passed"] is True
    assert body["metrics"]["faithfulness"] == 1.0
    assert [c["id"] for c in body["cases"]] == [c["id"] for c in SMALL_CASES]
    assert report.read_text(encoding="utf-8").startswith("# PolicyBot eval report")


def test_a_failing_gate_exits_1_and_lists_the_case(tmp_path: Path, env: dict[str, str]) -> None:
    wrong = {
        "id": "weather",
        "question": "What's the weather in Paris today?",
        "expect": "answer",
        "sections": ["Cookies"],
        "quote_contains": ["use cookies"],
    }
    data = write_jsonl(tmp_path / "d.jsonl", [SMALL_CASES[0], wrong])
    result = CliRunner().invoke(cli, ["eval", "--dataset", str(data)], env=env)
    assert result.exit_code == 1, result.output
    assert "FAILED: " in result.stdout
    assert "    weather: " in result.stdout


# -- support sets: the support checker's catch and keep rate ----------------------------------------------------
ADULTS = "You must be over the age of 18 to use the Sites."
SUPPORT = [
    {"id": "s-kept", "quotes": [ADULTS], "sentence": "You must be over 18 to use the Sites [1].", "label": "faithful"},
    {"id": "s-age", "quotes": [ADULTS], "sentence": "Anyone over 16 may use the Sites [1].", "label": "unfaithful"},
    {"id": "s-none", "quotes": [ADULTS], "sentence": "Age limits apply.", "label": "unfaithful", "kind": "x"},
]


def test_a_support_set_is_scored_gated_and_its_misses_listed(tmp_path: Path, env: dict[str, str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", SMALL_CASES[:1])
    claims = write_jsonl(tmp_path / "faithfulness.jsonl", SUPPORT)
    gate = tmp_path / "t.toml"
    gate.write_text("[min]\ncatch_rate = 1.0\nkeep_rate = 1.0\n", encoding="utf-8")
    args = ["eval", "--dataset", str(data), "--support-set", str(claims), "--thresholds", str(gate)]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(
        line.split() == [*"support checker: unfaithful sentences dropped 1.000 >= 1 ok".split()] for line in lines
    )
    assert any(line.split() == [*"support checker: faithful sentences kept 1.000 >= 1 ok".split()] for line in lines)
    sealed = CliRunner().invoke(cli, [*args, "--sealed"], env=env)
    assert sealed.exit_code == 0, sealed.output
    assert "s-age" not in sealed.stdout and "Anyone" not in sealed.stdout


def test_a_support_set_line_without_a_label_exits_2(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", SMALL_CASES[:1])
    claims = write_jsonl(tmp_path / "f.jsonl", [{**SUPPORT[0], "label": "probably"}])
    result = CliRunner().invoke(cli, ["eval", "--dataset", str(data), "--support-set", str(claims)])
    assert result.exit_code == 2
    assert f'{claims}:1: "label" must be one of faithful, unfaithful' in result.output
