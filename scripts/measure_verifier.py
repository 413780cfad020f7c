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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for path in (HERE, REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from train_verifier import read_pairs, split_groups  # noqa: E402

from bot.checker import CONTRARY_THRESHOLD, ENTAIL_THRESHOLD, check_entailed, owner_words  # noqa: E402
from bot.claim_features import strip_answer_word  # noqa: E402
from bot.claim_text import has_negation  # noqa: E402
from bot.policy import read_policy  # noqa: E402
from bot.support import unsupported_claims  # noqa: E402
from bot.verifier import VERIFIER_DIR, Verifier  # noqa: E402

# the policies the pairs files quote: the shipped one, and the fictional ones written for training data
POLICIES = [
    REPO / "corpus" / "infrascale-privacy-policy.md",
    REPO / "scripts" / "data" / "fictional_policy.md",
    REPO / "scripts" / "data" / "answerability" / "harborline-policy.md",
    *sorted((REPO / "scripts" / "data" / "faithfulness").glob("*-policy.md")),
]


def rates(rows: list[dict[str, Any]], kept: list[bool]) -> dict[str, float]:
    good = [k for k, r in zip(kept, rows, strict=True) if r["label"] == 1]
    bad = [k for k, r in zip(kept, rows, strict=True) if r["label"] == 0]
    return {"keep": round(sum(good) / max(1, len(good)), 3), "catch": round(1 - sum(bad) / max(1, len(bad)), 3)}


def _sentence(row: dict[str, Any]) -> str:
    """The row's sentence with its citations; a generated pair's claim cites all its quotes at the end."""
    return row.get("sentence") or f"{row['claim']} " + "".join(f"[{i}]" for i in range(1, len(row["quotes"]) + 1))


def owner_words_by_policy(paths: list[Path]) -> Callable[[Sequence[str]], frozenset[str]]:
    """quotes -> the owner names (``bot.checker.owner_words``) of the policy among ``paths`` that holds them."""
    docs = [read_policy(p) for p in paths]
    texts = [(" ".join(d.text.split()), owner_words([d])) for d in docs]

    def names(quotes: Sequence[str]) -> frozenset[str]:
        first = " ".join(quotes[0].split())
        return next((n for text, n in texts if first in text), frozenset())

    return names


def measure(
    name: str,
    rows: list[dict[str, Any]],
    verifier: Verifier,
    threshold: float,
    names: Callable[[Sequence[str]], frozenset[str]],
) -> dict[str, Any]:
    parts = [verifier.parts(r["claim"], r["quotes"]) for r in rows]
    gate = [
        not unsupported_claims(r["claim"], r["quotes"], names(r["quotes"]))
        and any(has_negation(q) == has_negation(strip_answer_word(r["claim"])) for q in r["quotes"])
        for r in rows
    ]
    lower = [min(a, b) for a, b in parts]

    def checked(contrary: float) -> list[bool]:
        return [
            check_entailed(_sentence(r), r["quotes"], verifier.probability, threshold, None, names(r["quotes"]),
                           contrary).supported
            for r in rows
        ]  # fmt: skip

    checker, absolute = checked(CONTRARY_THRESHOLD), checked(2.0)
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
        "checker, the polarity gate absolute": rates(rows, absolute),
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
    parser.add_argument("--policy", type=Path, action="append", default=[],
                        help="A policy the pairs quote (repeatable): its owner names may stand for we.")  # fmt: skip
    args = parser.parse_args()
    verifier = Verifier(args.model)
    names = owner_words_by_policy(args.policy or POLICIES)
    sets = [(str(p), read_pairs(p)) for p in args.files]
    if args.holdout:
        sets.insert(
            0, (f"{args.holdout} (held-out groups)", split_groups(read_pairs(args.holdout), args.share, args.seed)[1])
        )
    for name, rows in sets:
        print(json.dumps(measure(name, rows, verifier, args.threshold, names)), flush=True)


if __name__ == "__main__":
    main()
