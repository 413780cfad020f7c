"""``python -m bot bench``: how fast PolicyBot is on this machine, next to a floor and two LangChain peers.

Steps, each named below: ``_build`` (a fresh index in a temporary folder, timed), ``_cold`` (fresh
``python -m bot ask`` processes), ``_warm`` (in one process, per golden-set question: the floor, then our
``ask``), the peers (``bot.bench_peers``: LangChain's naive FAISS search, and the same search reranked by our
cross-encoder), the server (``bot.bench_server``: ``python -m bot serve`` with N workers on a free loopback port:
time to ready, a fixed-time load at a fixed concurrency, the peak RSS of each process). ``bot.bench_report`` turns
the raw timings into the table.

Everything runs on 127.0.0.1 in temporary folders, bounded in time and count, and stops by itself.
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .bench_report import BenchResult, Latency, percentiles
from .settings import Settings

COLD_QUESTION = "Is my eleven year old allowed to make an account?"
REPEATED_QUESTION = "Is my personal data sold to anyone?"


# -- steps -------------------------------------------------------------------------------------------------
def _machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def _env(settings: Settings, index_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env |= {
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "BOT_ROOT": str(settings.root),
        "BOT_INDEX_DIR": str(index_dir),
        "BOT_MODEL_THREADS": str(settings.model_threads),
        "BOT_RERANK_BATCH": str(settings.rerank_batch),
    }
    return env | extra


def _run(args: list[str], settings: Settings, env: dict[str, str], timeout: float) -> float:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=settings.root, env=env, capture_output=True, timeout=timeout
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"`python -m bot {' '.join(args)}` exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return seconds


def _build(settings: Settings, index_dir: Path) -> float:
    return _run(["index"], settings, _env(settings, index_dir), timeout=600)


def _cold(settings: Settings, index_dir: Path, runs: int) -> list[float]:
    return [_run(["ask", COLD_QUESTION], settings, _env(settings, index_dir), timeout=300) for _ in range(runs)]


def first_hit(sections: Sequence[str], acceptable: Sequence[str]) -> bool:
    """The first of ``sections`` is one of the ``acceptable`` ones (hit@1)."""
    from .evals.text import section_matches

    return bool(sections) and section_matches(sections[0], acceptable)


def _warm(settings: Settings, cases: Sequence[Any]) -> tuple[Latency, Latency, float, Latency | None, float | None]:
    """(floor, ours, hit@1 of ours, ours with the cascade, its hit@1), measured alternately question by question
    under the same load. The cascade runs beside when ``settings`` read with the teacher alone and the distilled
    student is installed (``small_reranker_dir``); else those two are None."""
    from .followup import Turn
    from .onnx_embed import OnnxEmbedder
    from .pipeline import PolicyBot, reranker

    bot = PolicyBot(settings)
    bot.warm_up(rebuild=False)
    fast = None
    if not settings.cascade and (Path(settings.small_reranker_dir) / "model.onnx").is_file():
        fast = PolicyBot(settings.model_copy(update={"cascade": True}))
        fast.warm_up(rebuild=False)
    index = bot.index
    # The floor's own encoder and reranker (same settings, no score cache): nothing shared with ``bot``.
    encoder = OnnxEmbedder.for_build(index.path, settings.embedding_model, settings.model_threads)
    scorer = reranker(settings, cache_size=0)  # the teacher, or the cascade of the student and the teacher
    assert scorer is not None, "the bench needs a reranker"

    def floor_once(question: str) -> float:
        _, ids = index.faiss_index.search(encoder.encode([question]), settings.rerank_depth)
        passages = [index.chunks[i].embed_text for i in ids[0] if i >= 0]  # the same number as ours reranks
        began = time.perf_counter()
        encoder.encode([question])
        scorer.score(question, passages)
        return time.perf_counter() - began

    def ask(one: PolicyBot, case: Any) -> tuple[float, bool]:
        history = [Turn(role, content) for role, content in case.history]
        began = time.perf_counter()
        answer = one.ask(case.question, history)
        took = time.perf_counter() - began
        return took, case.answerable and first_hit([h.chunk.section_title for h in answer.retrieved], case.sections)

    for case in cases[:3]:  # first runs allocate; not timed
        floor_once(case.question)
        for one in (bot, fast):
            if one is not None:
                one.ask(case.question)
    floor, ours, cascade, hits, cascade_hits = [], [], [], 0, 0
    for case in cases:
        floor.append(floor_once(case.question))
        took, hit = ask(bot, case)
        ours.append(took)
        hits += hit
        if fast is not None:
            took, hit = ask(fast, case)
            cascade.append(took)
            cascade_hits += hit
    answerable = sum(1 for c in cases if c.answerable)
    rate = (lambda n: n / answerable) if answerable else (lambda n: float("nan"))
    if fast is None:
        return percentiles(floor), percentiles(ours), rate(hits), None, None
    return percentiles(floor), percentiles(ours), rate(hits), percentiles(cascade), rate(cascade_hits)


def _server_step(
    result: BenchResult, settings: Settings, index_dir: Path, work: Path, cases: Sequence[Any], seconds: float
) -> None:
    """``python -m bot serve`` with ``result.workers`` workers under load, into ``result``."""
    from .bench_server import run_server

    env = _env(
        settings,
        index_dir,
        BOT_DATABASE_URL=f"sqlite:///{(work / 'bench.db').as_posix()}",
        BOT_RATE_LIMIT="1000000/minute",
        BOT_AGENT_PASSWORD="",
    )
    concurrency = int(result.settings["concurrency"])
    run = run_server(settings.root, env, work, cases, seconds, concurrency, result.workers)
    result.server_ready_s, result.server, result.server_cached = run.ready_s, run.distinct, run.repeated
    result.server_rss_mb = max(run.workers_rss_mb, default=None)
    result.server_rss_total_mb = run.total_rss_mb


def _peers_step(result: BenchResult, settings: Settings, cases: Sequence[Any]) -> None:
    """Both LangChain peers into ``result`` (a note instead when LangChain is not installed)."""
    try:
        from .bench_peers import MATCHED, NAIVE, run_peers
    except ImportError as exc:
        result.peer_note = f"not run ({exc}; pip install -e '.[bench]' and langchain-huggingface --no-deps)"
        return
    naive, matched = run_peers(settings, cases)
    result.peer, result.hit1_peer = naive.latency, naive.hit1
    result.matched, result.hit1_matched = matched.latency, matched.hit1
    result.peer_note = f"naive: {NAIVE}; quality-matched: {MATCHED}"


def run_bench(
    settings: Settings,
    seconds: float = 20.0,
    concurrency: int = 8,
    cold_runs: int = 3,
    limit: int | None = None,
    peer: bool = True,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> BenchResult:
    """Every step above, in a temporary folder; the index is built there, the configured one is not touched.
    ``workers``: server processes (default: this machine's cores)."""
    from .evals.dataset import load_cases

    say = progress or (lambda _: None)
    cases = load_cases([settings.root / "evals" / "datasets" / "golden.jsonl"])[:limit]
    result = BenchResult(
        _machine(),
        {
            "seconds": seconds,
            "concurrency": concurrency,
            "model_threads": settings.model_threads,
            "rerank_batch": settings.rerank_batch,
            "rerank_depth": settings.rerank_depth,
        },
        questions=len(cases),
        workers=workers or os.cpu_count() or 1,
    )
    with tempfile.TemporaryDirectory(prefix="policybot-bench-") as tmp:
        work = Path(tmp)
        index_dir = work / "index"
        local = settings.model_copy(update={"index_dir": index_dir})
        say("building a fresh index")
        result.index_build_s = _build(local, index_dir)
        say(f"cold asks ({cold_runs})")
        result.cold_ask_s = _cold(local, index_dir, cold_runs)
        say(f"server ({result.workers} workers): start, load, peak RSS")
        _server_step(result, local, index_dir, work, cases, seconds)
        say(f"floor and ours, in process, {len(cases)} questions")
        result.floor, result.ours, result.hit1_ours, result.cascade, result.hit1_cascade = _warm(local, cases)
        if peer:
            say("peers (LangChain): naive, then reranked by our cross-encoder")
            _peers_step(result, local, cases)
    result.load_after = os.getloadavg()
    return result
