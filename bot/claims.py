"""Files of cited sentences to check: one JSON object a line, ``{"id", "quotes": [...], "sentence"}``.

The sentence cites the quotes as ``[1]``, ``[2]`` (``quotes[0]`` is ``[1]``). An eval set of the support checker
adds ``"label": "faithful" | "unfaithful"`` and a free ``"kind"``. Read by ``python -m bot check-support`` and by
``bot eval``'s support sets; a malformed line is a ``ClaimsFileError`` naming the file and the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BotError

LABELS = ("faithful", "unfaithful")


class ClaimsFileError(BotError):
    """A claims file is missing, or one of its lines is not a valid claim."""


@dataclass(frozen=True)
class Claim:
    """One sentence and the quotes it cites. ``label`` (eval sets only) is "faithful" or "unfaithful"."""

    id: str
    quotes: tuple[str, ...]
    sentence: str
    label: str | None = None
    kind: str = ""


def parse_claim(row: Any, labelled: bool = False) -> Claim:
    """One parsed JSON line as a ``Claim``; ``ValueError`` says what is wrong with it."""
    if not isinstance(row, dict):
        raise ValueError("expected a JSON object")
    ident, quotes, sentence = row.get("id"), row.get("quotes"), row.get("sentence")
    if not isinstance(ident, str | int) or isinstance(ident, bool) or str(ident) == "":
        raise ValueError('"id" must be a non-empty string or a number')
    if not isinstance(quotes, list) or not quotes or not all(isinstance(q, str) and q.strip() for q in quotes):
        raise ValueError('"quotes" must be a non-empty list of non-empty strings')
    if not isinstance(sentence, str) or not sentence.strip():
        raise ValueError('"sentence" must be a non-empty string')
    label = row.get("label")
    if labelled and label not in LABELS:
        raise ValueError(f'"label" must be one of {", ".join(LABELS)}')
    kind = row.get("kind", "")
    return Claim(str(ident), tuple(quotes), sentence, label if labelled else None, str(kind or ""))


def read_claims(path: Path, labelled: bool = False) -> list[Claim]:
    """Every claim of ``path``; blank lines are skipped. ``labelled``: each line must carry a ``label``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise ClaimsFileError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimsFileError(f"{path}: cannot read: {exc}") from exc
    claims: list[Claim] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            claim = parse_claim(json.loads(line), labelled)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise ClaimsFileError(f"{path}:{number}: {exc}") from exc
        if claim.id in seen:
            raise ClaimsFileError(f"{path}:{number}: duplicate id {claim.id!r}")
        seen.add(claim.id)
        claims.append(claim)
    return claims
