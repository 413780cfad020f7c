"""What ``python -m bot bench`` reports: the raw timings (``BenchResult``), the table made of them and the JSON.

``summarise`` turns the timings into the table's figures and ``verdict`` sets each beside issue 16's target; both
are pure functions, so the table is tested without running anything (``bot.bench`` runs the steps).
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# The targets of issue 16 (cold start and ready: issue 5's), for the table's last column: (metric, op, limit).
TARGETS: dict[str, tuple[str, float]] = {
    "cold_ask_s": ("<=", 3.0),
    "server_ready_s": ("<=", 4.0),
    "ours_p50_ms": ("<=", 50.0),
    "ours_p95_ms": ("<=", 150.0),
    "ours_over_matched": ("<=", 0.3),
    "server_rps": (">=", 20.0),
    "server_p99_ms": ("<=", 1000.0),
    "server_rss_mb": ("<=", 500.0),
}


@dataclass(frozen=True)
class Latency:
    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


def percentiles(seconds: Sequence[float]) -> Latency:
    """p50/p95/p99 in milliseconds (nearest rank) of a list of durations in seconds."""
    if not seconds:
        return Latency(0, float("nan"), float("nan"), float("nan"))
    ordered = sorted(seconds)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] * 1000

    return Latency(len(ordered), rank(50), rank(95), rank(99))


@dataclass(frozen=True)
class Load:
    """A fixed-time HTTP load: completed requests, errors, wall time, the latencies."""

    concurrency: int
    requests: int
    errors: int
    seconds: float
    latency: Latency

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class BenchResult:
    machine: dict[str, Any]
    settings: dict[str, Any]
    index_build_s: float | None = None
    cold_ask_s: list[float] = field(default_factory=list)
    floor: Latency | None = None
    ours: Latency | None = None
    peer: Latency | None = None
    peer_note: str = ""
    matched: Latency | None = None
    hit1_ours: float | None = None
    cascade: Latency | None = None  # ours with the distilled student reading first (bot/cascade.py), side by side
    hit1_cascade: float | None = None
    hit1_peer: float | None = None
    hit1_matched: float | None = None
    questions: int = 0
    workers: int = 1
    server_ready_s: float | None = None
    server: Load | None = None
    server_cached: Load | None = None
    server_rss_mb: float | None = None  # the largest worker's peak
    server_rss_total_mb: float | None = None  # the sum of every server process's peak
    load_after: tuple[float, float, float] | None = None


# -- pure: the summary and the table ------------------------------------------------------------------------
def summarise(r: BenchResult) -> dict[str, float | None]:
    """The headline numbers (None when a step did not run)."""

    def ratio(a: Latency | None, b: Latency | None) -> float | None:
        return a.p50_ms / b.p50_ms if a and b and b.p50_ms else None

    return {
        "index_build_s": r.index_build_s,
        "cold_ask_s": statistics.median(r.cold_ask_s) if r.cold_ask_s else None,
        "server_ready_s": r.server_ready_s,
        "floor_p50_ms": r.floor.p50_ms if r.floor else None,
        "ours_p50_ms": r.ours.p50_ms if r.ours else None,
        "ours_p95_ms": r.ours.p95_ms if r.ours else None,
        "ours_over_floor": ratio(r.ours, r.floor),
        "peer_p50_ms": r.peer.p50_ms if r.peer else None,
        "ours_over_peer": ratio(r.ours, r.peer),
        "matched_p50_ms": r.matched.p50_ms if r.matched else None,
        "matched_p95_ms": r.matched.p95_ms if r.matched else None,
        "ours_over_matched": ratio(r.ours, r.matched),
        "hit1_ours": r.hit1_ours,
        "cascade_p50_ms": r.cascade.p50_ms if r.cascade else None,
        "cascade_p95_ms": r.cascade.p95_ms if r.cascade else None,
        "cascade_over_ours": ratio(r.cascade, r.ours),
        "cascade_over_matched": ratio(r.cascade, r.matched),
        "hit1_cascade": r.hit1_cascade,
        "hit1_peer": r.hit1_peer,
        "hit1_matched": r.hit1_matched,
        "server_rps": r.server.rps if r.server else None,
        "server_rps_per_worker": r.server.rps / r.workers if r.server else None,
        "server_p50_ms": r.server.latency.p50_ms if r.server else None,
        "server_p99_ms": r.server.latency.p99_ms if r.server else None,
        "cached_rps": r.server_cached.rps if r.server_cached else None,
        "cached_p99_ms": r.server_cached.latency.p99_ms if r.server_cached else None,
        "server_rss_mb": r.server_rss_mb,
        "server_rss_total_mb": r.server_rss_total_mb,
    }


def verdict(metric: str, value: float | None) -> str:
    """``met`` or ``MISSED`` against ``TARGETS``; empty when the metric has no target or no value."""
    if metric not in TARGETS or value is None:
        return ""
    op, limit = TARGETS[metric]
    ok = value <= limit if op == "<=" else value >= limit
    return f"{'met' if ok else 'MISSED'} ({op} {limit:g})"


_ROWS = (
    ("index build, fresh (s)", "index_build_s", "{:.1f}"),
    ("cold CLI ask, median (s)", "cold_ask_s", "{:.2f}"),
    ("server ready (s)", "server_ready_s", "{:.2f}"),
    ("floor: embed + 1 rerank pass (cascade when set), p50 (ms)", "floor_p50_ms", "{:.1f}"),
    ("ours: warm ask, p50 (ms)", "ours_p50_ms", "{:.1f}"),
    ("ours: warm ask, p95 (ms)", "ours_p95_ms", "{:.1f}"),
    ("ours / floor (p50)", "ours_over_floor", "{:.2f}"),
    ("naive peer: LangChain similarity_search, p50 (ms)", "peer_p50_ms", "{:.1f}"),
    ("ours / naive peer (p50)", "ours_over_peer", "{:.1f}"),
    ("matched peer: + CrossEncoderReranker (ours), p50 (ms)", "matched_p50_ms", "{:.1f}"),
    ("matched peer, p95 (ms)", "matched_p95_ms", "{:.1f}"),
    ("ours / quality-matched peer (p50)", "ours_over_matched", "{:.2f}"),
    ("hit@1 ours", "hit1_ours", "{:.3f}"),
    ("ours with the cascade (student, teacher's top), p50 (ms)", "cascade_p50_ms", "{:.1f}"),
    ("ours with the cascade, p95 (ms)", "cascade_p95_ms", "{:.1f}"),
    ("cascade / ours (p50)", "cascade_over_ours", "{:.2f}"),
    ("cascade / quality-matched peer (p50)", "cascade_over_matched", "{:.2f}"),
    ("hit@1 ours with the cascade", "hit1_cascade", "{:.3f}"),
    ("hit@1 naive peer", "hit1_peer", "{:.3f}"),
    ("hit@1 quality-matched peer", "hit1_matched", "{:.3f}"),
    ("server, distinct questions (req/s)", "server_rps", "{:.1f}"),
    ("server, distinct questions, per worker (req/s)", "server_rps_per_worker", "{:.1f}"),
    ("server, distinct questions, p50 (ms)", "server_p50_ms", "{:.0f}"),
    ("server, distinct questions, p99 (ms)", "server_p99_ms", "{:.0f}"),
    ("server, one repeated question (req/s)", "cached_rps", "{:.1f}"),
    ("server, one repeated question, p99 (ms)", "cached_p99_ms", "{:.0f}"),
    ("server peak RSS, largest worker (MB)", "server_rss_mb", "{:.0f}"),
    ("server peak RSS, all processes (MB)", "server_rss_total_mb", "{:.0f}"),
)


def format_table(r: BenchResult) -> str:
    """A markdown table: metric, value, target."""
    numbers = summarise(r)
    m = r.machine
    lines = [
        f"Machine: {m['nproc']} cores, {m['cpu']}, Python {m['python']}; "
        f"load average {m['load'][0]:.2f} at start" + (f", {r.load_after[0]:.2f} at end" if r.load_after else ""),
        f"Golden-set questions: {r.questions}; server: {r.workers} worker(s), load at concurrency "
        f"{r.server.concurrency if r.server else '-'}, {r.settings.get('seconds')} s"
        + (f"; peers: {r.peer_note}" if r.peer_note else ""),
        "",
        "| metric | value | target |",
        "| --- | ---: | --- |",
    ]
    for label, key, fmt in _ROWS:
        value = numbers[key]
        shown = "-" if value is None else fmt.format(value)
        lines.append(f"| {label} | {shown} | {verdict(key, value)} |")
    if r.server:
        lines.append("")
        lines.append(
            f"Server, distinct questions: {r.server.requests} answered, {r.server.errors} errors "
            f"in {r.server.seconds:.1f} s"
        )
    return "\n".join(lines)


def to_dict(r: BenchResult) -> dict[str, Any]:
    data = asdict(r)
    data["summary"] = summarise(r)
    data["verdicts"] = {k: verdict(k, v) for k, v in data["summary"].items() if k in TARGETS}
    return data


def result_json(result: BenchResult) -> str:
    return json.dumps(to_dict(result), indent=2, default=str)
