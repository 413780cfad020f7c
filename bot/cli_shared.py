"""What the command modules share: settings read once per command, and domain errors turned into exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .errors import BotError, IndexStaleError, InvalidQuestionError, UnknownDocumentError


def settings_from(**overrides: Any):  # type: ignore[no-untyped-def]
    from .settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v not in (None, ())})


def load_history(path: Path | None) -> list[Any]:
    from .followup import Turn

    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"cannot read history {path}: {exc}", param_hint="--history") from exc
    if not isinstance(data, list) or not all(
        isinstance(t, dict) and t.get("role") in {"user", "assistant"} and isinstance(t.get("content"), str)
        for t in data
    ):
        raise click.BadParameter(
            'history must be a JSON list of {"role": "user"|"assistant", "content": "..."}', param_hint="--history"
        )
    return [Turn(t["role"], t["content"]) for t in data]


def fail(exc: BotError) -> None:
    click.echo(f"Error: {exc}", err=True)
    usage = isinstance(exc, InvalidQuestionError | UnknownDocumentError)
    code = 2 if usage else 3 if isinstance(exc, IndexStaleError) else 1
    sys.exit(code)
