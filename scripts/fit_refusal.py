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

Prints the values to put in bot/settings.py (the defaults there are this script's output), and the rates per
source. Never a CI step.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import click

from bot.evals.dataset import load_cases
from bot.followup import Turn
from bot.pipeline import PolicyBot
from bot.settings import Settings

EXAMPLE_WEIGHTS = (0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0)
EXAMPLE_CENTERS = (0.0, 0.1, 0.2, 0.3, 0.4)
ANSWER_WEIGHTS = (0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
ANSWER_CENTERS = (1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0)


def signals(bot: PolicyBot, question: str, history: list[Turn], exclude: frozenset[str]) -> dict | None:
    """The four signals the confidence weighs for one question (None when nothing is retrieved)."""
    answerer = bot.answerer
    reading = answerer.read(question, history, None, exclude)
    hits = answerer.retrieve(reading)
    if not hits:
        return None
    s = answerer.signals(reading, hits, exclude)
    return {"domain": s.domain, "relevance": s.relevance, "say": s.example, "answerable": s.answerable}


def rates(bot: PolicyBot, rows: list[dict], params: tuple[float, float, float, float]) -> tuple[float, float]:
    """(refusal questions refused, answerable ones refused) with these four weights."""
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
def main(origins: tuple[str, ...], devs: tuple[Path, ...], budgets: tuple[float, ...]) -> None:
    """Grid-fit the examples' and the answerability model's weights together, on held-out questions."""
    bot = PolicyBot(Settings())
    bot.warm_up()
    asked = [(e.question, [Turn(r, c) for r, c in e.history], e.expect, frozenset({e.origin}), e.origin)
             for e in bot.index.examples if e.origin in origins]  # fmt: skip
    for path in devs:
        asked += [(c.question, [Turn(r, t) for r, t in c.history], c.expect, frozenset(), path.stem)
                  for c in load_cases([path])]  # fmt: skip
    rows = []
    for question, history, expect, exclude, source in asked:
        row = signals(bot, question, history, exclude)
        if row is not None:
            rows.append(row | {"refuse": expect == "refuse", "source": source})
    today = (bot.calibration.example_weight, bot.calibration.example_center,
             bot.calibration.answer_weight, bot.calibration.answer_center)  # fmt: skip
    grid = {p: rates(bot, rows, p) for p in itertools.product(
        EXAMPLE_WEIGHTS, EXAMPLE_CENTERS, ANSWER_WEIGHTS, ANSWER_CENTERS)}  # fmt: skip
    click.echo(f"{len(rows)} questions ({sum(r['refuse'] for r in rows)} refusals)")
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
