"""Command line: ``python -m bot index``, ``python -m bot ask``. Errors become messages and exit codes here."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from .errors import BotError, IndexStaleError, InvalidQuestionError


def _settings(**overrides: Any):  # type: ignore[no-untyped-def]
    from .settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v not in (None, ())})


def _load_history(path: Path | None) -> list[Any]:
    from .followup import Turn

    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"cannot read history {path}: {exc}", param_hint="--history") from exc
    if not isinstance(data, list) or not all(
        isinstance(t, dict) and t.get("role") in {"user", "assistant"} and isinstance(t.get("content"), str) for t in data
    ):
        raise click.BadParameter('history must be a JSON list of {"role": "user"|"assistant", "content": "..."}', param_hint="--history")
    return [Turn(t["role"], t["content"]) for t in data]


def _fail(exc: BotError) -> None:
    click.echo(f"Error: {exc}", err=True)
    code = 2 if isinstance(exc, InvalidQuestionError) else 3 if isinstance(exc, IndexStaleError) else 1
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what the bot does to stderr.")
def cli(verbose: bool) -> None:
    """PolicyBot: answers questions about a privacy policy with verbatim, cited quotes."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.option("--corpus", "corpus", multiple=True, type=click.Path(path_type=Path), help="Policy file or folder (repeatable). Default: corpus/")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
def index(corpus: tuple[Path, ...], as_json: bool) -> None:
    """Build (or refresh) the search index from the policy files.

    Only chunks whose text changed since the last build are embedded again.

    Example:

        python -m bot index --corpus corpus/
    """
    from .pipeline import PolicyBot

    try:
        report = PolicyBot(_settings(corpus=corpus)).build()
    except BotError as exc:
        _fail(exc)
        return
    data = {"path": str(report.path), "documents": report.documents, "chunks": report.chunks,
            "embedded": report.embedded, "reused": report.reused, "seconds": round(report.seconds, 2)}
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(f"Indexed {report.documents} document(s) into {report.chunks} chunks "
                   f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f}s -> {report.path}")


@cli.command()
@click.argument("question")
@click.option("--history", type=click.Path(path_type=Path, dir_okay=False), help="JSON file of earlier turns: [{role, content}, ...].")
@click.option("--corpus", "corpus", multiple=True, type=click.Path(path_type=Path), help="Policy file or folder (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer, citations and retrieved chunks as JSON.")
def ask(question: str, history: Path | None, corpus: tuple[Path, ...], as_json: bool) -> None:
    """Answer QUESTION with verbatim quotes from the policy, or say the policy does not cover it.

    Example:

        python -m bot ask "Can my 12 year old sign up?"

        python -m bot ask "how do I turn them off?" --history turns.json --json
    """
    from .answer import answer_to_dict
    from .pipeline import PolicyBot

    turns = _load_history(history)
    try:
        answer = PolicyBot(_settings(corpus=corpus)).ask(question, turns)
    except BotError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(answer_to_dict(answer), indent=2, ensure_ascii=False))
        return
    click.echo(answer.answer)
    for i, c in enumerate(answer.citations, start=1):
        click.echo(f"  [{i}] {c.source}#{c.anchor} chars {c.start}-{c.end} (score {c.score:.2f})")


def main() -> None:
    cli(prog_name="python -m bot")
