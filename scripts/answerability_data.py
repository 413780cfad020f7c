"""Pairs for the answerability model, and the signals it is weighed against, from labelled questions.

For each labelled question (every example bank by default, asked leave-one-author-out: its own author's examples
left out of the vote, as a new question would be; or the cases of an eval dataset with ``--dataset``) the bot
reads and retrieves as it does at run time, and one row is written:

- ``asked`` (what the models read), ``top`` (the best passage's text), ``top_section`` and ``tops`` (the three
  best passages, [section, text]);
- ``positive``: for an answerable question, the passage of its labelled section holding its labelled sentence
  (else that section's best retrieved passage); ``negatives``: the best passage of another section for an
  answerable question (a hard negative), the two best passages for a refusal;
- ``confidence``: the confidence without the answerability model (domain, relevance, the examples' say), the
  base that ``scripts/fit_answerability.py`` adds the model's term to.

Usage::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/answerability_data.py --out /tmp/answerability/bank.jsonl \
        --origin bank-a --origin bank-b --origin bank-c --origin bank-d --origin bank-team
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/answerability_data.py --dataset evals/dev/boundary.jsonl \
        --out /tmp/answerability/boundary.jsonl
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/answerability_data.py \
        --corpus scripts/data/fictional_policy.md --dataset scripts/data/answerability/northwind.jsonl \
        --out /tmp/answerability/northwind.jsonl

Never a CI step; the rows are inputs of scripts/train_answerability.py.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from bot.followup import Turn  # noqa: E402
from bot.pipeline import PolicyBot  # noqa: E402
from bot.retrieval import Hit  # noqa: E402
from bot.settings import Settings  # noqa: E402


def signals(
    bot: PolicyBot, question: str, history: list[Turn], exclude: frozenset[str]
) -> tuple[Any, list[Hit], dict[str, Any]]:
    """The reading, the hits and today's confidence (the bot is built with the answerability model off)."""
    answerer = bot.answerer
    reading = answerer.read(question, history, None, exclude)
    hits = answerer.retrieve(reading)
    return reading, hits, ({"confidence": answerer.confidence(reading, hits, exclude)} if hits else {})


def passage_of(bot: PolicyBot, hits: list[Hit], section: int, sentence: int) -> str | None:
    """The passage of ``section`` holding ``sentence`` (any chunk of the index), else its best retrieved one."""
    if sentence >= 0:
        for chunk in bot.index.chunks:
            if chunk.section == section and sentence in chunk.sentence_ids:
                return chunk.text
    for h in hits:
        if h.chunk.section == section:
            return h.chunk.text
    return None


def row_for(bot: PolicyBot, item: dict[str, Any], exclude: frozenset[str]) -> dict[str, Any]:
    reading, hits, sig = signals(bot, item["question"], item["history"], exclude)
    row = {k: item[k] for k in ("id", "origin", "expect", "sections")} | {"asked": reading.asked} | sig
    if not hits:
        return row | {"top": None, "top_section": None, "tops": [], "positive": None, "negatives": []}
    row |= {
        "top": hits[0].chunk.text,
        "top_section": hits[0].chunk.section_title,
        "tops": [[h.chunk.section_title, h.chunk.text] for h in hits[:3]],
    }
    if item["expect"] == "answer":
        wanted = set(item["sections"])
        positive = None
        if item.get("section", -1) >= 0:
            positive = passage_of(bot, hits, item["section"], item.get("sentence", -1))
        else:  # an eval-style case: the best retrieved passage of a listed section holding an expected phrase
            listed = [h.chunk.text for h in hits if h.chunk.section_title in wanted]
            holding = [t for t in listed if any(p.lower() in t.lower() for p in item.get("phrases", []))]
            positive = (holding or listed or [None])[0]
        other = [h.chunk.text for h in hits if h.chunk.section_title not in wanted][:1]
        return row | {"positive": positive, "negatives": other}
    return row | {"positive": None, "negatives": [h.chunk.text for h in hits[:2]]}


def bank_items(bot: PolicyBot, origins: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    items = []
    for e in bot.index.examples:
        if origins and e.origin not in origins:
            continue
        doc = bot.index.document(e.source)
        items.append({
            "id": e.id, "origin": e.origin, "expect": e.expect, "question": e.question,
            "history": [Turn(r, c) for r, c in e.history], "section": e.section, "sentence": e.sentence,
            "sections": [doc.sections[e.section].title] if e.answerable else [],
        })  # fmt: skip
    return items


def dataset_items(path: Path) -> list[dict[str, Any]]:
    from bot.evals.dataset import load_cases

    return [{
        "id": c.id, "origin": path.stem, "expect": c.expect, "question": c.question,
        "history": [Turn(r, t) for r, t in c.history], "sections": list(c.sections),
        "phrases": list(c.quote_contains),
    } for c in load_cases([path])]  # fmt: skip


@click.command()
@click.option("--dataset", type=click.Path(exists=True, path_type=Path), help="An eval dataset instead of the banks.")
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), help="Another policy (its own index).")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--origin", "origins", multiple=True, help="Only these bank authors (repeat it; default: every example).")
def main(dataset: Path | None, corpus: Path | None, out: Path, origins: tuple[str, ...]) -> None:
    """Write one row per labelled question: its passages and today's confidence signals."""
    # the confidence without the answerability model: its own term is what the rows are to fit
    settings = Settings(answerability_dir="")
    if corpus is not None:  # a policy of the training data: indexed on its own, beside the output
        settings = Settings(corpus=(corpus,), index_dir=out.parent / f".index-{corpus.stem}", answerability_dir="")
    bot = PolicyBot(settings)
    bot.warm_up()
    items = dataset_items(dataset) if dataset else bank_items(bot, origins)
    out.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    with out.open("w", encoding="utf-8") as f:
        for n, item in enumerate(items, 1):
            exclude = frozenset() if dataset else frozenset({item["origin"]})
            f.write(json.dumps(row_for(bot, item, exclude)) + "\n")
            if n % 100 == 0:
                print(f"{n}/{len(items)} {time.perf_counter() - began:.0f}s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
