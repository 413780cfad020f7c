"""A bounded soak of the live server over loopback: a fixed time at a fixed concurrency, a mixed workload.

No errors but 429; p99 reported; the server's resident memory (VmRSS from /proc) may not grow by 10% or
more from the first 10 s to the last 10 s. Stops by itself: ``SECONDS`` of load, then the clients finish
the requests they have in flight.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import ROOT, LiveServer, serve
from reliability_support import record

from bot.bench_report import percentiles

SECONDS = 45.0
CONCURRENCY = 16
WINDOW = 10.0  # seconds compared at the start and at the end
SAMPLE_EVERY = 0.25


def _questions() -> list[str]:
    lines = (ROOT / "evals" / "datasets" / "golden.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:20]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # a queue that holds every worker: this measures stability under load, not back-pressure (test_api_limits.py)
    with serve(tmp_path_factory, "soak", rate_limit="1000000/minute", max_queue=str(CONCURRENCY)) as srv:
        yield srv


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS line")


async def _soak(url: str, pid: int) -> dict:
    questions = _questions()
    statuses: Counter[str] = Counter()
    latencies: dict[str, list[float]] = {"ask": [], "feedback": [], "health": []}
    rss: list[tuple[float, int]] = []
    ids: list[str] = []
    started = time.monotonic()
    deadline = started + SECONDS
    counter = 0

    async def sample() -> None:
        while time.monotonic() < deadline:
            rss.append((time.monotonic() - started, _rss_kb(pid)))
            await asyncio.sleep(SAMPLE_EVERY)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal counter
        while time.monotonic() < deadline:
            counter += 1
            n = counter
            kind = "health" if n % 10 == 0 else "feedback" if n % 10 == 1 and ids else "ask"
            t0 = time.perf_counter()
            try:
                if kind == "health":
                    r = await client.get("/api/health")
                elif kind == "feedback":
                    r = await client.post("/api/feedback", json={"id": ids[n % len(ids)], "rating": "up"})
                else:
                    # Mostly repeated questions (the answer cache), one in eight new (the whole pipeline).
                    q = questions[n % len(questions)]
                    question = f"{q} (case {n})" if n % 8 == 0 else q
                    r = await client.post("/api/ask", json={"question": question})
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                continue
            latencies[kind].append(time.perf_counter() - t0)
            statuses[str(r.status_code)] += 1
            if kind == "ask" and r.status_code == 200 and len(ids) < 500:
                ids.append(r.json()["id"])

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        await asyncio.gather(sample(), *(worker(client) for _ in range(CONCURRENCY)))
    wall = time.monotonic() - started
    first = [kb for t, kb in rss if t <= WINDOW]
    last = [kb for t, kb in rss if t >= SECONDS - WINDOW]
    every = [x for xs in latencies.values() for x in xs]
    ask = percentiles(latencies["ask"])
    overall = percentiles(every)
    return {
        "seconds": round(wall, 1),
        "concurrency": CONCURRENCY,
        "requests": len(every),
        "requests_per_second": round(len(every) / wall, 1),
        "status_codes": dict(sorted(statuses.items())),
        "errors": sum(n for s, n in statuses.items() if s not in {"200", "201", "429"}),
        "p50_ms": round(overall.p50_ms, 1),
        "p99_ms": round(overall.p99_ms, 1),
        "ask_p50_ms": round(ask.p50_ms, 1),
        "ask_p99_ms": round(ask.p99_ms, 1),
        "rss_first_10s_mb": round(statistics.mean(first) / 1024, 1),
        "rss_last_10s_mb": round(statistics.mean(last) / 1024, 1),
        "rss_growth_pct": round(100 * (statistics.mean(last) / statistics.mean(first) - 1), 2),
        "rss_samples": len(rss),
    }


@pytest.mark.slow
def test_soak_has_no_errors_and_flat_memory(server: LiveServer) -> None:
    assert server.process is not None
    assert server.url.startswith("http://127.0.0.1:")  # loopback only
    # One request of each kind first, so the soak starts from a server that has served once.
    with httpx.Client(base_url=server.url, timeout=60) as client:
        qid = client.post("/api/ask", json={"question": "Do you use cookies?"}).json()["id"]
        assert client.post("/api/feedback", json={"id": qid, "rating": "up"}).status_code == 201
    figures = asyncio.run(_soak(server.url, server.process.pid))
    record("soak", **figures)
    assert figures["requests"] > 0
    assert figures["errors"] == 0, figures["status_codes"]
    assert figures["rss_growth_pct"] < 10.0, figures
    assert server.process.poll() is None, "the server died"
