"""Command line: ``python -m bot index``, ``ask``, ``diff``, ``eval``... Errors become messages and exit codes here."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from .cli_eval import check_support_command, eval_command
from .cli_examples import examples_group
from .cli_shared import fail as _fail
from .cli_shared import load_history as _load_history
from .cli_shared import settings_from as _settings
from .errors import BotError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what the bot does to stderr.")
def cli(verbose: bool) -> None:
    """PolicyBot: answers questions about a privacy policy with verbatim, cited quotes."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@cli.command()
@click.option(
    "--corpus",
    "corpus",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Policy file or folder (repeatable). Default: corpus/",
)
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
def index(corpus: tuple[Path, ...], as_json: bool) -> None:
    """Build (or refresh) the search index from the policy files.

    Only chunks whose text changed since the last build are embedded again. Reports the sections added,
    changed and removed since that build (by a content hash of each section), the chunks embedded and
    reused, and the time taken.

    Example:

        python -m bot index --corpus corpus/

        python -m bot index --json
    """
    from .pipeline import PolicyBot

    try:
        report = PolicyBot(_settings(corpus=corpus)).build()
    except BotError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(
        f"Indexed {report.documents} document(s), {report.sections} sections, {report.chunks} chunks "
        f"in {report.seconds:.1f}s -> {report.path}"
    )
    click.echo(f"Chunks: {report.embedded} embedded, {report.reused} reused")
    click.echo(f"Examples: {report.examples} from the example banks, {len(report.stale_examples)} stale")
    for example_id, why in report.stale_examples:  # after a policy revision: fix or drop them in the bank
        click.echo(f"  stale example {example_id}: {why}")
    if report.previous is None:
        click.echo(f"Sections: {report.sections} added (no earlier build to compare with)")
        return
    counts = ", ".join(f"{len(report.with_status(k))} {k}" for k in ("added", "changed", "removed"))
    click.echo(f"Sections since {report.previous}: {counts}, {report.unchanged} unchanged")
    for c in report.changes:
        mark = {"added": "+", "changed": "~", "removed": "-"}[c.status]
        detail = "" if c.status == "removed" else f" ({c.embedded} of {c.chunks} chunks embedded)"
        click.echo(f"  {mark} {c.status:<8} {c.source}#{c.anchor} “{c.title}”{detail}")


@cli.command("diff")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the sections added, removed and changed as JSON.")
def diff_command(old: Path, new: Path, as_json: bool) -> None:
    """Show what changed, section by section, between two revisions OLD and NEW of a policy file.

    Sections are matched by title (then anchor, then text for a renamed one), so reordering is not a change.
    Changed sections show their removed (-), added (+) and reworded (~, word diff: [-old-]{+new+}) sentences.

    Example:

        python -m bot diff old/privacy-policy.md corpus/privacy-policy.md

        python -m bot diff old.md new.md --json
    """
    from .diff import diff_documents, diff_to_dict, format_text
    from .policy import read_policy

    try:
        result = diff_documents(read_policy(old, str(old)), read_policy(new, str(new)))
    except BotError as exc:
        _fail(exc)
        return
    click.echo(json.dumps(diff_to_dict(result), indent=2, ensure_ascii=False) if as_json else format_text(result))


@cli.command()
@click.argument("question")
@click.option(
    "--history",
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON file of earlier turns: [{role, content}, ...].",
)
@click.option(
    "--corpus", "corpus", multiple=True, type=click.Path(path_type=Path), help="Policy file or folder (repeatable)."
)
@click.option(
    "--llm",
    metavar="PROVIDER:MODEL",
    help="Phrase the answer with this LangChain chat model, every sentence checked (default: BOT_LLM, off).",
)
@click.option(
    "--document",
    metavar="SOURCE",
    help="Answer from this document only (as citations name it, e.g. corpus/infrascale-privacy-policy.md).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer, citations and retrieved chunks as JSON.")
def ask(
    question: str, history: Path | None, corpus: tuple[Path, ...], llm: str | None, document: str | None, as_json: bool
) -> None:
    """Answer QUESTION with verbatim quotes from the policy, or say the policy does not cover it.

    With --llm (or BOT_LLM) a chat model phrases the answer from the quotes; a generated sentence is shown
    only when it cites a quote that supports it, and the quotes follow it. See docs/LLM.md.

    Example:

        python -m bot ask "Is my eleven year old allowed to make an account?"

        python -m bot ask "how do I turn them off?" --history turns.json --json

        python -m bot ask "Do you sell my data?" --corpus corpus/ --corpus other/ --document other/acme.md

        BOT_LLM_BASE_URL=http://127.0.0.1:8080/v1 python -m bot ask "Do you sell my data?" --llm openai:local
    """
    from .phrasing import Phraser, extractive, phrased_to_dict
    from .pipeline import PolicyBot

    turns = _load_history(history)
    settings = _settings(corpus=corpus, llm=llm)
    try:
        phraser = Phraser.from_settings(settings) if settings.llm else None
        answer = PolicyBot(settings).ask(question, turns, document=document)
        phrased = phraser.phrase(answer, question, turns) if phraser else extractive(answer)
    except BotError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(phrased_to_dict(phrased), indent=2, ensure_ascii=False))
        return
    if phrased.fallback and phrased.fallback != "refused":
        click.echo(f"(LLM phrasing fell back to the quotes: {phrased.fallback})", err=True)
    click.echo(phrased.text)
    for i, c in enumerate(answer.citations, start=1):
        click.echo(f"  [{i}] {c.source}#{c.anchor} chars {c.start}-{c.end} (score {c.score:.2f})")


@cli.command("policyqa")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Benchmark folder: policies.jsonl, policies/<policy_id>.txt, questions.jsonl.",
)
@click.option(
    "--out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Predictions JSONL to write."
)
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N questions.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def policyqa_command(data_dir: Path, out: Path, limit: int | None, as_json: bool) -> None:
    """Write PolicyQA-style predictions: each policy indexed alone, each question retrieved and asked.

    Score them with the benchmark's own scorer (score_policyqa.py policyqa --dir DIR --pred OUT).

    Example:

        python -m bot policyqa --data ../benchmarks/policyqa_dev --out /tmp/preds.jsonl --limit 200
    """
    from .evals.policyqa import run_policyqa

    def progress(line: str) -> None:
        if not as_json:
            click.echo(line, err=True)

    try:
        summary = run_policyqa(data_dir, out, _settings(), limit, progress)
    except BotError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        click.echo(
            f"Wrote {summary.questions} predictions for {summary.policies} policies to {summary.out} "
            f"in {summary.seconds:.0f}s; {summary.chunks} chunks, average chunk length "
            f"{summary.avg_chunk_chars:.0f} characters"
        )


@cli.command()
@click.option("--host", default=None, help="Interface to listen on. Default: BOT_HOST or 127.0.0.1.")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port. Default: BOT_PORT or 8000.")
@click.option(
    "--corpus", "corpus", multiple=True, type=click.Path(path_type=Path), help="Policy file or folder (repeatable)."
)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Processes. Default: BOT_WORKERS or 1.")
def serve(host: str | None, port: int | None, corpus: tuple[Path, ...], workers: int | None) -> None:
    """Serve the web API, the chat widget, the policy page and the agent console.

    Pages: / (demo site with the widget), /policy, /docs (API), /agent (console; needs
    BOT_AGENT_PASSWORD). Other settings come from BOT_* variables: BOT_DATABASE_URL,
    BOT_ALLOWED_ORIGINS, BOT_RATE_LIMIT, BOT_RETENTION_DAYS...

    Example:

        BOT_AGENT_PASSWORD=change-me python -m bot serve --port 8000

        python -m bot serve --corpus corpus/ --corpus partners/acme-privacy.md

        python -m bot serve --workers $(nproc)
    """
    from .serve.run import run

    settings = _settings(host=host, port=port, corpus=corpus, workers=workers)
    click.echo(f"PolicyBot on http://{settings.host}:{settings.port}/ (loading the index and models...)", err=True)
    run(settings)


@cli.command()
@click.option("--seconds", type=click.FloatRange(1, 300), default=20.0, show_default=True, help="Server load time.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True, help="Server clients.")
@click.option("--cold-runs", type=click.IntRange(1, 10), default=3, show_default=True, help="Fresh `ask` processes.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N golden-set questions.")
@click.option("--no-peer", is_flag=True, help="Skip the LangChain peers (they need the bench extra).")
@click.option("--workers", type=click.IntRange(1, 64), help="Server processes. Default: this machine's cores.")
@click.option("--json", "as_json", is_flag=True, help="Print every measurement as JSON.")
def bench(
    seconds: float,
    concurrency: int,
    cold_runs: int,
    limit: int | None,
    no_peer: bool,
    workers: int | None,
    as_json: bool,
) -> None:
    """Measure speed on this machine: index build, cold start, warm ask next to a floor and two LangChain
    peers (naive, and reranked by our cross-encoder), and the server under load with N workers (loopback only;
    bounded; builds its own index in a temporary folder).

    Example:

        python -m bot bench

        BOT_RERANK_BATCH=1 python -m bot bench --seconds 10 --workers 1 --json
    """
    from .bench import run_bench
    from .bench_report import format_table, result_json

    def progress(line: str) -> None:
        click.echo(f"bench: {line}", err=True)

    try:
        result = run_bench(_settings(), seconds, concurrency, cold_runs, limit, not no_peer, progress, workers)
    except (BotError, RuntimeError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(result_json(result) if as_json else format_table(result))


cli.add_command(eval_command)
cli.add_command(check_support_command)
cli.add_command(examples_group)


def main() -> None:
    cli(prog_name="python -m bot")
