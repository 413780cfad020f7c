"""Measure each part of the support checker on labelled pairs: the claim and polarity gates, the cross-encoder
alone, the feature model alone, the lower of the two (the verifier's probability), and the whole checker
(``bot.checker.check_entailed``: the gates, then that probability at the threshold).

Pairs files in the form of ``scripts/verifier_data.py`` (or ``scripts/data/support_pairs.jsonl``); with
``--holdout``, only the groups ``scripts/train_verifier.py`` held out of that file (same seed, same share)::

    .venv/bin/python scripts/measure_verifier.py --holdout /tmp/verifier/own.jsonl scripts/data/support_pairs.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from train_verifier import read_pairs, split_groups  # noqa: E402

from bot.checker import ENTAIL_THRESHOLD, check_entailed  # noqa: E402
from bot.claim_features import strip_answer_word  # noqa: E402
from bot.support import has_negation, unsupported_claims  # noqa: E402
from bot.verifier import VERIFIER_DIR, Verifier  # noqa: E402


def rates(rows: list[dict[str, Any]], kept: list[bool]) -> dict[str, float]:
    good = [k for k, r in zip(kept, rows, strict=True) if r["label"] == 1]
    bad = [k for k, r in zip(kept, rows, strict=True) if r["label"] == 0]
    return {"keep": round(sum(good) / max(1, len(good)), 3), "catch": round(1 - sum(bad) / max(1, len(bad)), 3)}


def measure(name: str, rows: list[dict[str, Any]], verifier: Verifier, threshold: float) -> dict[str, Any]:
    parts = [verifier.parts(r["claim"], r["quotes"]) for r in rows]
    gate = [
        not unsupported_claims(r["claim"], r["quotes"])
        and any(has_negation(q) == has_negation(strip_answer_word(r["claim"])) for q in r["quotes"])
        for r in rows
    ]
    lower = [min(a, b) for a, b in parts]
    checker = [
        check_entailed(f"{r['claim']} " + "".join(f"[{i}]" for i in range(1, len(r["quotes"]) + 1)), r["quotes"],
                       verifier.probability, threshold).supported
        for r in rows
    ]  # fmt: skip
    by_kind: dict[str, list[int]] = {}
    for r, kept in zip(rows, checker, strict=True):
        by_kind.setdefault(r["kind"], []).append(int(kept == (r["label"] == 1)))
    return {
        "set": name,
        "pairs": len(rows),
        "gates alone": rates(rows, gate),
        "cross-encoder alone": rates(rows, [a >= threshold for a, _ in parts]),
        "features alone": rates(rows, [b >= threshold for _, b in parts]),
        "lower of the two": rates(rows, [m >= threshold for m in lower]),
        "checker": rates(rows, checker),
        "by_kind": {k: round(sum(v) / len(v), 2) for k, v in sorted(by_kind.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", type=Path, nargs="*")
    parser.add_argument("--holdout", type=Path, help="A training pairs file: measure its held-out groups.")
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--model", type=Path, default=VERIFIER_DIR)
    parser.add_argument("--threshold", type=float, default=ENTAIL_THRESHOLD)
    args = parser.parse_args()
    verifier = Verifier(args.model)
    sets = [(str(p), read_pairs(p)) for p in args.files]
    if args.holdout:
        sets.insert(
            0, (f"{args.holdout} (held-out groups)", split_groups(read_pairs(args.holdout), args.share, args.seed)[1])
        )
    for name, rows in sets:
        print(json.dumps(measure(name, rows, verifier, args.threshold)), flush=True)


if __name__ == "__main__":
    main()
