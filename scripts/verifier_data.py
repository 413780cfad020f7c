"""Synthetic training pairs for the support verifier, built from policy sentences (FactCC-style).

For every sentence of a policy: the sentence itself and meaning-keeping rewrites of it are supported
(``scripts/verifier_perturb.py``); meaning-changing rewrites are not (``scripts/verifier_negatives.py``), and
neither is another sentence's claim cited against it. Neighbouring sentences of one section give two-quote pairs:
both claims joined (supported), one joined with the opposite of the other (a false composition), and, when the
second qualifies the first (``bot.qualify``), the first overstated as if the limit did not exist. Half the
negatives are then reworded with a meaning-keeping rewrite too, so that wording alone does not tell the labels
apart. Each pair::

    {"quotes": ["...", ...], "claim": "...", "label": 1 | 0, "kind": "...", "source": "...", "group": "..."}

``group`` is the policy and section: splits are by group, never by pair. Sources: the shipped policy
(``corpus/*.md``) and, with ``--policyqa DIR``, the policies of the PolicyQA benchmark (read from where they lie,
never copied). Seeded: the same arguments write the same pairs::

    .venv/bin/python scripts/verifier_data.py --out /tmp/verifier/own.jsonl
    .venv/bin/python scripts/verifier_data.py --policyqa ../shared/benchmarks/policyqa_dev --out /tmp/verifier/pqa.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for path in (HERE, REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from verifier_negatives import CHANGE, WEIGHTS, absolute, compose_false, compose_true  # noqa: E402
from verifier_perturb import KEEP, synonyms  # noqa: E402

MIN_WORDS, MAX_WORDS = 5, 70


@dataclass(frozen=True)
class Source:
    """One policy sentence, its section's group name and the sentence after it in the same section (if any)."""

    text: str
    group: str
    after: str | None


def _clean(text: str) -> str:
    text = re.sub(r"[*_`]+", "", text)
    return " ".join(text.split())


FICTIONAL = HERE / "data" / "fictional_policy.md"


def own_policy(root: Path = REPO / "corpus", extra: tuple[Path, ...] = (FICTIONAL,)) -> list[Source]:
    """The sentences of the shipped policies and of ``extra`` (a fictional policy written here), by section."""
    from bot.policy import read_policy

    out: list[Source] = []
    for path in [*sorted(root.glob("*.md")), *extra]:
        doc = read_policy(path)
        for i, s in enumerate(doc.sentences):
            nxt = doc.sentences[i + 1] if i + 1 < len(doc.sentences) else None
            after = _clean(nxt.text) if nxt is not None and nxt.section == s.section else None
            out.append(Source(_clean(s.text), f"{path.stem}#{s.section}", after))
    return out


def policyqa(folder: Path) -> list[Source]:
    """The sentences of the PolicyQA policies (each segment a group), split by pysbd."""
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    out: list[Source] = []
    for line in (folder / "policies.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["text"]
        for n, (start, end) in enumerate(row["segment_spans"]):
            sentences = [_clean(s) for s in seg.segment(text[start:end]) if _clean(s)]
            for i, s in enumerate(sentences):
                after = sentences[i + 1] if i + 1 < len(sentences) else None
                out.append(Source(s, f"{row['policy_id']}#{n}", after))
    return out


def _usable(text: str) -> bool:
    n = len(text.split())
    return MIN_WORDS <= n <= MAX_WORDS and bool(re.search(r"[a-z]", text))


def _pair(quotes: list[str], claim: str, label: int, kind: str, src: Source) -> dict[str, object]:
    return {"quotes": quotes, "claim": claim, "label": label, "kind": kind, "group": src.group}


def _positives(src: Source, rng: random.Random, n: int) -> Iterator[dict[str, object]]:
    yield _pair([src.text], src.text, 1, "same", src)
    for _ in range(n):
        first = rng.choice(KEEP)
        claim = first(src.text, rng)
        if claim and rng.random() < 0.5:
            claim = synonyms(claim, rng) or claim
        if claim and claim != src.text:
            yield _pair([src.text], claim, 1, f"keep:{first.__name__}", src)


def _negatives(src: Source, rng: random.Random, n: int) -> Iterator[dict[str, object]]:
    for _ in range(n):
        change = rng.choices(CHANGE, WEIGHTS)[0]
        claim = change(src.text, rng)
        if not claim or claim.strip(" .") == src.text.strip(" ."):
            continue
        if rng.random() < 0.5:
            reworded = rng.choice(KEEP)(claim, rng)
            claim = reworded if reworded and change.__name__ not in {"drop_condition"} else claim
        yield _pair([src.text], claim, 0, f"change:{change.__name__}", src)


def _neighbours(src: Source, others: list[Source], rng: random.Random) -> Iterator[dict[str, object]]:
    from bot.qualify import is_qualifier

    other = rng.choice(others)
    if other.text != src.text:
        yield _pair([src.text], other.text, 0, "wrong_quote", src)
        yield _pair([src.text, other.text], src.text, 1, "distractor", src)
    if not src.after or not _usable(src.after):
        return
    both = [src.text, src.after]
    yield _pair(both, compose_true(src.text, src.after, rng), 1, "compose_true", src)
    false = compose_false(src.text, src.after, rng)
    if false:
        yield _pair(both, false, 0, "compose_false", src)
    if is_qualifier(src.after):
        yield _pair(both, absolute(src.text, rng) or src.text, 0, "qualified_overstated", src)
        yield _pair(both, src.text, 1, "qualified_same", src)


def pairs(sources: list[Source], seed: int, per_sentence: int = 4) -> list[dict[str, object]]:
    """Every pair for ``sources``: ``per_sentence`` rewrites of each kind per sentence, deduplicated, shuffled."""
    rng = random.Random(seed)
    usable = [s for s in sources if _usable(s.text)]
    by_group: dict[str, list[Source]] = {}
    for s in usable:
        by_group.setdefault(s.group.split("#")[0], []).append(s)
    out: list[dict[str, object]] = []
    seen: set[tuple[str, str]] = set()
    for src in usable:
        same_policy = by_group[src.group.split("#")[0]]
        generated = [
            *_positives(src, rng, per_sentence),
            *_negatives(src, rng, per_sentence + 1),
            *_neighbours(src, same_policy, rng),
        ]
        for p in generated:
            key = (" ".join(p["quotes"]), str(p["claim"]))  # type: ignore[arg-type]
            if key not in seen:
                seen.add(key)
                out.append(p)
    rng.shuffle(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policyqa", type=Path, help="A PolicyQA folder: its policies instead of the shipped one.")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--per-sentence", type=int, default=4)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sources = policyqa(args.policyqa) if args.policyqa else own_policy()
    rows = pairs(sources, args.seed, args.per_sentence)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    positives = sum(int(r["label"]) for r in rows)  # type: ignore[call-overload]
    print(f"{len(rows)} pairs ({positives} supported, {len(rows) - positives} not) from {len(sources)} sentences")


if __name__ == "__main__":
    main()
