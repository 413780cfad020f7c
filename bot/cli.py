"""Command line: ``python -m bot index``, ``ask``, ``diff``, ``eval``... Errors become messages and exit codes here."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from .errors import BotError, IndexStaleError, InvalidQuestionError, UnknownDocumentError


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
        isinstance(t, dict) and t.get("role") in {"user", "assistant"} and isinstance(t.get("content"), str)
        for t in data
    ):
        raise click.BadParameter(
            'history must be a JSON list of {"role": "user"|"assistant", "content": "..."}', param_hint="--history"
        )
    return [Turn(t["role"], t["content"]) for t in data]


def _fail(exc: BotError) -> None:
    click.echo(f"Error: {exc}", err=True)
    usage = isinstance(exc, InvalidQuestionError | UnknownDocumentError)
    code = 2 if usage else 3 if isinstance(exc, IndexStaleError) else 1
    sys.exit(code)


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


@cli.command("eval")
@click.option(
    "--dataset",
    "datasets",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Eval cases, JSONL (repeatable). Default: evals/datasets/*.jsonl",
)
@click.option(
    "--thresholds",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Gate file (TOML). Default: evals/thresholds.toml if present, else built-in defaults.",
)
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False), help="Also write a markdown report here.")
@click.option(
    "--corpus", "corpus", multiple=True, type=click.Path(path_type=Path), help="Policy file or folder (repeatable)."
)
@click.option(
    "--llm",
    metavar="PROVIDER:MODEL",
    help="Phrase every answer with this LangChain chat model (default: BOT_LLM, off); then no shown generated "
    "sentence may fail the checks.",
)
@click.option(
    "--sealed",
    is_flag=True,
    help="Aggregate figures only (metrics, section accuracy by tag): no case is ever shown. For blind sets.",
)
@click.option(
    "--exclude-origin",
    "exclude",
    multiple=True,
    metavar="ORIGIN",
    help="Leave the bank examples of this origin out (repeatable): leave-one-set-out measurement.",
)
@click.option(
    "--support-set",
    "support_sets",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Labelled sentences for the support checker: catch and keep rate (repeatable). Default, when no "
    "--dataset is given: evals/datasets/faithfulness*.jsonl",
)
@click.option("--json", "as_json", is_flag=True, help="Print metrics, thresholds and every case as JSON.")
def eval_command(
    datasets: tuple[Path, ...],
    thresholds: Path | None,
    report: Path | None,
    corpus: tuple[Path, ...],
    llm: str | None,
    sealed: bool,
    exclude: tuple[str, ...],
    support_sets: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Run the eval cases through the bot and check the metrics against the thresholds.

    Exit code 0 when every threshold holds, 1 when one fails, 2 when the eval cannot run
    (bad dataset or thresholds file, unreadable corpus, unknown LLM). With --llm (or BOT_LLM) the answers
    are phrased and every generated sentence shown is checked again: one that fails fails the run.

    Example:

        python -m bot eval

        python -m bot eval --dataset evals/datasets/golden.jsonl --report /tmp/eval.md

        python -m bot eval --sealed --dataset evals/sealed/sealed-a.jsonl

        python -m bot eval --dataset evals/datasets/golden.jsonl --support-set evals/datasets/faithfulness.jsonl

        BOT_LLM_BASE_URL=http://127.0.0.1:8080/v1 python -m bot eval --llm openai:local --dataset small.jsonl
    """
    from .evals import load_cases, load_thresholds, run_eval
    from .evals.dataset import default_paths
    from .evals.support_set import default_paths as default_support_sets
    from .phrasing import Phraser
    from .pipeline import PolicyBot

    if sealed and report is not None:
        raise click.UsageError("--report lists cases; a sealed set is scored in aggregate only")
    settings = _settings(corpus=corpus, llm=llm)
    paths = list(datasets) or list(default_paths(settings.root))
    claim_paths = list(support_sets) or ([] if datasets else default_support_sets(settings.root))
    default_gate = settings.root / "evals" / "thresholds.toml"
    try:
        cases = load_cases(paths)
        gate = load_thresholds(thresholds or (default_gate if default_gate.is_file() else None))
        progress = None
        if sys.stderr.isatty() and not as_json:

            def progress(n: int, total: int, case: Any) -> None:
                click.echo(f"\r  {n}/{total} {case.id[:50]:<50}", err=True, nl=n == total)

        phraser = Phraser.from_settings(settings) if settings.llm else None
        bot = PolicyBot(settings)
        bot.exclude_origins = frozenset(exclude)
        result = run_eval(bot, cases, gate, [str(p) for p in paths + claim_paths], progress, phraser)
        if claim_paths:
            result = _with_support_sets(result, claim_paths, gate, settings)
    except BotError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    _print_eval(result, gate, sealed, report, as_json)
    sys.exit(0 if result.passed else 1)


def _print_eval(result: Any, gate: Any, sealed: bool, report: Path | None, as_json: bool) -> None:
    """An eval result as text or JSON (and a markdown report); a sealed one in aggregate only, never its cases."""
    from .evals.report import format_markdown, format_sealed, format_text, section_by_tag
    from .evals.runner import result_to_dict

    if sealed:
        if as_json:
            data = result_to_dict(result, gate)
            data = {k: data[k] for k in ("passed", "metrics", "thresholds", "checks", "datasets")}
            data["section_by_tag"] = {t: list(v) for t, v in sorted(section_by_tag(result).items())}
            click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            click.echo(format_sealed(result))
        return
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(format_markdown(result), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result_to_dict(result, gate), indent=2, ensure_ascii=False))
    else:
        click.echo(format_text(result))


def _with_support_sets(result: Any, paths: list[Path], gate: Any, settings: Any) -> Any:
    """The eval result with the support checker's catch and keep rate on the labelled sentences of ``paths``."""
    from .checker import SupportChecker
    from .evals import support_set

    claims = support_set.load(paths)
    checker = SupportChecker.packaged(settings.model_threads, settings.llm_support_threshold)
    return support_set.with_support(result, support_set.evaluate(claims, checker), gate)


@cli.command("check-support")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object {"results": [...]} instead of lines.')
def check_support_command(file: Path, as_json: bool) -> None:
    """Check whether each sentence of FILE is supported by the quotes it cites.

    FILE is JSONL, one {"id", "quotes": [...], "sentence"} a line; the sentence cites the quotes as [1], [2].
    Prints one {"id", "supported", "reason", "score"} a line (score: P(entailed), null when a cheaper check
    already failed), with the same checker as LLM phrasing (docs/LLM.md). Exit 0 when every line was checked,
    2 when a line is malformed (the error names it).

    Example:

        python -m bot check-support claims.jsonl

        python -m bot check-support claims.jsonl --json
    """
    from .checker import SupportChecker
    from .claims import read_claims

    try:
        claims = read_claims(file)
        checker = SupportChecker.packaged()
    except BotError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    results = []
    for claim in claims:
        verdict = checker.check(claim.sentence, claim.quotes)
        result = {"id": claim.id, "supported": verdict.supported, "reason": verdict.reason, "score": verdict.score}
        results.append(result)
    if as_json:
        click.echo(json.dumps({"results": results}, indent=2, ensure_ascii=False))
    else:
        for result in results:
            click.echo(json.dumps(result, ensure_ascii=False))


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
    from .bench import format_table, result_json, run_bench

    def progress(line: str) -> None:
        click.echo(f"bench: {line}", err=True)

    try:
        result = run_bench(_settings(), seconds, concurrency, cold_runs, limit, not no_peer, progress, workers)
    except (BotError, RuntimeError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(result_json(result) if as_json else format_table(result))


# -- agents' corrections (bot/corrections.py) ---------------------------------------------------------
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


@cli.group("examples")
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


def main() -> None:
    cli(prog_name="python -m bot")
