"""Fit the adaptive rerank depth (``BOT_RERANK_FIRST``, ``BOT_SETTLE_SCORE``) on the example bank, never on evals.

For a seeded sample of the bank's answerable questions, each asked with its own author's examples left out
(leave-one-author-out, as ``fit_calibration.py`` does), the retriever reranks its whole depth once; the script
records every reranked chunk's section and final score (logit + vote) in rerank order, then replays the
cascade offline: read the first N chunks (and the voted sections' chunks); stop when a final score reaches S,
else read the rest. For each (N, S) it prints the bank accuracy of the top section, how often the top section
differs from reading the whole depth, and the passages read per question::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/fit_rerank_depth.py --sample 400

The shipped values (4, 8.0) are the cheapest that changed no top section on the sample (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot import retrieval  # noqa: E402
from bot.followup import Turn  # noqa: E402
from bot.pipeline import PolicyBot  # noqa: E402
from bot.settings import Settings  # noqa: E402


def heads(sample: int, seed: int) -> list[dict]:
    """Per sampled bank question: its labelled section and the reranked head as (section, final score)."""
    rows = [json.loads(line) for line in (REPO / "corpus/infrascale-privacy-policy.examples.jsonl").open()]
    rows = [r for r in rows if r.get("expect") != "refuse" and "section" in r]
    random.Random(seed).shuffle(rows)
    bot = PolicyBot(Settings(root=REPO, rerank_first=0))
    bot.warm_up()
    seen: dict = {}
    original = retrieval.Retriever._rerank

    def spy(self, *args):  # type: ignore[no-untyped-def]
        rerank, final = original(self, *args)
        seen["head"] = [[self.index.chunks[c].section_title, final[c]] for c in final]
        return rerank, final

    retrieval.Retriever._rerank = spy  # type: ignore[method-assign]
    out = []
    for r in rows[:sample]:
        bot.exclude_origins = frozenset({r.get("origin", "")})
        history = [Turn(t["role"], t["content"]) for t in r.get("history", [])]
        bot.answerer.retrieve(bot.answerer.read(r["question"], history, None, bot.exclude_origins))
        out.append({"label": r["section"], "head": seen["head"], "depth": bot.settings.rerank_depth})
    return out


def replay(rows: list[dict], first: int, settle: float) -> tuple[float, float, float]:
    """(bank accuracy, share of top sections that differ from the whole depth, passages read per question)."""
    right = changed = read = 0
    for r in rows:
        head, depth = r["head"], r["depth"]
        stage = head[:first] + head[depth:]  # the first N, then the voted sections' chunks
        best, whole = max(stage, key=lambda h: h[1]), max(head, key=lambda h: h[1])
        pick = best if best[1] >= settle else whole
        read += len(stage) if best[1] >= settle else len(head)
        right += pick[0] == r["label"]
        changed += pick[0] != whole[0]
    return right / len(rows), changed / len(rows), read / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = heads(args.sample, args.seed)
    print(f"{len(rows)} bank questions; whole depth: accuracy {replay(rows, 10**6, 0)[0]:.3f}")
    print("first  settle  accuracy  changed  passages read")
    for first in (2, 3, 4, 6):
        for settle in (4.0, 6.0, 8.0, 10.0, 12.0):
            acc, changed, read = replay(rows, first, settle)
            print(f"{first:>5}  {settle:>6.1f}  {acc:>8.3f}  {changed:>7.3f}  {read:>13.1f}")


if __name__ == "__main__":
    main()
