"""``python -m bot examples``: agents' corrections listed, reviewed and exported to the example banks."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .cli_shared import fail as _fail
from .cli_shared import settings_from as _settings
from .errors import BotError


def _store():  # type: ignore[no-untyped-def]
    from .serve.store import Store

    return Store(_settings().resolved_database_url())


def _correction_text(c: Any) -> list[str]:
    when = c.created_at.strftime("%Y-%m-%d %H:%M")
    state = f"{c.status}, exported" if c.exported_at else c.status
    fix = "the policy does not say" if c.kind == "not_covered" else f"“{c.section}”: “{c.quote}”"
    lines = [f"#{c.id} [{state}] {when} UTC  {c.source}", f"  question: {c.question}"]
    lines.append(f"  bot answered from: {c.answered or '(refused)'}")
    lines.append(f"  correction: {fix}")
    if c.note:
        lines.append(f"  note: {c.note}")
    return lines


@click.group("examples")
def examples_group() -> None:
    """Agents' corrections of answers: list them, approve or reject them, export the approved ones to the banks.

    Agents submit corrections in the console (/agent, "Correct this answer"); a support lead reviews them there
    or here; `export` appends the approved ones to each policy's example bank (corpus/NAME.examples.jsonl) and
    the next `python -m bot index` embeds them. The database is BOT_DATABASE_URL (default var/policybot.db).
    """


@examples_group.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "approved", "rejected", "exported"]),
    help="Only these (approved: exported or not; exported: approved and written to a bank). Default: all.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the corrections as a JSON list.")
def examples_list(status: str | None, as_json: bool) -> None:
    """List agents' corrections, oldest first.

    Example:

        python -m bot examples list --status pending

        python -m bot examples list --json
    """
    store = _store()
    try:
        found = store.corrections(status)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo(f"No {status} corrections." if status else "No corrections.")
    for c in found:
        click.echo("\n".join(_correction_text(c)))


@examples_group.command("review")
@click.argument("correction_id", metavar="ID", type=int)
@click.option("--approve/--reject", "approve", default=None, help="The verdict (required).")
def examples_review(correction_id: int, approve: bool | None) -> None:
    """Approve or reject the correction ID. Only approved corrections are exported to a bank.

    A verdict can be changed until the correction is exported.

    Example:

        python -m bot examples review 12 --approve

        python -m bot examples review 13 --reject
    """
    if approve is None:
        raise click.UsageError("say --approve or --reject")
    store = _store()
    try:
        c = store.review_correction(correction_id, approve)
    except BotError as exc:
        _fail(exc)
        return
    finally:
        store.close()
    click.echo(f"Correction #{c.id} {c.status}.")


@examples_group.command("export")
@click.option("--json", "as_json", is_flag=True, help="Print the lines written and the corrections skipped as JSON.")
def examples_export(as_json: bool) -> None:
    """Append every approved, not yet exported correction to the example bank of its policy.

    Each becomes one bank line (id corr-ID, origin correction:ID), checked against the policy first: a line the
    policy no longer supports (its section or sentence changed) is reported and not written. Written ones are
    marked exported, so running export again writes nothing new. Exit code 1 when a correction was skipped.
    Rebuild the index afterwards (`python -m bot index`) so answers use them.

    Example:

        python -m bot examples export && python -m bot index
    """
    from .corrections import export_corrections

    settings = _settings()
    store = _store()
    try:
        report = export_corrections(store, settings.root)
    except BotError as exc:
        _fail(exc)
        return
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for w in report.written:
            click.echo(f"wrote {w.line['id']} to {w.bank}: {json.dumps(w.line, ensure_ascii=False)}")
        for cid in report.already:
            click.echo(f"corr-{cid} was in the bank already; marked exported")
        for s in report.skipped:
            click.echo(f"skipped correction #{s.correction}: {s.why}", err=True)
        click.echo(f"Exported {len(report.written)} correction(s); {len(report.skipped)} skipped.")
        if report.written:
            click.echo("Run `python -m bot index` so answers use them.")
    if report.skipped:
        sys.exit(1)
