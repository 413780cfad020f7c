"""No eval question leaks into the code, the tests or an example bank.

Eval questions are the ``question`` of every case in ``evals/{datasets,dev,sealed}/*.jsonl``, and
the ``sentence`` of every item of a support set (``faithfulness*.jsonl``: sentences the support checker judges). A
question is leaked into a code or data file (``bot/``, ``tests/*.py``) when its normalised text (``normalise``:
case, quotes, punctuation and spacing folded), for a question of at least ``MIN_WORDS`` words, occurs in the
normalised file on word boundaries; into a bank (``corpus/*.examples.jsonl``) when a bank question normalises to
the same text, whatever its length. A failure names the eval file, the case id and where the leak is; it never
shows a sealed question's text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.claim_text import strip_citations
from bot.evals.dataset import EVAL_FOLDERS, eval_texts
from bot.examples import SUFFIX, normalise

ROOT = Path(__file__).resolve().parents[1]
SEALED = "evals/sealed"
MIN_WORDS = 4
# text a leak could hide in; policy texts kept as fixtures (tests/fixtures/*.md) are not code
CODE_SUFFIXES = frozenset({".py", ".json", ".jsonl", ".toml", ".yaml", ".yml", ".txt", ".md", ".html", ".js", ".css"})


@dataclass(frozen=True)
class Case:
    file: str  # relative to ROOT
    id: str
    question: str  # normalised

    @property
    def sealed(self) -> bool:
        return self.file.startswith(SEALED)

    def named(self, raw: str | None = None) -> str:
        shown = "" if self.sealed or raw is None else f" {raw!r}"
        return f"{self.file} case {self.id!r}{shown}"


def _cases() -> list[tuple[Case, str]]:
    """(case, its raw question or sentence) for every eval case with one."""
    return [(Case(rel, id_, normalise(raw)), raw) for rel, id_, raw in eval_texts(ROOT) if normalise(raw)]


def _code_files() -> list[Path]:
    files = [p for p in (ROOT / "bot").rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES]
    files += [p for p in (ROOT / "tests").rglob("*.py") if p.is_file()]
    return sorted(p for p in files if "__pycache__" not in p.parts)


def _normalised_lines(path: Path) -> tuple[str, list[tuple[int, int]]]:
    """The file normalised as one line of text, and (offset, line number) where each of its lines starts."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 1  # the text starts with a space, so that every word is bounded by spaces
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        text = normalise(line)
        if text:
            starts.append((offset, number))
            parts.append(text)
            offset += len(text) + 1
    return " " + " ".join(parts) + " ", starts


def _line_at(starts: list[tuple[int, int]], index: int) -> int:
    number = starts[0][1] if starts else 0
    for offset, line in starts:
        if offset > index:
            break
        number = line
    return number


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT).as_posix()}:{line}"


CASES = _cases()


def test_there_are_eval_questions_to_check() -> None:
    assert len(CASES) > 100
    assert all(case.file.startswith(EVAL_FOLDERS) for case, _ in CASES)


def test_the_leak_check_sees_a_planted_question(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        'CASES = [\n    "Will  the APP upload my\n    ’contacts’ list, nightly?",\n]\n', encoding="utf-8"
    )
    text, starts = _normalised_lines(planted)
    index = text.find(" will the app upload my contacts list nightly ")
    assert index >= 0
    assert _line_at(starts, index + 1) == 2
    assert " will the app upload my contact " not in text  # a whole-word match only


def test_no_eval_question_in_code_or_tests() -> None:
    long_cases = [(case, raw) for case, raw in CASES if len(case.question.split()) >= MIN_WORDS]
    leaks: set[tuple[str, int, str]] = set()
    for path in _code_files():
        text, starts = _normalised_lines(path)
        for case, raw in long_cases:
            index = text.find(f" {case.question} ")
            if index >= 0:
                line = _line_at(starts, index + 1)
                leaks.add((path.relative_to(ROOT).as_posix(), line, f"{_where(path, line)}: {case.named(raw)}"))
    if leaks:
        report = "\n".join(message for *_, message in sorted(leaks))
        pytest.fail("eval questions copied into code or tests (reword them):\n" + report, False)


# the answerability model's training questions (banks' kin) and the support verifier's training sentences
TRAINING_DATA = ("scripts/data/answerability", "scripts/data/faithfulness")


def test_no_eval_question_in_an_example_bank() -> None:
    by_text: dict[str, list[tuple[Case, str]]] = {}
    for case, raw in CASES:  # a support-set sentence matches whatever its citation numbers
        by_text.setdefault(normalise(strip_citations(raw)), []).append((case, raw))
    leaks: list[str] = []
    banks = sorted((ROOT / "corpus").glob("*" + SUFFIX))
    banks += [p for folder in TRAINING_DATA for p in sorted((ROOT / folder).glob("*.jsonl"))]
    for bank in banks:
        for number, line in enumerate(bank.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            question = row.get("question", row.get("sentence"))
            if not isinstance(question, str):
                continue
            for case, raw in by_text.get(normalise(strip_citations(question)), []):
                leaks.append(f"{_where(bank, number)}: {case.named(raw)}")
    if leaks:
        pytest.fail("eval questions copied into an example bank or training data:\n" + "\n".join(leaks), False)


def test_normalise_folds_what_the_leak_check_ignores() -> None:
    assert normalise("  Do YOU sell ‘my’ data?!  ") == "do you sell my data"
    assert re.fullmatch(r"[\w ]*", normalise("a-b, c’d… “e”"))
