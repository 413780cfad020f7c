"""Fit the two learned refusal signals together: the examples' say and the answerability model's logit.

``scripts/fit_calibration.py`` fits the examples' weight on the banks and ``scripts/fit_answerability.py`` the
model's on the boundary dev set, each at a 2% false-refusal budget; added one on top of the other, they refused
more answerable questions than either budget allowed. This script fits the four numbers at once, on questions
that neither the vote nor the model has learned from:

- the bank authors named by ``--origin`` (asked leave-one-author-out: their own bank does not vote), who must be
  authors the shipped answerability model was not trained on (``bot/data/answerability/answerability.json`` and
  scripts/data/answerability/README.md say which);
- the cases of each ``--dev`` dataset (a dev set, never an eval set).

For each question it records the domain logit, the best reranker logit, the examples' say and the model's best
logit over the top passages, then grid-fits ``example_weight``, ``example_center``, ``answer_weight`` and
``answer_center``: the most refusal questions refused with at most ``--budget`` of the answerable ones refused.

Usage::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/fit_refusal.py --origin bank-e --origin bank-f \
        --dev evals/dev/boundary.jsonl --budget 0.01 --budget 0.005

It also fits ``outside_weights``: how far each sign that a question lies outside the policy
(``bot.checks.outside_kinds``, read from the question as asked) lowers the confidence, with the four weights as
shipped, for the least ``answerable refused / --false-target + refusals missed / --miss-target``. ``--rows FILE``
keeps the signals of the long pass (about an hour for 4,392 questions) and reads them back on the next run.

Prints the values to put in bot/settings.py (the defaults there are this script's output), and the rates per
source. Never a CI step.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from pathlib import Path

import click
import numpy as np

from bot.checks import form_refusal
from bot.evals.dataset import load_cases
from bot.followup import Turn
from bot.pipeline import PolicyBot
from bot.settings import OUTSIDE_KINDS, Settings

EXAMPLE_WEIGHTS = (0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0)
EXAMPLE_CENTERS = (0.0, 0.1, 0.2, 0.3, 0.4)
ANSWER_WEIGHTS = (0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
ANSWER_CENTERS = (1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0)
# how far each sign that a question lies outside the policy lowers the confidence's logit; inf is a veto
OUTSIDE_WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, math.inf)


def signals(bot: PolicyBot, question: str, history: list[Turn], exclude: frozenset[str]) -> dict | None:
    """The signals the confidence weighs for one question (None when nothing is retrieved): the four learned ones,
    and the signs that it lies outside the policy (``bot.checks.outside_kinds``, read from the question as asked)."""
    answerer = bot.answerer
    reading = answerer.read(question, history, None, exclude)
    hits = answerer.retrieve(reading)
    if not hits:
        return None
    s = answerer.signals(reading, hits, exclude, bot.owners.of_document(hits[0].chunk.source))
    return {"domain": s.domain, "relevance": s.relevance, "say": s.example, "answerable": s.answerable,
            "outside": sorted(s.outside), "form": form_refusal(question) is not None}  # fmt: skip


def rates(bot: PolicyBot, rows: list[dict], params: tuple[float, float, float, float]) -> tuple[float, float]:
    """(refusal questions refused, answerable ones refused) with these four weights, the outside signs aside."""
    ew, ec, aw, ac = params
    base = bot.calibration
    calibration = replace(base, example_weight=ew, example_center=ec, answer_weight=aw, answer_center=ac)
    refused = [
        (calibration.confidence(r["domain"], r["relevance"], r["say"], r["answerable"]) < base.threshold, r["refuse"])
        for r in rows
    ]
    refusals = [a for a, refuse in refused if refuse]
    answerable = [a for a, refuse in refused if not refuse]
    return sum(refusals) / max(1, len(refusals)), sum(answerable) / max(1, len(answerable))


def fit_outside(bot: PolicyBot, rows: list[dict], false_target: float, miss_target: float) -> None:
    """With the four learned weights as shipped, grid-fit one weight per outside sign (and one shared by all) for
    the least cost ``answerable refused / false_target + refusals missed / miss_target``: each rate as a share of
    what the targets allow, so that neither error is bought with the other beyond its allowance."""
    c = bot.calibration
    base = np.array([c.confidence(r["domain"], r["relevance"], r["say"], r["answerable"]) for r in rows])
    z = np.log(np.clip(base, 1e-12, 1 - 1e-12) / np.clip(1 - base, 1e-12, 1))
    signs = np.array([[kind in r["outside"] for kind in OUTSIDE_KINDS] for r in rows])
    refuse = np.array([r["refuse"] for r in rows])
    form = np.array([r["form"] for r in rows])  # noise and instructions: refused before any of this
    cut = math.log(c.threshold / (1 - c.threshold))

    def outcome(weights: tuple[float, ...]) -> tuple[float, float]:
        refused = form | (z - np.where(signs, np.array(weights), 0.0).sum(axis=1) < cut)
        return float(refused[refuse].mean()), float(refused[~refuse].mean())

    def cost(rates: tuple[float, float]) -> float:
        return rates[1] / false_target + (1 - rates[0]) / miss_target

    fires = signs.any(axis=1)
    counts = ", ".join(f"{k} {int(signs[:, i].sum())}" for i, k in enumerate(OUTSIDE_KINDS))
    click.echo(f"outside signs fire on {int(fires[refuse].sum())} refusals and {int(fires[~refuse].sum())} "
               f"answerable questions ({counts})")  # fmt: skip
    shared = [(w,) * len(OUTSIDE_KINDS) for w in OUTSIDE_WEIGHTS]
    for w in shared:
        rr, fr = outcome(w)
        click.echo(
            f"  every sign {w[0]}: refused {rr:.3f} of refusals, {fr:.3f} of answerable, cost {cost((rr, fr)):.3f}"
        )
    each = list(itertools.product(OUTSIDE_WEIGHTS, repeat=len(OUTSIDE_KINDS)))
    for name, grid in (("one weight", shared), ("a weight each", each)):
        scored = {w: outcome(w) for w in grid}
        best = min(grid, key=lambda w: (round(cost(scored[w]), 6), -sum(w)))  # ties: the larger weights
        click.echo(f"{name}: " + " ".join(f"{k}={v}" for k, v in zip(OUTSIDE_KINDS, best, strict=True))
                   + f": refused {scored[best][0]:.3f} of refusals, {scored[best][1]:.3f} of answerable")  # fmt: skip


@click.command()
@click.option("--origin", "origins", multiple=True, required=True, help="A bank author the model never saw.")
@click.option("--dev", "devs", multiple=True, type=click.Path(exists=True, path_type=Path), help="A dev dataset.")
@click.option(
    "--budget",
    "budgets",
    type=float,
    multiple=True,
    default=(0.01,),
    show_default=True,
    help="Answerable questions refused, at most (repeat it to fit several budgets from one pass).",
)
@click.option(
    "--rows",
    type=click.Path(path_type=Path),
    help="Keep the signals here (JSON lines): read back when the file exists, so a refit skips the long pass.",
)
@click.option("--outside-only", is_flag=True, help="Fit only the outside signs' weights, the four as shipped.")
@click.option("--false-target", type=float, default=0.02, show_default=True, help="Answerable refused, at most.")
@click.option("--miss-target", type=float, default=0.05, show_default=True, help="Refusals missed, at most.")
def main(
    origins: tuple[str, ...],
    devs: tuple[Path, ...],
    budgets: tuple[float, ...],
    rows: Path | None,
    outside_only: bool,
    false_target: float,
    miss_target: float,
) -> None:
    """Grid-fit the examples' and the answerability model's weights together, on held-out questions."""
    bot = PolicyBot(Settings())
    bot.warm_up()
    if rows is not None and rows.exists():
        table = [json.loads(line) for line in rows.read_text(encoding="utf-8").splitlines()]
        table = [r for r in table if r["source"] in set(origins) | {p.stem for p in devs}]
    else:
        table = ask_all(bot, origins, devs)
        if rows is not None:
            rows.write_text("".join(json.dumps(r) + "\n" for r in table), encoding="utf-8")
    click.echo(f"{len(table)} questions ({sum(r['refuse'] for r in table)} refusals)")
    fit_outside(bot, table, false_target, miss_target)
    if not outside_only:
        fit_learned(bot, table, budgets)


def ask_all(bot: PolicyBot, origins: tuple[str, ...], devs: tuple[Path, ...]) -> list[dict]:
    """The signals of every question asked: bank authors leave-one-author-out, dev cases whole."""
    asked = [(e.question, [Turn(r, c) for r, c in e.history], e.expect, frozenset({e.origin}), e.origin)
             for e in bot.index.examples if e.origin in origins]  # fmt: skip
    for path in devs:
        asked += [(c.question, [Turn(r, t) for r, t in c.history], c.expect, frozenset(), path.stem)
                  for c in load_cases([path])]  # fmt: skip
    table = []
    for question, history, expect, exclude, source in asked:
        row = signals(bot, question, history, exclude)
        if row is not None:
            table.append(row | {"refuse": expect == "refuse", "source": source})
    return table


def fit_learned(bot: PolicyBot, rows: list[dict], budgets: tuple[float, ...]) -> None:
    """The four learned weights at each budget, the outside signs aside, with the rates per source."""
    today = (bot.calibration.example_weight, bot.calibration.example_center,
             bot.calibration.answer_weight, bot.calibration.answer_center)  # fmt: skip
    grid = {p: rates(bot, rows, p) for p in itertools.product(
        EXAMPLE_WEIGHTS, EXAMPLE_CENTERS, ANSWER_WEIGHTS, ANSWER_CENTERS)}  # fmt: skip
    fitted = []
    for budget in budgets:
        within = [p for p in grid if grid[p][1] <= budget] or [today]
        fitted.append((f"fitted at budget {budget}", max(within, key=lambda p: (round(grid[p][0], 3), -grid[p][1]))))
    for name, params in (("today", today), *fitted):
        sources = sorted({r["source"] for r in rows})
        per = {s: rates(bot, [r for r in rows if r["source"] == s], params) for s in sources}
        shown = " ".join(f"{s} {a:.3f}/{b:.3f}" for s, (a, b) in per.items())
        click.echo(f"{name}: example_weight={params[0]} example_center={params[1]} answer_weight={params[2]} "
                   f"answer_center={params[3]}: refused {rates(bot, rows, params)[0]:.3f} of refusals, "
                   f"{rates(bot, rows, params)[1]:.3f} of answerable ({shown})")  # fmt: skip


if __name__ == "__main__":
    main()
