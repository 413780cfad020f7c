"""Calibrate the sentence-support check of LLM phrasing (``bot.support``) on pairs built from the policy.

``scripts/data/support_pairs.jsonl`` holds one pair a line: a verbatim policy sentence (``quote``), a
sentence citing it (``sentence``, ending in ``[1]``) and a ``label``: ``supported`` (a faithful paraphrase),
``contradiction`` (says the opposite, or changes a number, a place, a party) or ``invented`` (adds a claim the
quote does not make). The script scores every pair with the packaged cross-encoder (each pair alone, as the
phraser does), prints how the support logit alone separates the labels, then sweeps the logit threshold and the
content-word overlap of the whole verifier and reports, for each, the supported sentences kept and the
unsupported ones that would be shown::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/calibrate_support.py
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/calibrate_support.py --json

It changes nothing: the chosen values live in ``bot/support.py`` (``SUPPORT_THRESHOLD``, ``MIN_OVERLAP``) and
``docs/LLM.md`` records the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("HF_HUB_OFFLINE", "1")

PAIRS = REPO / "scripts" / "data" / "support_pairs.jsonl"
THRESHOLDS = (0.0, 2.0, 3.0, 4.0, 4.5, 5.0, 5.5, 6.0)
OVERLAPS = (0.0, 0.5, 0.6, 0.7, 0.8)


def read_pairs(path: Path) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, row in enumerate(rows, start=1):
        if row.get("label") not in {"supported", "contradiction", "invented"}:
            raise SystemExit(f"{path}:{i}: label must be supported, contradiction or invented")
    return rows


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random supported pair outscores a random unsupported one (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def calibrate(rows: list[dict[str, str]]) -> dict[str, Any]:
    from bot.claim_text import strip_citations
    from bot.rerank import CrossEncoder
    from bot.settings import Settings
    from bot.support import check_sentence

    reranker = CrossEncoder(Settings().reranker_dir, batch_size=1)

    def score(sentence: str, passages: list[str]) -> list[float]:
        return [float(reranker.score(sentence, [p])[0]) for p in passages]

    logits = [score(strip_citations(r["sentence"]), [r["quote"]])[0] for r in rows]
    good = [x for x, r in zip(logits, rows, strict=True) if r["label"] == "supported"]
    bad = [x for x, r in zip(logits, rows, strict=True) if r["label"] != "supported"]
    sweep = []
    for overlap in OVERLAPS:
        for threshold in THRESHOLDS:
            verdicts = [check_sentence(r["sentence"], [r["quote"]], score, threshold, overlap) for r in rows]
            kept = sum(v.supported for v, r in zip(verdicts, rows, strict=True) if r["label"] == "supported")
            shown = [
                r["sentence"] for v, r in zip(verdicts, rows, strict=True) if v.supported and r["label"] != "supported"
            ]
            sweep.append(
                {"threshold": threshold, "min_overlap": overlap, "supported_kept": kept, "unsupported_shown": shown}
            )
    alone = [
        {
            "threshold": t,
            "supported_at_or_above": sum(x >= t for x in good),
            "unsupported_below": sum(x < t for x in bad),
        }
        for t in THRESHOLDS
    ]
    return {
        "pairs": len(rows),
        "supported": len(good),
        "unsupported": len(bad),
        "logit_auc": round(auc(good, bad), 4),
        "supported_logits": _summary(good),
        "unsupported_logits": _summary(bad),
        "logit_alone": alone,
        "sweep": sweep,
    }


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "min": round(ordered[0], 2),
        "p10": round(ordered[len(ordered) // 10], 2),
        "median": round(statistics.median(ordered), 2),
        "max": round(ordered[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--json", action="store_true", help="Print everything as JSON.")
    args = parser.parse_args()
    result = calibrate(read_pairs(args.pairs))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"{result['pairs']} pairs: {result['supported']} supported, {result['unsupported']} unsupported")
    print(f"support logit alone: AUC {result['logit_auc']:.3f}")
    print(f"  supported   {result['supported_logits']}")
    print(f"  unsupported {result['unsupported_logits']}")
    for row in result["logit_alone"]:
        print(
            f"  threshold {row['threshold']:>4.1f}: {row['supported_at_or_above']}/{result['supported']} supported "
            f"at or above, {row['unsupported_below']}/{result['unsupported']} unsupported below"
        )
    print("\nwhole verifier (min_overlap, threshold): supported kept / unsupported shown")
    for row in result["sweep"]:
        print(
            f"  overlap {row['min_overlap']:.1f}  threshold {row['threshold']:>5.1f}:  "
            f"{row['supported_kept']:>2}/{result['supported']} kept, "
            f"{len(row['unsupported_shown'])}/{result['unsupported']} shown"
        )


if __name__ == "__main__":
    main()
