"""A revision of the real policy, end to end with the real models: one section reworded, one added, one removed.

The index report names exactly those sections and re-embeds only their chunks, the answers quote the new text,
``python -m bot diff`` reports the same three sections, and the eval's stale check flags cases whose phrases left.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import POLICY, ROOT

from bot.cli import cli
from bot.evals import Thresholds, load_cases, run_eval
from bot.evals.dataset import Case
from bot.evals.stale import find_stale
from bot.index import BuildReport
from bot.pipeline import PolicyBot
from bot.policy import read_policy
from bot.settings import Settings

OLD_SENTENCE = (
    "We take reasonable steps to safeguard your Personal Information and endeavor to keep it secure using security "
    "measures that are appropriate for a company and website of our scope and size in our industry."
)
NEW_SENTENCE = (
    "We encrypt your Personal Information in transit and at rest, and we protect it with industry-standard security "
    "measures that an independent auditor reviews every year."
)
RETENTION = (
    "## Data Retention\n\n"
    "We keep your Personal Information for as long as your account is active.  After you close your account, we "
    "delete your backups and account data within 90 days, unless the law requires us to keep them longer.\n\n"
)


def revise(text: str) -> str:
    """The policy with Security reworded, Data Retention added before Consent and EU Safe Harbor removed."""
    assert OLD_SENTENCE in text and text.count("## Consent\n") == 1
    text = text.replace(OLD_SENTENCE, NEW_SENTENCE).replace("## Consent\n", RETENTION + "## Consent\n")
    start, end = text.index("## EU Safe Harbor\n"), text.index("## Dispute Resolution\n")
    return text[:start] + text[end:]


@dataclass(frozen=True)
class Revision:
    root: Path
    old: Path  # a copy of the policy as it was
    policy: Path  # corpus/policy.md, now revised
    first: BuildReport
    second: BuildReport
    bot: PolicyBot  # over the revised index


def _sharing_models(settings: Settings, real: PolicyBot) -> PolicyBot:
    bot = PolicyBot(settings)
    bot.embedder, bot.reranker = real.embedder, real.reranker  # one copy of the models for the session
    return bot


@pytest.fixture(scope="module")
def revision(tmp_path_factory: pytest.TempPathFactory, bot: PolicyBot) -> Revision:
    root = tmp_path_factory.mktemp("revision")
    (root / "corpus").mkdir()
    old, policy = root / "old.md", root / "corpus" / "policy.md"
    shutil.copyfile(POLICY, old)
    shutil.copyfile(POLICY, policy)
    settings = Settings(root=root, index_dir=root / ".index", vector_cache=None)  # a first build embeds everything
    first = _sharing_models(settings, bot).build()
    policy.write_text(revise(POLICY.read_text(encoding="utf-8")), encoding="utf-8")
    revised = _sharing_models(settings, bot)
    second = revised.build()
    revised.warm_up(rebuild=False)
    return Revision(root, old, policy, first, second, revised)


def _changes(report: BuildReport) -> set[tuple[str, str]]:
    return {(c.status, c.title) for c in report.changes}


def test_a_first_build_embeds_everything_and_has_nothing_to_compare_with(revision: Revision) -> None:
    first = revision.first
    assert first.previous is None
    assert (first.embedded, first.reused) == (first.chunks, 0)
    assert {c.status for c in first.changes} == {"added"} and len(first.changes) == first.sections == 22


def test_the_rebuild_names_exactly_the_sections_that_changed(revision: Revision) -> None:
    second = revision.second
    assert second.previous == revision.first.path.name
    assert _changes(second) == {("changed", "Security"), ("added", "Data Retention"), ("removed", "EU Safe Harbor")}
    assert second.sections == 22 and second.unchanged == 20
    assert [c.anchor for c in second.with_status("removed")] == ["eu-safe-harbor"]
    assert second.to_dict()["changes"]["added"][0] == {
        "status": "added",
        "source": "corpus/policy.md",
        "title": "Data Retention",
        "anchor": "data-retention",
        "chunks": 1,
        "embedded": 1,
    }


def test_the_rebuild_embeds_only_the_chunks_of_changed_sections(revision: Revision) -> None:
    old = json.loads((revision.first.path / "chunks.json").read_text(encoding="utf-8"))["chunks"]
    old_texts = {f"{c['section_title']}: {c['text']}" for c in old}
    index = revision.bot.index
    fresh = [c for c in index.chunks if c.embed_text not in old_texts]
    assert {c.section_title for c in fresh} == {"Security", "Data Retention"}
    assert revision.second.embedded == len(fresh) == sum(c.embedded for c in revision.second.changes)
    assert revision.second.reused == len(index.chunks) - len(fresh) > 40

    # reused vectors are the old ones exactly; fresh ones are what the model says for the new text
    old_index = faiss.read_index(str(revision.first.path / "index.faiss"))
    old_vectors = dict(
        zip((f"{c['section_title']}: {c['text']}" for c in old), old_index.reconstruct_n(0, len(old)), strict=True)
    )
    vectors = index.faiss_index.reconstruct_n(0, len(index.chunks))
    for chunk in index.chunks:
        if chunk not in fresh:
            assert np.array_equal(vectors[chunk.id], old_vectors[chunk.embed_text])
    expected = revision.bot.embedder.encode([c.embed_text for c in fresh])
    for row, chunk in enumerate(fresh):
        assert np.allclose(vectors[chunk.id], expected[row], atol=1e-5)


def test_answers_quote_the_revised_text(revision: Revision) -> None:
    retention = revision.bot.ask("Once my account is closed, how much longer is my information held?")
    assert not retention.refused
    assert retention.citations[0].section == "Data Retention"
    assert any("within 90 days" in c.quote for c in retention.citations if c.section == "Data Retention")

    security = revision.bot.ask("what security measures do you use?")
    assert security.citations[0].section == "Security"
    quotes = " ".join(c.quote for c in security.citations)
    assert "We encrypt your Personal Information" in quotes and "reasonable steps" not in quotes

    text = revision.policy.read_text(encoding="utf-8")
    for answer in (retention, security, revision.bot.ask("Do you participate in the EU Safe Harbor framework?")):
        assert all(c.section != "EU Safe Harbor" for c in answer.citations)
        assert all(text[c.start : c.end] == c.quote for c in answer.citations)


def test_the_diff_command_reports_the_same_sections(revision: Revision) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(revision.old), str(revision.policy), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["title"] for s in data["added"]] == ["Data Retention"]
    assert [s["title"] for s in data["removed"]] == ["EU Safe Harbor"]
    assert [s["title"] for s in data["changed"]] == ["Security"]
    assert data["unchanged"] == 20 and data["moved"] == []
    edits = data["changed"][0]["edits"]
    assert [(e["op"], e["old"], e["new"]) for e in edits] == [("-", OLD_SENTENCE, ""), ("+", "", NEW_SENTENCE)]

    text = runner.invoke(cli, ["diff", str(revision.old), str(revision.policy)])
    assert text.exit_code == 0
    assert "Sections: 1 changed, 1 added, 1 removed, 20 unchanged, 0 moved" in text.output
    assert "  + “Data Retention” #data-retention, 2 sentence(s)" in text.output
    assert "  - “EU Safe Harbor” #eu-safe-harbor, 4 sentence(s)" in text.output
    assert f"      + {NEW_SENTENCE}" in text.output


def test_the_index_command_reports_sections_chunks_and_time(
    revision: Revision, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "copy"
    shutil.copytree(revision.root, root)  # the revised corpus and its index, to change once more
    monkeypatch.setenv("BOT_ROOT", str(root))
    policy = root / "corpus" / "policy.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("links and pointers", "links"), encoding="utf-8")
    runner = CliRunner()

    result = runner.invoke(cli, ["index"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Indexed 1 document(s), 22 sections, 50 chunks in ")
    assert lines[1].startswith("Chunks: ") and lines[1].endswith(" reused")
    assert lines[2] == "Examples: 0 from the example banks, 0 stale"  # this corpus has no bank
    assert lines[3] == f"Sections since {revision.second.path.name}: 0 added, 1 changed, 0 removed, 21 unchanged"
    assert lines[4].startswith("  ~ changed  corpus/policy.md#links “Links” (")

    again = runner.invoke(cli, ["index", "--json"])
    assert again.exit_code == 0, again.output
    data = json.loads(again.output)
    assert (data["embedded"], data["reused"], data["unchanged"]) == (0, 50, 22)
    assert data["changes"] == {"added": [], "changed": [], "removed": []}
    assert data["seconds"] >= 0 and Path(data["path"]).parent == root / ".index"


def test_stale_detection_flags_golden_cases_whose_phrase_or_section_left(revision: Revision) -> None:
    golden = load_cases([ROOT / "evals" / "datasets" / "golden.jsonl"])
    assert find_stale(golden, [read_policy(revision.old, "corpus/policy.md")]) == {}
    stale = find_stale(golden, revision.bot.read_corpus())
    by_id = {c.id: c for c in golden}
    assert "phrase 'reasonable steps to safeguard' occurs in none of its sections" in stale["security-safe-1"]
    assert "security-guarantee-1" not in stale  # its sentence is still there
    assert "section 'EU Safe Harbor' is not in the corpus" in stale["eu-safe-harbor-1"]
    for case_id in stale:
        assert {"Security", "EU Safe Harbor"} & set(by_id[case_id].sections), case_id


def test_the_eval_runner_lists_a_stale_case_and_runs_the_rest(revision: Revision) -> None:
    vanished = Case(
        "safe",
        "How secure is the information I share with you?",
        "answer",
        ("Security",),
        ("reasonable steps to safeguard",),
    )
    current = Case(
        "retention", "For how long is my information retained?", "answer", ("Data Retention",), ("within 90 days",)
    )
    result = run_eval(revision.bot, [vanished, current], Thresholds())
    assert [(s.case.id, s.reason) for s in result.stale] == [
        ("safe", "stale: phrase 'reasonable steps to safeguard' occurs in none of its sections")
    ]
    assert [(o.case.id, o.passed) for o in result.outcomes] == [("retention", True)]
