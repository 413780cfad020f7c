"""Fit how much the example vote counts, on the example banks alone (never on eval sets).

Leave-one-author-out: each bank example is asked with every example of its own origin (its author's whole bank)
left out, so the vote it gets is the one a new question would get from other people's examples. For each, the
reranker's logit and the vote's share are recorded for every chunk the retriever considers; then

- ``examples_k`` / ``examples_temperature``: how many nearest examples vote and how softly (a grid; the
  nearest 20 are recorded once, any vote recomputed from them);
- ``vote_weight``: the weight of the vote beside the reranker logit that ranks the labelled section first most often;
- ``example_weight`` / ``example_center``: a logistic fit of answer-vs-refuse on the examples' say, with today's
  domain and relevance terms as a fixed offset, so the refusal threshold keeps its meaning.

Usage: HF_HUB_OFFLINE=1 .venv/bin/python scripts/fit_calibration.py [--limit N] [--out artifacts/calibration.json]
Prints the values to put in bot/settings.py (the defaults there are this script's output).
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from pathlib import Path

import click
import numpy as np

from bot.answer import Calibration
from bot.followup import Turn
from bot.neighbours import ExampleVoter
from bot.pipeline import PolicyBot
from bot.settings import Settings


def signals(bot: PolicyBot, question: str, history: list[Turn], pool: ExampleVoter) -> dict:
    """What the answer core weighs for one question: per candidate chunk (source, section, rerank), the domain
    logit, and the nearest examples (similarity, answerable, source, section) from which any vote is recomputed."""
    reading = bot.answerer.read(question, history, None, bot.exclude_origins)
    retriever = bot.answerer.retriever
    search = retriever.search_query(reading.asked)
    vector = reading.vector if search == reading.asked else retriever.embed(search)
    hits = retriever.run(reading.asked, 64, vector, reading.vote)
    # a follow-up's own turn counts as it does when asked
    near = pool.run(reading.vector[0], exclude=bot.exclude_origins, turn=reading.turn).neighbours
    return {
        "chunks": [[h.chunk.source, h.chunk.section, h.rerank] for h in hits if h.rerank is not None],
        "domain": bot.answerer.domain_logit(reading.vector),
        "near": [[n.similarity, n.example.answerable, n.example.source, n.example.section] for n in near],
    }


def vote(near: list, k: int, temperature: float) -> tuple[dict[tuple[str, int], float], float]:
    """The vote of the ``k`` nearest at ``temperature`` (as bot/neighbours.py computes it): section shares, and
    the examples' say (top similarity * (answer share - refusal share)); 0 without neighbours."""
    found = near[:k]
    if not found:
        return {}, 0.0
    raw = [math.exp((s - found[0][0]) / temperature) for s, *_ in found]
    total = sum(raw)
    shares: dict[tuple[str, int], float] = {}
    refuse = 0.0
    for (_, answerable, source, section), w in zip(found, raw, strict=True):
        if answerable:
            shares[(source, section)] = shares.get((source, section), 0.0) + w / total
        else:
            refuse += w / total
    return shares, found[0][0] * (1 - 2 * refuse)


def with_vote(rows: list[dict], k: int, temperature: float) -> list[dict]:
    """Rows with each chunk's vote share and the examples' say for one (k, temperature)."""
    out = []
    for r in rows:
        shares, say = vote(r["near"], k, temperature)
        chunks = [[src, sec, rr, shares.get((src, sec), 0.0)] for src, sec, rr in r["chunks"]]
        out.append(r | {"chunks": chunks, "example": say})
    return out


def summary(g: dict) -> dict:
    """One (k, temperature) cell of the grid, as reported."""
    return {
        "section_accuracy": round(g["section_accuracy"], 4),
        "vote_weight": g["vote_weight"],
        "refusal_recall": round(g["rates"]["best"][0], 4),
        "false_refusals": round(g["rates"]["best"][1], 4),
        "example_weight": g["example_weight"],
        "example_center": g["example_center"],
    }


KS = (3, 5, 8, 12, 20)
TEMPERATURES = (0.02, 0.05, 0.1, 0.2, 0.5)


def best_vote_weight(rows: list[dict]) -> tuple[float, dict[float, float]]:
    answerable = [r for r in rows if r["expect"] == "answer" and r["chunks"]]
    accuracy = {}
    for w in (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0):
        ok = 0
        for r in answerable:
            top = max(r["chunks"], key=lambda c: c[2] + w * c[3])
            ok += [top[0], top[1]] == r["label"]
        accuracy[w] = ok / len(answerable)
    best = max(accuracy, key=lambda w: (round(accuracy[w], 3), -w))  # the smallest weight among the best
    return best, accuracy


def fit_confidence(rows: list[dict], vote_weight: float, base: Calibration) -> tuple[float, float, dict]:
    """Grid-fit (example_weight, example_center): the most refusal examples refused while at most 2% of the
    answerable ones are (the product's false-refusal budget)."""
    data = []
    for r in rows:
        if not r["chunks"]:
            continue
        relevance = max(r["chunks"], key=lambda c: c[2] + vote_weight * c[3])[2]  # the top chunk's logit
        data.append((base.confidence(r["domain"], relevance), r["example"], r["expect"] == "refuse"))

    def rates(ew: float, ec: float) -> tuple[float, float]:
        refused = []
        for conf, ex, refuse in data:
            z = math.log(conf / (1 - conf)) + ew * (ex - ec) if 0 < conf < 1 else (50 if conf >= 1 else -50)
            refused.append((1 / (1 + math.exp(-max(-50, min(50, z)))) < base.threshold, refuse))
        ref = [a for a, b in refused if b]
        ans = [a for a, b in refused if not b]
        return sum(ref) / max(1, len(ref)), sum(ans) / max(1, len(ans))

    today = rates(0.0, 0.0)
    grid = {}
    for ew in (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 15.0, 20.0):
        for ec in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            grid[(ew, ec)] = rates(ew, ec)
    within = [k for k in grid if grid[k][1] <= 0.02] or [(0.0, 0.0)]
    best = max(within, key=lambda k: (round(grid[k][0], 3), -grid[k][1], -k[0]))
    return best[0], best[1], {"today": today, "best": grid[best]}


@click.command()
@click.option("--limit", type=int, default=0, help="Examples to ask (0: all).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("artifacts/calibration.json"))
def main(limit: int, out: Path) -> None:
    """Fit the example vote's weights on the banks, leave-one-author-out."""
    bot = PolicyBot(Settings(vote_weight=1e-6))  # every voted section reaches the reranker; weights applied below
    bot.warm_up()
    pool = ExampleVoter(bot.index, k=max(KS), temperature=1.0)  # the nearest, before k and temperature apply
    examples = list(bot.index.examples)
    if limit:
        random.Random(0).shuffle(examples)
        examples = examples[:limit]
    rows, began = [], time.perf_counter()
    for n, e in enumerate(examples, start=1):
        bot.exclude_origins = frozenset({e.origin})
        row = signals(bot, e.question, [Turn(r, c) for r, c in e.history], pool)
        row |= {"expect": e.expect, "label": [e.source, e.section], "origin": e.origin}
        rows.append(row)
        if n % 100 == 0:
            print(f"{n}/{len(examples)} in {time.perf_counter() - began:.0f}s", file=sys.stderr)
    grid = {}
    for k in KS:
        for temperature in TEMPERATURES:
            voted = with_vote(rows, k, temperature)
            weight, accuracy = best_vote_weight(voted)
            ew, ec, rates = fit_confidence(voted, weight, bot.calibration)
            grid[(k, temperature)] = {"vote_weight": weight, "section_accuracy": accuracy[weight],
                                      "example_weight": ew, "example_center": ec, "rates": rates,
                                      "section_accuracy_by_vote_weight": accuracy}  # fmt: skip
    # the most sections right; among those within 0.002, the most refusals refused within the budget
    top = max(g["section_accuracy"] for g in grid.values())
    near_top = [key for key, g in grid.items() if g["section_accuracy"] >= top - 0.002]
    k, temperature = max(near_top, key=lambda key: (grid[key]["rates"]["best"][0], grid[key]["section_accuracy"]))
    best = grid[(k, temperature)]
    result = {
        "examples": len(rows),
        "examples_k": k,
        "examples_temperature": temperature,
        "section_accuracy_by_vote_weight": best["section_accuracy_by_vote_weight"],
        "vote_weight": best["vote_weight"],
        "example_weight": best["example_weight"],
        "example_center": best["example_center"],
        "refusal_recall_and_false_refusals": best["rates"],
        "grid": {f"k={key[0]} temperature={key[1]}": summary(g) for key, g in grid.items()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out.with_suffix(".rows.json")).write_text(json.dumps(rows), encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"mean rerank count {np.mean([len(r['chunks']) for r in rows]):.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
