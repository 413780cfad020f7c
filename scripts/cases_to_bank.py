"""Turn labelled questions written in the eval-case format into example-bank lines for one policy.

An author who writes in the eval format (``sections`` and ``quote_contains``, checked against the policy) can
feed a bank: each answer case becomes ``{question, section, quote}`` with the whole policy sentence that holds
its first ``quote_contains`` phrase; each refusal becomes ``{question, expect: "refuse", reason}``, the reason
read from its tags (``instruction``, ``noise``, else ``not_covered``). Cases that clash (normalised text) with a
question already in the bank or in any eval set are left out and counted, never printed: sealed sets stay sealed.

Usage: .venv/bin/python scripts/cases_to_bank.py CASES.jsonl --origin bank-e [--policy corpus/X.md] >> BANK
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.evals.dataset import eval_texts, load_cases
from bot.evals.text import fold
from bot.examples import bank_path, normalise, parse_example
from bot.policy import read_policy

ROOT = Path(__file__).resolve().parent.parent
REASON_TAGS = ("instruction", "noise")


def taken(bank: Path) -> set[str]:
    """Normalised questions already in the bank or in any eval set (open, dev or sealed)."""
    seen = {normalise(text) for _, _, text in eval_texts(ROOT)}
    if bank.exists():
        for line in bank.read_text(encoding="utf-8").splitlines():
            question = json.loads(line).get("question") if line.strip() else None
            if isinstance(question, str):
                seen.add(normalise(question))
    return seen


@click.command()
@click.argument("cases", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--origin", required=True, help="The author's label, e.g. bank-e.")
@click.option(
    "--policy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=ROOT / "corpus" / "infrascale-privacy-policy.md",
    show_default=True,
)
def main(cases: Path, origin: str, policy: Path) -> None:
    """Print bank lines (JSONL) for CASES; a summary goes to stderr."""
    doc = read_policy(policy)
    seen = taken(bank_path(policy))
    written = clashes = 0
    for case in load_cases([cases]):
        key = normalise(case.question)
        if key in seen:
            clashes += 1
            continue
        seen.add(key)
        prefix = origin.removeprefix("bank-") + "-"
        line: dict = {"id": case.id if case.id.startswith(prefix) else prefix + case.id, "question": case.question}
        if case.history:
            line["history"] = [{"role": r, "content": c} for r, c in case.history]
        if case.answerable:
            line["section"] = case.sections[0]
            line["quote"] = sentence_with(doc, case.sections[0], case.quote_contains)
        else:
            line["expect"] = "refuse"
            line["reason"] = next((t for t in case.tags if t in REASON_TAGS), "not_covered")
        line["origin"] = origin
        example, why = parse_example(line, doc)
        if example is None:
            raise click.ClickException(f"{case.origin}: {why}")
        print(json.dumps(line, ensure_ascii=False))
        written += 1
    print(f"{written} examples written, {clashes} left out (already in a bank or an eval set)", file=sys.stderr)


def sentence_with(doc, title: str, phrases: tuple[str, ...]) -> str:
    """The sentence of section ``title`` that holds the first of ``phrases`` found there (compared folded, as
    the eval compares evidence: case, typographic quotes and whitespace runs do not matter)."""
    section = next(s for s in doc.sections if fold(s.title) == fold(title))
    sentences = doc.section_sentences(section.index)
    for phrase in phrases:
        hit = next((s for s in sentences if fold(phrase) in fold(s.text)), None)
        if hit is not None:
            return hit.text
    raise click.ClickException(f"no sentence of section {title!r} holds one of {list(phrases)}")


if __name__ == "__main__":
    main()
