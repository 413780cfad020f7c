"""The CI gate: minimum and maximum values per metric, read from a TOML file over built-in defaults.

    [min]
    faithfulness = 1.0
    section_accuracy = 0.95

    [max]
    false_refusal_rate = 0.03

A file overrides the defaults metric by metric (set a minimum to 0.0 to loosen it). Latency is never gated.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BotError

GATEABLE = (
    "faithfulness",
    "section_accuracy",
    "citation_precision",
    "evidence",
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr",
    "refusal_precision",
    "refusal_recall",
    "false_refusal_rate",
    "catch_rate",
    "keep_rate",
)
DEFAULT_MIN = {"faithfulness": 1.0, "section_accuracy": 0.95, "evidence": 0.90, "refusal_recall": 0.95}
DEFAULT_MAX = {"false_refusal_rate": 0.03}


class ThresholdsError(BotError):
    """The thresholds file is missing, not TOML, or names an unknown metric."""


@dataclass(frozen=True)
class Thresholds:
    minimum: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN))
    maximum: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MAX))

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {"min": dict(self.minimum), "max": dict(self.maximum)}


@dataclass(frozen=True)
class Check:
    metric: str
    op: str  # ">=" or "<="
    limit: float
    value: float | None  # None: no case applied, so the check holds

    @property
    def ok(self) -> bool:
        if self.value is None:
            return True
        return self.value >= self.limit if self.op == ">=" else self.value <= self.limit

    def describe(self) -> str:
        shown = "n/a" if self.value is None else f"{self.value:.3f}"
        return f"{self.metric} {shown} {self.op} {self.limit:g}: {'ok' if self.ok else 'FAIL'}"


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, float]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise ThresholdsError(f"{path}: [{key}] must be a table")
    out = {}
    for metric, value in table.items():
        if metric.startswith("latency"):
            raise ThresholdsError(f"{path}: [{key}] {metric}: latency is reported, never gated")
        if metric not in GATEABLE:
            raise ThresholdsError(f"{path}: [{key}] unknown metric {metric!r}; known: {', '.join(GATEABLE)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ThresholdsError(f"{path}: [{key}] {metric} must be a number from 0 to 1, not {value!r}")
        out[metric] = float(value)
    return out


def load_thresholds(path: Path | None) -> Thresholds:
    """Defaults overridden by ``path``; None means the defaults alone."""
    if path is None:
        return Thresholds()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ThresholdsError(f"{path}: no such thresholds file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ThresholdsError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ThresholdsError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"min", "max"})
    if unknown:
        raise ThresholdsError(f"{path}: unknown table(s) {unknown}; use [min] and [max]")
    return Thresholds(DEFAULT_MIN | _table(data, "min", path), DEFAULT_MAX | _table(data, "max", path))


def check(thresholds: Thresholds, metrics: dict[str, float | None]) -> tuple[Check, ...]:
    """One check per gated metric, minimums first."""
    checks = [Check(m, ">=", limit, metrics.get(m)) for m, limit in thresholds.minimum.items()]
    checks += [Check(m, "<=", limit, metrics.get(m)) for m, limit in thresholds.maximum.items()]
    return tuple(checks)
