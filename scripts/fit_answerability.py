"""Fit how much the answerability model counts in the confidence, on questions it was not trained on.

Each row of ``scripts/answerability_data.py`` carries today's confidence; the model (``--model``, as exported by
``scripts/train_answerability.py``) scores the row's top passages and its best logit ``a`` joins the confidence's
logit as ``answer_weight * (a - answer_center)``. The grid picks the pair that refuses the most refusal rows while
at most ``--budget`` of the answerable rows are refused. Fit rows must be held out from the model's training: the
bank rows of the authors it excluded (``--origin``), and dev datasets' rows (``--dev``, never eval sets).
``--check`` rows are only reported.

Usage::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/fit_answerability.py --model /tmp/answerability/m_abc \
        --bank /tmp/answerability/bank.jsonl --origin bank-d --dev /tmp/answerability/boundary.jsonl

Prints the settings to put in bot/settings.py (``answer_weight``, ``answer_center``).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click
import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from bot.rerank import CrossEncoder  # noqa: E402
from bot.settings import Settings  # noqa: E402

THRESHOLD = Settings().refusal_threshold  # confidence logits are taken relative to it


def scored(model: CrossEncoder, rows: list[dict], depth: int) -> np.ndarray:
    """[confidence logit - threshold logit, best answerability logit, is a refusal] per row with passages."""
    out = []
    for r in rows:
        if not r.get("tops"):
            continue
        p = min(max(r["confidence"], 1e-9), 1 - 1e-9)
        z = math.log(p / (1 - p)) - math.log(THRESHOLD / (1 - THRESHOLD))
        best = float(model.score(r["asked"], [t for _, t in r["tops"][:depth]]).max())
        out.append((z, best, float(r["expect"] == "refuse")))
    return np.array(out)


def rates(data: np.ndarray, weight: float, center: float) -> tuple[float, float]:
    """(refusal rows refused, answerable rows refused) at the confidence stage."""
    refused = data[:, 0] + weight * (data[:, 1] - center) < 0
    refuse = data[:, 2] > 0
    return float(refused[refuse].mean()), float(refused[~refuse].mean())


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@click.command()
@click.option("--model", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--bank", type=click.Path(exists=True, path_type=Path), help="Bank rows (answerability_data.py).")
@click.option("--origin", multiple=True, help="Bank authors the model did not train on (their rows are fit on).")
@click.option("--dev", type=click.Path(exists=True, path_type=Path), multiple=True, help="Dev dataset rows.")
@click.option("--check", type=click.Path(exists=True, path_type=Path), multiple=True, help="Rows only reported.")
@click.option("--budget", type=float, default=0.01, show_default=True, help="Answerable rows refused, at most.")
@click.option("--depth", type=int, default=3, show_default=True, help="Top passages the model reads.")
def main(model: Path, bank: Path | None, origin: tuple[str, ...], dev: tuple[Path, ...], check: tuple[Path, ...],
         budget: float, depth: int) -> None:  # fmt: skip
    """Grid-fit answer_weight and answer_center on held-out rows."""
    judge = CrossEncoder(str(model), batch_size=1, threads=2)
    fit_rows = [r for r in read(bank) if r["origin"] in origin] if bank else []
    for path in dev:
        fit_rows += read(path)
    data = scored(judge, fit_rows, depth)
    grid = {
        (w, c): rates(data, w, c)
        for w in (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
        for c in np.arange(-4.0, 4.01, 0.5).round(1)
    }
    within = [k for k in grid if grid[k][1] <= budget] or [(0.0, 0.0)]
    best = max(within, key=lambda k: (round(grid[k][0], 3), -grid[k][1], -k[0]))
    print(f"fit on {len(data)} rows: today refused {grid[(0.0, 0.0)][0]:.3f} of refusals, "
          f"{grid[(0.0, 0.0)][1]:.3f} of answerable; with answer_weight={best[0]} answer_center={best[1]}: "
          f"{grid[best][0]:.3f} and {grid[best][1]:.3f}")  # fmt: skip
    for path in check:
        rows = scored(judge, read(path), depth)
        before, after = rates(rows, 0.0, 0.0), rates(rows, *best)
        print(f"  {path.name}: refusals refused {before[0]:.3f} -> {after[0]:.3f}, "
              f"answerable refused {before[1]:.3f} -> {after[1]:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
