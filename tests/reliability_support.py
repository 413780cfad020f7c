"""Shared pieces of the reliability tests (issue 6): the figures file, and the quote-only answer check.

Every reliability test records what it measured (inputs tried, status codes, p99, rows...) in
``artifacts/reliability.json``, one entry per test, so docs/RELIABILITY.md can be refreshed from a run.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.answer import REFUSAL_TEXT

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "artifacts" / "reliability.json"


def record(name: str, **figures: Any) -> None:
    """Merge ``figures`` under ``name`` into artifacts/reliability.json (a run overwrites its own entries)."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    with FIGURES.with_suffix(".lock").open("a") as lock:  # pytest -n 2: another worker may be merging too
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(FIGURES.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data[name] = figures
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        FIGURES.write_text(text, encoding="utf-8")


def _verbatim(citation: Mapping[str, Any], root: Path) -> None:
    text = (root / citation["source"]).read_text(encoding="utf-8")
    quote, start, end = citation["quote"], citation["start"], citation["end"]
    assert quote and text[start:end] == quote, f"not verbatim at {citation['source']}[{start}:{end}]: {quote!r}"


def assert_quote_only(body: Mapping[str, Any], root: Path = ROOT) -> str:
    """Assert that an /api/ask answer holds nothing but fixed connective text and verbatim, cited quotes.

    Subtracts from the answer text: each cited quote in its quotation marks (after checking it is verbatim in
    the cited file at its offsets), each ``From “<section>”: `` prefix of a cited section, the `` … ``
    separators and line breaks; for a refusal, the fixed refusal text of its reason and the contact quote
    with its fixed lead-in. Nothing may remain. Returns "refused" or "quoted".
    """
    rest = body["answer"]
    if body["refused"]:
        assert body["citations"] == [], "a refusal carries no citations"
        fixed = REFUSAL_TEXT[body["reason"]]
        assert rest.startswith(fixed), f"refusal without its fixed text: {rest!r}"
        rest = rest[len(fixed) :]
        contact = body.get("contact")
        if contact is not None and rest:
            _verbatim(contact, root)
            lead = f" For anything else, the policy’s “{contact['section']}” section says: “{contact['quote']}”"
            assert rest == lead, f"unexpected text after the refusal: {rest!r}"
            rest = ""
        assert rest == "", f"unexpected text after the refusal: {rest!r}"
        return "refused"
    assert body["citations"], f"an answer without citations: {rest!r}"
    for c in body["citations"]:
        _verbatim(c, root)
        marked = f"“{c['quote']}”"
        assert marked in rest, f"cited quote missing from the answer text: {marked!r}"
        rest = rest.replace(marked, "\0", 1)  # a placeholder, so a later quote cannot span two earlier ones
    for section in dict.fromkeys(c["section"] for c in body["citations"]):
        prefix = f"From “{section}”: "
        assert prefix in rest, f"missing {prefix!r}"
        rest = rest.replace(prefix, "", 1)
    leftover = rest.replace(" … ", "").replace("\n", "").replace("\0", "")
    assert leftover == "", f"text that is neither a quote nor connective text: {leftover!r}"
    return "quoted"
