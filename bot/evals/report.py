"""Show an eval result: a plain-text table for the terminal and a markdown report for ``--report FILE.md``."""

from __future__ import annotations

from collections.abc import Iterator

from .runner import FAILURE_KINDS, EvalResult
from .thresholds import Check

# (metric, label, unit) in display order; "ms" values are shown as milliseconds, the rest as ratios.
ROWS = (
    ("faithfulness", "faithfulness (quotes verbatim at their offsets)", ""),
    ("section_accuracy", "section accuracy (first citation)", ""),
    ("citation_precision", "any-citation precision", ""),
    ("evidence", "evidence phrase in quotes", ""),
    ("refusal_precision", "refusal precision", ""),
    ("refusal_recall", "refusal recall", ""),
    ("false_refusal_rate", "false-refusal rate", ""),
    ("hit@1", "retrieval hit@1", ""),
    ("hit@3", "retrieval hit@3", ""),
    ("hit@5", "retrieval hit@5", ""),
    ("mrr", "retrieval MRR", ""),
    ("dropped_qualifiers", "answers that drop a qualifying sentence", "n"),
    ("latency_p50_ms", "latency p50", "ms"),
    ("latency_p95_ms", "latency p95", "ms"),
    # only with a support set (absent otherwise)
    ("catch_rate", "support checker: unfaithful sentences dropped", ""),
    ("keep_rate", "support checker: faithful sentences kept", ""),
    ("support_claims", "support checker: labelled sentences", "n"),
    # only with --llm (absent otherwise)
    ("unsupported_shown", "LLM sentences shown that fail the checks", "n"),
    ("sentences_generated", "LLM sentences generated", "n"),
    ("sentences_shown", "LLM sentences shown", "n"),
    ("sentences_dropped", "LLM sentences dropped", "n"),
    ("llm_rate", "answers phrased by the LLM", ""),
)
OPTIONAL = {
    "catch_rate",
    "keep_rate",
    "support_claims",
    "unsupported_shown",
    "sentences_generated",
    "sentences_shown",
    "sentences_dropped",
    "llm_rate",
}


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "n":
        return f"{value:.0f}"
    return f"{value:.0f} ms" if unit == "ms" else f"{value:.3f}"


def _gate(checks: dict[str, list[Check]], metric: str) -> tuple[str, str]:
    """(the gate, "ok"/"FAIL"/"") for a metric."""
    found = checks.get(metric, [])
    if not found:
        return "", ""
    gate = ", ".join(f"{c.op} {c.limit:g}" for c in found)
    return gate, "ok" if all(c.ok for c in found) else "FAIL"


def _dropped_by_check(result: EvalResult) -> Iterator[tuple[str, str, str, str]]:
    """With --llm: one row per check that dropped generated sentences (``dropped:<check>``)."""
    for metric, value in result.metrics.items():
        if metric.startswith("dropped:"):
            yield (f"  dropped by the {metric.removeprefix('dropped:')} check", _value(value, "n"), "", "")


def _rows(result: EvalResult) -> Iterator[tuple[str, str, str, str]]:
    checks: dict[str, list[Check]] = {}
    for c in result.checks:
        checks.setdefault(c.metric, []).append(c)
    for metric, label, unit in ROWS:
        if metric in OPTIONAL and metric not in result.metrics:
            continue
        yield (label, _value(result.metrics.get(metric), unit), *_gate(checks, metric))
        if metric == "sentences_dropped":
            yield from _dropped_by_check(result)


def _counts(result: EvalResult) -> str:
    answer = sum(o.case.answerable for o in result.outcomes)
    return (
        f"{len(result.outcomes)} cases run ({answer} answer, {len(result.outcomes) - answer} refuse), "
        f"{len(result.outcomes) - len(result.failing)} passed, {len(result.failing)} failed, "
        f"{len(result.stale)} stale"
    )


def failures_by_kind(result: EvalResult) -> dict[str, list[tuple[str, str]]]:
    """Failure kind -> [(case id, reason)], kinds in a fixed order; a case can appear under several kinds."""
    groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind in FAILURE_KINDS}
    for outcome in result.failing:
        for verdict in outcome.failures:
            groups.setdefault(verdict.kind, []).append((outcome.case.id, verdict.reason))
    return {kind: items for kind, items in groups.items() if items}


def support_misses(result: EvalResult) -> list[tuple[str, str]]:
    """(claim id, reason) for every labelled sentence the support checker got wrong (never shown when sealed)."""
    return [(v.case_id, v.failure) for r in result.results if r.name == "support" for v in r.verdicts if not v.ok]


def format_text(result: EvalResult) -> str:
    lines = ["PolicyBot eval: " + _counts(result), f"datasets: {', '.join(result.datasets) or '(given in code)'}", ""]
    rows = list(_rows(result))
    width = max(len(r[0]) for r in rows)
    for label, value, gate, status in rows:
        lines.append(f"  {label:<{width}}  {value:>8}  {gate:<8} {status}".rstrip())
    groups = failures_by_kind(result)
    if groups:
        lines += ["", f"Failing cases ({len(result.failing)}):"]
        for kind, items in groups.items():
            lines.append(f"  {kind} ({len(items)}):")
            lines += [f"    {case_id}: {reason}" for case_id, reason in items]
    misses = support_misses(result)
    if misses:
        lines += ["", f"Support checker misses ({len(misses)}):"]
        lines += [f"  {claim_id}: {reason}" for claim_id, reason in misses]
    if result.stale:
        lines += ["", f"Stale cases ({len(result.stale)}), not run: fix them in the dataset:"]
        lines += [f"  {s.case.id}: {s.reason}" for s in result.stale]
    if not result.outcomes:
        lines += ["", "No case ran, so nothing was checked."]
    failed = [c.describe() for c in result.checks if not c.ok]
    lines += [
        "",
        "PASSED: every threshold holds" if result.passed else "FAILED: " + ("; ".join(failed) or "no case ran"),
    ]
    return "\n".join(lines)


def format_sealed(result: EvalResult) -> str:
    """A sealed set's view: the metrics and, per tag, how many answerable cases got the right section. Never a
    case's id, question, answer or reason: a sealed set stays blind however often it is scored."""
    lines = ["PolicyBot eval (sealed: aggregate figures only): " + _counts(result), ""]
    rows = list(_rows(result))
    width = max(len(r[0]) for r in rows)
    lines += [f"  {label:<{width}}  {value:>8}  {gate:<8} {status}".rstrip() for label, value, gate, status in rows]
    lines += ["", "section accuracy by tag (answerable cases):"]
    for tag, (right, total) in sorted(section_by_tag(result).items()):
        lines.append(f"  {tag:<20} {right / total:.3f}  ({right}/{total})")
    lines += ["", "PASSED: every threshold holds" if result.passed else "FAILED: a threshold fails"]
    return "\n".join(lines)


def section_by_tag(result: EvalResult) -> dict[str, tuple[int, int]]:
    """Tag -> (answerable cases with the right first section, answerable cases), over tags of 3 or more cases."""
    counts: dict[str, list[int]] = {}
    for o in result.outcomes:
        if not o.case.answerable:
            continue
        right = not any(v.kind in ("wrong section", "false refusal") for v in o.failures)
        for tag in o.case.tags:
            pair = counts.setdefault(tag, [0, 0])
            pair[0] += right
            pair[1] += 1
    return {t: (r, n) for t, (r, n) in counts.items() if n >= 3}


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_markdown(result: EvalResult) -> str:
    lines = [
        "# PolicyBot eval report",
        "",
        f"**{'PASSED' if result.passed else 'FAILED'}**: {_counts(result)}.",
        "",
        f"Datasets: {', '.join(f'`{d}`' for d in result.datasets) or '(given in code)'}",
        "",
        "| metric | value | gate | status |",
        "|---|---:|---|---|",
    ]
    lines += [f"| {label} | {value} | {gate} | {status} |" for label, value, gate, status in _rows(result)]
    groups = failures_by_kind(result)
    if groups:
        lines += ["", f"## Failing cases ({len(result.failing)})"]
        for kind, items in groups.items():
            lines += ["", f"### {kind} ({len(items)})", "", "| case | reason |", "|---|---|"]
            lines += [f"| `{case_id}` | {_md(reason)} |" for case_id, reason in items]
        lines += ["", "## Failing cases in detail"]
        for o in result.failing:
            lines += ["", f"### `{o.case.id}` ({o.case.expect})", "", f"> {_md(o.case.question)}", ""]
            lines += [f"- {_md(v.failure)}" for v in o.failures]
            if o.case.answerable:
                lines.append(f"- expected sections: {', '.join(o.case.sections)}")
            lines.append(f"- bot answer: {_md(o.answer['answer'])}")
    if result.stale:
        lines += ["", f"## Stale cases ({len(result.stale)}), not run", "", "| case | reason |", "|---|---|"]
        lines += [f"| `{s.case.id}` | {_md(s.reason)} |" for s in result.stale]
    return "\n".join(lines) + "\n"
