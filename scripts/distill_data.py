"""Teacher pairs for a distilled reranker: every (query, passage) pair the shipped cross-encoder scores at run
time, with its logit, for labelled questions asked as new ones.

For each question of the example banks (asked leave-one-author-out, as ``fit_calibration.py`` does) or of another
policy's labelled set (``--corpus`` with ``--dataset``, indexed on its own), the bot answers once with the whole
rerank depth read (``rerank_first=0``) and the answerability model off; each pair the reranker runs is written as
``{"claim": query, "quotes": [passage], "label": teacher logit, "kind": "chunk"|"sentence", "group": origin}``,
the pair shape of ``scripts/train_verifier.py``. The logits are the targets of ``scripts/train_reranker.py``.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/distill_data.py --out /tmp/distill/bank.jsonl --shard 0/2 &
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/distill_data.py --out /tmp/distill/bank.jsonl --shard 1/2
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/distill_data.py --corpus scripts/data/fictional_policy.md \
        --dataset scripts/data/answerability/northwind.jsonl --out /tmp/distill/northwind.jsonl

Never a CI step. The eval sets are never asked: their questions stay unseen by the student.
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
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from answerability_data import bank_items, dataset_items  # noqa: E402

from bot.pipeline import PolicyBot  # noqa: E402
from bot.settings import Settings  # noqa: E402


def recorder(bot: PolicyBot, sink: list[dict[str, Any]]) -> None:
    """Make the bot's reranker append each pair it runs, with its logit, to ``sink``."""
    reranker = bot.reranker
    assert reranker is not None, "the teacher is the shipped reranker: BOT_RERANKER_DIR must not be empty"
    sentences = {s.text for d in bot.index.documents.values() for s in d.sentences}
    run = reranker._run

    def spy(query: str, passages: list[str]) -> list[float]:
        logits = run(query, passages)
        for p, logit in zip(passages, logits, strict=True):
            kind = "sentence" if p in sentences else "chunk"
            sink.append({"claim": query, "quotes": [p], "label": round(logit, 4), "kind": kind})
        return logits

    reranker._run = spy  # type: ignore[method-assign]


@click.command()
@click.option("--dataset", type=click.Path(exists=True, path_type=Path), help="Labelled questions of --corpus.")
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), help="Another policy (its own index).")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--shard", default="0/1", help="i/n: ask every n-th question from the i-th (for parallel runs).")
def main(dataset: Path | None, corpus: Path | None, out: Path, shard: str) -> None:
    """Write the teacher's pairs and logits for every labelled question."""
    index, parts = (int(x) for x in shard.split("/"))
    settings = Settings(rerank_first=0, answerability_dir="", answer_cache_size=0)
    if corpus is not None:
        settings = settings.model_copy(update={"corpus": (corpus,), "index_dir": out.parent / f".index-{corpus.stem}"})
    bot = PolicyBot(settings)
    bot.warm_up()
    items = (dataset_items(dataset) if dataset else bank_items(bot))[index::parts]
    target = out if parts == 1 else out.with_suffix(f".{index}of{parts}.jsonl")
    target.parent.mkdir(parents=True, exist_ok=True)
    sink: list[dict[str, Any]] = []
    recorder(bot, sink)
    began = time.perf_counter()
    with target.open("w", encoding="utf-8") as f:
        for n, item in enumerate(items, 1):
            bot.exclude_origins = frozenset() if dataset else frozenset({item["origin"]})
            bot.ask(item["question"], item["history"])
            for pair in sink:
                f.write(json.dumps(pair | {"group": item["origin"], "id": item["id"]}) + "\n")
            sink.clear()
            if n % 100 == 0:
                print(f"{n}/{len(items)} {time.perf_counter() - began:.0f}s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
