"""Fit the cascade's ``BOT_TEACHER_MARGIN`` (and see ``BOT_TEACHER_TOP``) on the example bank, never on evals.

A seeded sample of the bank's questions is asked, each leave-one-author-out, of the bot with the teacher alone
(the reference) and of the cascade at each margin. For each setting it prints how often the answer differs from the
reference (refused or not, first cited section, first quote), the bank section accuracy of answerable questions,
and the warm time per question. A margin is worth its speed only where it changes few answers::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/fit_cascade.py --sample 300 --margin 1 --margin 2 --margin 4

Students compare side by side on the author none of them learnt from (``--origin``, the ``--holdout-origin`` of
``scripts/train_reranker.py``)::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/fit_cascade.py --origin bank-f --margin 2 \
        --student bot/data/reranker-small --student /tmp/student-pc
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from answerability_data import bank_items  # noqa: E402

from bot.answer import Answer  # noqa: E402
from bot.pipeline import PolicyBot  # noqa: E402
from bot.settings import Settings  # noqa: E402


def key(a: Answer) -> tuple[bool, str, str]:
    first = a.citations[0] if a.citations else None
    return a.refused, first.section if first else "", first.quote if first else ""


def run(bot: PolicyBot, items: list[dict]) -> tuple[list[tuple[bool, str, str]], float]:
    """Each item's answer key, and the mean seconds a question (after one unmeasured warm-up question)."""
    bot.warm_up()
    bot.ask(items[0]["question"])
    keys, began = [], time.perf_counter()
    for item in items:
        bot.exclude_origins = frozenset({item["origin"]})
        keys.append(key(bot.ask(item["question"], item["history"])))
    return keys, (time.perf_counter() - began) / len(items)


@click.command()
@click.option("--sample", default=300, show_default=True, help="Bank questions asked.")
@click.option("--seed", default=7, show_default=True)
@click.option("--margin", "margins", type=float, multiple=True, default=(1.0, 2.0, 4.0), show_default=True)
@click.option("--top", default=2, show_default=True, help="BOT_TEACHER_TOP of the cascades tried.")
@click.option("--origin", "origins", multiple=True, help="Ask only these bank authors (e.g. the student's held-out).")
@click.option(
    "--student",
    "students",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="A small reranker folder to try (repeat it to compare students; default: BOT_SMALL_RERANKER_DIR).",
)
def main(
    sample: int, seed: int, margins: tuple[float, ...], top: int, origins: tuple[str, ...], students: tuple[str, ...]
) -> None:
    """Print, per setting: answers changed against the teacher alone, bank section accuracy, ms a question."""
    base = Settings(answer_cache_size=0)
    items = bank_items(PolicyBot(base), origins)
    random.Random(seed).shuffle(items)
    items = items[:sample]
    reference, seconds = run(PolicyBot(base), items)
    settings = [("teacher alone", base)]
    for student in students or (base.small_reranker_dir,):
        name = Path(student).name if students else "student"
        cascade = base.model_copy(update={"cascade": True, "small_reranker_dir": student, "teacher_top": top})
        settings += [(f"{name}: top {top} margin {m:g}", cascade.model_copy(update={"teacher_margin": m}))
                     for m in margins]  # fmt: skip
        settings += [(f"{name}: alone", cascade.model_copy(update={"teacher_top": 0}))]
    for name, s in settings:
        keys, took = (reference, seconds) if s is base else run(PolicyBot(s), items)
        changed = sum(k != r for k, r in zip(keys, reference, strict=True)) / len(items)
        right = [k[1] in i["sections"] for k, i in zip(keys, items, strict=True) if i["expect"] == "answer"]
        print(f"{name:<36} changed {changed:.3f}  bank section {sum(right) / len(right):.3f}  {took * 1000:.0f} ms/q",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
