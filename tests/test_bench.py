"""The benchmark's pure parts (percentiles, the summary, the verdicts and the table), the command's help, the
quality-matched peer's cross-encoder (ours, behind LangChain's interface) and the server's processes from /proc."""

from __future__ import annotations

import math
import os
import subprocess

import pytest
from click.testing import CliRunner

from bot.bench_report import BenchResult, Latency, Load, format_table, percentiles, summarise, to_dict, verdict
from bot.bench_server import children, peak_rss_mb, server_rss
from bot.cli import cli
from bot.rerank import CrossEncoder
from bot.settings import Settings


def test_percentiles_nearest_rank() -> None:
    lat = percentiles([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert (lat.n, lat.p50_ms, lat.p95_ms, lat.p99_ms) == (100, pytest.approx(50), pytest.approx(95), pytest.approx(99))
    assert percentiles([0.002]).p99_ms == pytest.approx(2)
    assert math.isnan(percentiles([]).p50_ms)


def test_verdicts() -> None:
    assert verdict("ours_p50_ms", 45.0).startswith("met")
    assert verdict("ours_p50_ms", 51.0).startswith("MISSED")
    assert verdict("ours_over_matched", 0.3).startswith("met")
    assert verdict("server_rps", 20.0).startswith("met")
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
        matched=Latency(10, 100.0, 130.0, 140.0),
        hit1_ours=0.8,
        hit1_peer=0.6,
        hit1_matched=0.75,
        questions=10,
        workers=2,
        server_ready_s=3.5,
        server=Load(8, 100, 0, 20.0, Latency(100, 700.0, 900.0, 950.0)),
        server_rss_mb=400.0,
        server_rss_total_mb=850.0,
    )


def test_summary_ratios_and_medians() -> None:
    s = summarise(result())
    assert s["cold_ask_s"] == 2.5
    assert s["ours_over_floor"] == pytest.approx(1.25)
    assert s["ours_over_peer"] == pytest.approx(12.5)
    assert s["ours_over_matched"] == pytest.approx(1.25)
    assert s["server_rps"] == pytest.approx(5.0)
    assert s["server_rps_per_worker"] == pytest.approx(2.5)
    assert s["cached_rps"] is None
    assert to_dict(result())["verdicts"]["ours_over_matched"].startswith("MISSED")


def test_table_lists_every_metric_with_its_target() -> None:
    table = format_table(result())
    assert "2 cores, Test CPU" in table
    assert "server: 2 worker(s)" in table
    assert "| ours / floor (p50) | 1.25 |  |" in table
    assert "| ours / quality-matched peer (p50) | 1.25 | MISSED (<= 0.3) |" in table
    assert "| hit@1 quality-matched peer | 0.750 |  |" in table
    assert "| server, distinct questions (req/s) | 5.0 | MISSED (>= 20) |" in table
    assert "| server peak RSS, all processes (MB) | 850 |  |" in table
    assert "| server, one repeated question (req/s) | - |  |" in table


def test_command_help() -> None:
    done = CliRunner().invoke(cli, ["bench", "--help"])
    assert done.exit_code == 0
    assert "--concurrency" in done.output
    assert "--workers" in done.output


def test_matched_peer_reads_our_cross_encoder() -> None:
    """The LangChain reranker, given our model behind its interface, scores and orders exactly as ours does."""
    pytest.importorskip("langchain_classic")
    pytest.importorskip("langchain_huggingface")
    from langchain_classic.retrievers.document_compressors import CrossEncoderReranker
    from langchain_core.documents import Document

    from bot.bench_peers import SameCrossEncoder

    ours = CrossEncoder(Settings().reranker_dir, batch_size=1, cache_size=0)
    passages = [
        "We never sell your personal data.",
        "Cookies help us remember you.",
        "Children under 13 may not sign up.",
    ]
    questions = ["Do you sell my data?", "Can my child make an account?"]
    pairs = [(q, p) for p in passages for q in questions]  # queries interleaved: the adapter regroups them
    expected = {q: ours.score(q, passages) for q in questions}
    scores = SameCrossEncoder(ours).score(pairs)
    assert scores == [pytest.approx(float(expected[q][passages.index(p)])) for q, p in pairs]
    kept = CrossEncoderReranker(model=SameCrossEncoder(ours), top_n=2).compress_documents(
        [Document(page_content=p) for p in passages], questions[0]
    )
    best = sorted(passages, key=lambda p: -expected[questions[0]][passages.index(p)])[:2]
    assert [d.page_content for d in kept] == best


def test_server_processes_from_proc() -> None:
    """A child is found with its command line; with one worker the server process is the worker."""
    with subprocess.Popen(["sleep", "30"]) as child:
        try:
            assert (child.pid, "sleep 30") in [(p, c.strip()) for p, c in children(os.getpid())]
            workers, total = server_rss(os.getpid(), workers=1)
            assert workers == (peak_rss_mb(os.getpid()),)
            assert total > workers[0]
        finally:
            child.kill()
