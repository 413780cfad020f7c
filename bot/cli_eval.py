"""``python -m bot eval`` and ``check-support``: the eval suite and the support checker from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .cli_shared import settings_from as _settings
from .errors import BotError


@click.command("eval")
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
    checker = SupportChecker.for_corpus(settings)
    return support_set.with_support(result, support_set.evaluate(claims, checker), gate)


def _checker() -> Any:
    """The corpus's checker; without a readable corpus, the packaged one, which knows no owner names (said once)."""
    from .checker import SupportChecker
    from .errors import CorpusError

    settings = _settings()
    try:
        return SupportChecker.for_corpus(settings)
    except CorpusError as exc:
        click.echo(f"Note: {exc}; the owner's names are unknown, so a sentence naming it is judged as a name", err=True)
        return SupportChecker.packaged(settings.model_threads, settings.llm_support_threshold)


@click.command("check-support")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object {"results": [...]} instead of lines.')
def check_support_command(file: Path, as_json: bool) -> None:
    """Check whether each sentence of FILE is supported by the quotes it cites.

    FILE is JSONL, one {"id", "quotes": [...], "sentence"} a line; the sentence cites the quotes as [1], [2].
    Prints one {"id", "supported", "reason", "score"} a line (score: P(entailed), null when a cheaper check
    already failed), with the same checker as LLM phrasing (docs/LLM.md), which knows the configured policies'
    names for their owners (BOT_CORPUS). Exit 0 when every line was checked,
    2 when a line is malformed (the error names it).

    Example:

        python -m bot check-support claims.jsonl

        python -m bot check-support claims.jsonl --json
    """
    from .claims import read_claims

    try:
        claims = read_claims(file)
        checker = _checker()
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
