"""Eval cases: a JSONL file, one case a line, validated strictly so a typo never silently weakens the gate.

A line looks like::

    {"id": "cookies-1", "question": "Do you use cookies?", "expect": "answer",
     "sections": ["Cookies"], "quote_contains": ["use cookies"],
     "history": [{"role": "user", "content": "..."}], "tags": ["cookies"]}

``sections`` and ``quote_contains`` are required (non-empty) when ``expect`` is ``"answer"``; ``history`` and
``tags`` are optional. Every problem is reported with its file and line number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BotError

EXPECT = ("answer", "refuse")
FIELDS = ("id", "question", "expect", "sections", "quote_contains", "history", "tags")
ROLES = ("user", "assistant")
MAX_ERRORS = 20
EVAL_FOLDERS = ("evals/datasets", "evals/dev", "evals/sealed")  # every eval set: open, dev and sealed


class DatasetError(BotError):
    """An eval dataset file is missing, unreadable or holds a malformed case."""


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    expect: str  # "answer" | "refuse"
    sections: tuple[str, ...] = ()
    quote_contains: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = ()  # (role, content)
    tags: tuple[str, ...] = ()
    origin: str = field(default="", compare=False)  # "file:line", for messages

    @property
    def answerable(self) -> bool:
        return self.expect == "answer"

    def to_dict(self) -> dict[str, Any]:
        """The plain-data form the metrics read."""
        return {
            "id": self.id,
            "question": self.question,
            "expect": self.expect,
            "sections": list(self.sections),
            "quote_contains": list(self.quote_contains),
            "history": [{"role": r, "content": c} for r, c in self.history],
            "tags": list(self.tags),
        }


def _strings(data: dict[str, Any], key: str, required: bool) -> tuple[str, ...]:
    if key not in data:
        if required:
            raise ValueError(f"missing required field {key!r} (needed when expect is 'answer')")
        return ()
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{key!r} must be a list of non-empty strings")
    if required and not value:
        raise ValueError(f"{key!r} must not be empty when expect is 'answer'")
    return tuple(value)


def _history(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise ValueError('\'history\' must be a list of {"role", "content"} objects')
    turns = []
    for n, turn in enumerate(value, start=1):
        if not isinstance(turn, dict) or set(turn) != {"role", "content"}:
            raise ValueError(f"history turn {n} must be an object with exactly 'role' and 'content'")
        if turn["role"] not in ROLES or not isinstance(turn["content"], str):
            raise ValueError(f"history turn {n}: role must be one of {list(ROLES)} and content a string")
        turns.append((turn["role"], turn["content"]))
    return tuple(turns)


def parse_case(data: Any, origin: str = "") -> Case:
    """One case from one decoded JSON line; raises ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"a case must be a JSON object, not {type(data).__name__}")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) {unknown}; allowed: {list(FIELDS)}")
    for key in ("id", "question", "expect"):
        if key not in data:
            raise ValueError(f"missing required field {key!r}")
        if not isinstance(data[key], str) or not data[key].strip():
            raise ValueError(f"{key!r} must be a non-empty string")
    if data["expect"] not in EXPECT:
        raise ValueError(f"'expect' must be one of {list(EXPECT)}, not {data['expect']!r}")
    answerable = data["expect"] == "answer"
    return Case(
        id=data["id"],
        question=data["question"],
        expect=data["expect"],
        sections=_strings(data, "sections", required=answerable),
        quote_contains=_strings(data, "quote_contains", required=answerable),
        history=_history(data["history"]) if "history" in data else (),
        tags=_strings(data, "tags", required=False),
        origin=origin,
    )


def _read(path: Path, errors: list[str]) -> list[Case]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(f"{path}: no such file")
        return []
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(f"{path}: cannot read: {exc}")
        return []
    cases = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{path}:{lineno}"
        try:
            cases.append(parse_case(json.loads(line), origin))
        except json.JSONDecodeError as exc:
            errors.append(f"{origin}: invalid JSON: {exc.msg} (column {exc.colno})")
        except ValueError as exc:
            errors.append(f"{origin}: {exc}")
    if not cases and not errors:
        errors.append(f"{path}: no cases")
    return cases


def load_cases(paths: Iterable[Path]) -> list[Case]:
    """Every case of every file, in order. Raises DatasetError listing each problem as ``file:line: what``."""
    errors: list[str] = []
    cases: list[Case] = []
    seen: dict[str, str] = {}
    paths = list(paths)
    if not paths:
        raise DatasetError("no dataset files given")
    for path in paths:
        for case in _read(Path(path), errors):
            if case.id in seen:
                errors.append(f"{case.origin}: duplicate id {case.id!r} (first at {seen[case.id]})")
                continue
            seen[case.id] = case.origin
            cases.append(case)
    if errors:
        more = f"\n... and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        raise DatasetError("invalid eval dataset:\n" + "\n".join(errors[:MAX_ERRORS]) + more)
    return cases


def eval_texts(root: Path) -> list[tuple[str, str, str]]:
    """(file relative to ``root``, case id, text) for the question of every eval case and the sentence of every
    support-set item in ``EVAL_FOLDERS``: what no bank, code or test may hold. Read as JSON lines, not validated."""
    out: list[tuple[str, str, str]] = []
    for folder in EVAL_FOLDERS:
        for path in sorted((root / folder).glob("*.jsonl")):
            rel = path.relative_to(root).as_posix()
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                data = json.loads(line) if line.strip() else {}
                text = data.get("question", data.get("sentence"))
                if isinstance(text, str):
                    out.append((rel, str(data.get("id", f"line {n}")), text))
    return out


def default_paths(root: Path) -> Sequence[Path]:
    """``evals/datasets/*.jsonl`` under ``root``, sorted, but the support sets (``faithfulness*.jsonl``, sentences
    for the support checker, not questions: ``bot.evals.support_set``)."""
    return sorted(p for p in (root / "evals" / "datasets").glob("*.jsonl") if not p.name.startswith("faithfulness"))
