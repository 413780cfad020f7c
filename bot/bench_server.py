"""The server step of ``python -m bot bench``: ``python -m bot serve`` with N workers under a fixed-time load.

``run_server`` starts the server on a free loopback port, waits for ``/api/health``, sends the golden-set
questions (distinct: the models run) and then one repeated question (the answer cache) from ``concurrency``
clients, and reads the peak resident set of the supervisor and of each worker from ``/proc`` before stopping it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bench import REPEATED_QUESTION
from .bench_report import Load, percentiles


@dataclass(frozen=True)
class ServerRun:
    """Time to ready, both loads, and the peak RSS (MB) of every server process (workers first)."""

    ready_s: float
    distinct: Load
    repeated: Load
    workers_rss_mb: tuple[float, ...]
    total_rss_mb: float


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), from /proc."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes whose parent is ``pid``, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append((int(stat.parent.name), cmdline))
    return found


def server_rss(pid: int, workers: int) -> tuple[tuple[float, ...], float]:
    """(each worker's peak RSS, the sum over the server and all its children). With one worker the server process
    is the worker; with more, the workers are uvicorn's ``spawn`` children (not multiprocessing's resource tracker)."""
    kids = children(pid)
    own = peak_rss_mb(pid) or 0.0
    spawned = tuple(peak_rss_mb(p) or 0.0 for p, cmd in kids if "spawn_main" in cmd)
    worker_rss = (own,) if workers == 1 else spawned
    return worker_rss, own + sum(peak_rss_mb(p) or 0.0 for p, _ in kids)


async def _load(url: str, bodies: Callable[[int], dict[str, Any] | None], concurrency: int, seconds: float) -> Load:
    """``concurrency`` clients POST ``bodies(n)`` in turn until ``seconds`` pass or the bodies run out."""
    import httpx

    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60.0) as client:

        async def client_loop() -> None:
            nonlocal errors, sent
            while time.perf_counter() < deadline:
                body = bodies(sent)
                sent += 1
                if body is None:
                    return
                began = time.perf_counter()
                try:
                    response = await client.post("/api/ask", json=body)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - began)
                errors += not ok

        began = time.perf_counter()
        await asyncio.gather(*(client_loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return Load(concurrency, len(latencies) - errors, errors, elapsed, percentiles(latencies))


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, began: float) -> float:
    """Seconds from ``began`` until ``/api/health`` answers 200 (every worker's own health is not visible)."""
    import httpx

    while time.perf_counter() - began < 300:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + "/api/health", timeout=5).status_code == 200:
                return time.perf_counter() - began
        time.sleep(0.02)
    raise RuntimeError("the server was not ready after 300 s")


def run_server(
    root: Path, env: dict[str, str], work: Path, cases: Sequence[Any], seconds: float, concurrency: int, workers: int
) -> ServerRun:
    """Start ``python -m bot serve`` (``BOT_WORKERS=workers``) in ``root`` with ``env``, load it, measure, stop."""
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = work / "server.log"
    with log_path.open("wb") as log:
        began = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=root,
            env=env | {"BOT_WORKERS": str(workers)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        ready = _wait_ready(process, url, log_path, began)
        distinct = [
            {"question": c.question, "history": [{"role": r, "content": t} for r, t in c.history]} for c in cases
        ]
        load = asyncio.run(_load(url, lambda n: distinct[n] if n < len(distinct) else None, concurrency, seconds))
        for _ in range(workers):  # priming; which worker takes a new connection is not fixed, so one may miss once
            httpx.post(url + "/api/ask", json={"question": REPEATED_QUESTION}, timeout=60)
        repeated = asyncio.run(_load(url, lambda n: {"question": REPEATED_QUESTION}, concurrency, min(5.0, seconds)))
        workers_rss, total_rss = server_rss(process.pid, workers)
        return ServerRun(ready, load, repeated, workers_rss, total_rss)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
