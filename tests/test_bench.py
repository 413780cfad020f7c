"""The benchmark's pure parts: percentiles, the summary, the verdicts and the table; the command's help."""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from bot.bench import BenchResult, Latency, Load, format_table, percentiles, summarise, to_dict, verdict
from bot.cli import cli


def test_percentiles_nearest_rank() -> None:
    lat = percentiles([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert (lat.n, lat.p50_ms, lat.p95_ms, lat.p99_ms) == (100, pytest.approx(50), pytest.approx(95), pytest.approx(99))
    assert percentiles([0.002]).p99_ms == pytest.approx(2)
    assert math.isnan(percentiles([]).p50_ms)


def test_verdicts() -> None:
    assert verdict("ours_p50_ms", 25.0).startswith("met")
    assert verdict("ours_p50_ms", 31.0).startswith("MISSED")
    assert verdict("server_rps", 200.0).startswith("met")
    assert verdict("hit1_ours", 0.9) == ""
    assert verdict("server_rps", None) == ""


def result() -> BenchResult:
    return BenchResult(
        machine={"nproc": 2, "cpu": "Test CPU", "python": "3.11", "load": (0.5, 0.4, 0.3)},
        settings={"seconds": 20},
        index_build_s=9.0,
        cold_ask_s=[2.0, 3.0, 2.5],
        floor=Latency(10, 100.0, 120.0, 130.0),
        ours=Latency(10, 125.0, 150.0, 160.0),
        peer=Latency(10, 10.0, 12.0, 13.0),
        hit1_ours=0.8,
        hit1_peer=0.6,
        questions=10,
        server_ready_s=3.5,
        server=Load(8, 100, 0, 20.0, Latency(100, 700.0, 900.0, 950.0)),
        server_rss_mb=400.0,
    )


def test_summary_ratios_and_medians() -> None:
    s = summarise(result())
    assert s["cold_ask_s"] == 2.5
    assert s["ours_over_floor"] == pytest.approx(1.25)
    assert s["ours_over_peer"] == pytest.approx(12.5)
    assert s["server_rps"] == pytest.approx(5.0)
    assert s["cached_rps"] is None
    assert to_dict(result())["verdicts"]["ours_over_floor"].startswith("met")


def test_table_lists_every_metric_with_its_target() -> None:
    table = format_table(result())
    assert "2 cores, Test CPU" in table
    assert "| ours / floor (p50) | 1.25 | met (<= 1.3) |" in table
    assert "| server, distinct questions (req/s) | 5.0 | MISSED (>= 150) |" in table
    assert "| server, one repeated question (req/s) | - |  |" in table


def test_command_help() -> None:
    done = CliRunner().invoke(cli, ["bench", "--help"])
    assert done.exit_code == 0
    assert "--concurrency" in done.output
