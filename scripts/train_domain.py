"""Train the "is this a privacy-policy question?" classifier used by ``bot.domain``.

Positives are the PolicyQA dev questions plus ``scripts/data/in_scope.txt``; negatives are
``scripts/data/out_of_scope.txt``. Questions are embedded with the packaged all-MiniLM-L6-v2
(L2-normalised), a balanced logistic regression is fitted, and the decision threshold is chosen on
5-fold cross-validated probabilities so that in-scope recall stays at or above ``--min-recall``.
The result is written as plain JSON (no pickles)::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_domain.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("HF_HUB_OFFLINE", "1")

DATA = REPO / "scripts" / "data"
SEED = 13


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _dedupe(texts: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for text in texts:
        text = " ".join(text.split())
        if text and _key(text) not in seen:
            seen.add(_key(text))
            out.append(text)
    return out


def read_lines(path: Path) -> list[str]:
    """Non-empty lines of a text file, deduplicated (case/whitespace-insensitive)."""
    return _dedupe(path.read_text(encoding="utf-8").splitlines())


def read_policyqa(folder: Path) -> list[str]:
    """The distinct ``question`` fields of ``folder/questions.jsonl``."""
    with (folder / "questions.jsonl").open(encoding="utf-8") as fh:
        return _dedupe([json.loads(line)["question"] for line in fh if line.strip()])


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised sentence embeddings from the packaged model."""
    from sentence_transformers import SentenceTransformer

    from bot.settings import packaged_embedding_model

    model = SentenceTransformer(packaged_embedding_model(), device="cpu")
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float64)


def class_figures(y: np.ndarray, proba: np.ndarray, threshold: float) -> dict[str, Any]:
    """Accuracy plus precision/recall of each class when predicting in-scope at ``proba >= threshold``."""
    from sklearn.metrics import accuracy_score, precision_score, recall_score

    pred = (proba >= threshold).astype(int)
    return {
        "threshold": round(float(threshold), 6),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "in_scope_precision": round(float(precision_score(y, pred, pos_label=1, zero_division=0)), 4),
        "in_scope_recall": round(float(recall_score(y, pred, pos_label=1, zero_division=0)), 4),
        "out_of_scope_precision": round(float(precision_score(y, pred, pos_label=0, zero_division=0)), 4),
        "out_of_scope_recall": round(float(recall_score(y, pred, pos_label=0, zero_division=0)), 4),
    }


def choose_threshold(y: np.ndarray, proba: np.ndarray, min_recall: float) -> float:
    """Highest threshold whose in-scope recall on ``proba`` is still >= ``min_recall``."""
    positives = np.sort(proba[y == 1])
    allowed_misses = int(np.floor((1.0 - min_recall) * len(positives) + 1e-9))
    # predicting ``proba >= positives[k]`` misses exactly the k lowest-scored positives (barring ties)
    threshold = float(positives[allowed_misses])
    while float(np.mean(proba[y == 1] >= threshold)) < min_recall:  # pragma: no cover - ties only
        allowed_misses -= 1
        threshold = float(positives[allowed_misses])
    return threshold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policyqa", type=Path, default=REPO.parent / "shared" / "benchmarks" / "policyqa_dev")
    parser.add_argument("--in-scope", type=Path, default=DATA / "in_scope.txt")
    parser.add_argument("--out-of-scope", type=Path, default=DATA / "out_of_scope.txt")
    parser.add_argument("--out", type=Path, default=REPO / "bot" / "data" / "domain_classifier.json")
    parser.add_argument("--C", type=float, default=4.0, help="inverse regularisation strength")
    parser.add_argument("--min-recall", type=float, default=0.98, help="in-scope recall the threshold must keep")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show-errors", type=int, default=25, help="print this many CV mistakes of each kind")
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    policyqa = read_policyqa(args.policyqa)
    in_scope = read_lines(args.in_scope)
    negatives = read_lines(args.out_of_scope)
    positives = _dedupe(policyqa + in_scope)
    clash = {_key(t) for t in positives} & {_key(t) for t in negatives}
    if clash:
        raise SystemExit(f"questions listed as both in and out of scope: {sorted(clash)[:5]}")

    texts = positives + negatives
    y = np.array([1] * len(positives) + [0] * len(negatives))
    x = embed(texts)

    def make() -> LogisticRegression:
        return LogisticRegression(C=args.C, class_weight="balanced", max_iter=5000)

    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=SEED)
    proba = cross_val_predict(make(), x, y, cv=folds, method="predict_proba")[:, 1]
    threshold = choose_threshold(y, proba, args.min_recall)
    at_half = class_figures(y, proba, 0.5)
    at_chosen = class_figures(y, proba, threshold)
    auc = round(float(roc_auc_score(y, proba)), 4)

    clf = make().fit(x, y)
    train_acc = float(np.mean((clf.predict_proba(x)[:, 1] >= threshold) == y))

    print(
        f"trained on {len(policyqa)} PolicyQA + {len(in_scope)} in-scope (= {len(positives)} positives), "
        f"{len(negatives)} negatives; C={args.C}"
    )
    print(f"{args.folds}-fold CV ROC AUC {auc}")
    print(f"CV @0.5      {at_half}")
    print(f"CV @chosen   {at_chosen}")
    print(f"training accuracy @chosen {train_acc:.4f}")
    if args.show_errors:
        order = np.argsort(proba)
        misses = [i for i in order if y[i] == 1 and proba[i] < threshold]
        false_alarms = [i for i in order[::-1] if y[i] == 0 and proba[i] >= threshold]
        lowest_pos = [i for i in order if y[i] == 1][: args.show_errors]
        print(f"\nin-scope missed at threshold ({len(misses)}); lowest-scored positives:")
        for i in lowest_pos:
            print(f"  {proba[i]:.3f} {'MISS' if i in misses else '    '} {texts[i]}")
        print(f"\nout-of-scope let through at threshold ({len(false_alarms)}):")
        for i in false_alarms[: args.show_errors]:
            print(f"  {proba[i]:.3f} {texts[i]}")

    payload = {
        "weights": [round(float(w), 8) for w in clf.coef_[0]],
        "bias": round(float(clf.intercept_[0]), 8),
        "threshold": round(threshold, 6),
        "embedding_model": "all-MiniLM-L6-v2",
        "dimension": int(x.shape[1]),
        "trained_on": {
            "policyqa_dev_questions": len(policyqa),
            "in_scope_calibration": len(in_scope),
            "positives": len(positives),
            "negatives": len(negatives),
        },
        "cv": {
            "folds": args.folds,
            "seed": SEED,
            "C": args.C,
            "min_in_scope_recall": args.min_recall,
            "roc_auc": auc,
            "at_0.5": at_half,
            "at_threshold": at_chosen,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
