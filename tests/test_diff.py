"""Section-level diffs between two revisions of a policy: matching, sentence edits, word diffs, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import POLICY

from bot.cli import cli
from bot.diff import SentenceEdit, diff_documents, diff_to_dict, format_text, sentence_edits, word_diff
from bot.policy import Document, parse_text, read_policy

OLD = """---
title: Example Policy
revised: 2024-01-01
---

# Example Policy

This policy explains what we do with your data.

## Cookies

We use cookies to remember you.  You can turn cookies off in your browser.

## Security

We protect your data with reasonable measures.  No system is perfectly secure.

## Children’s Privacy

We do not knowingly collect data from children under 13.

## Contact

Write to privacy@example.com with any question.
"""


def _doc(text: str, source: str = "policy.md") -> Document:
    return parse_text(text, source)


def test_identical_revisions_have_no_differences() -> None:
    diff = diff_documents(_doc(OLD), _doc(OLD, "copy.md"))
    assert diff.identical
    assert len(diff.with_status("unchanged")) == 5
    assert format_text(diff).endswith("No differences.")


def test_reordered_sections_are_unchanged_but_moved() -> None:
    security = OLD[OLD.index("## Security") : OLD.index("## Children")]
    moved = OLD.replace(security, "").replace("## Contact", security + "## Contact")
    diff = diff_documents(_doc(OLD), _doc(moved))
    assert not diff.with_status("changed") and not diff.with_status("added") and not diff.with_status("removed")
    assert [s.title for s in diff.moved] == ["Security"]
    assert "> “Security” #security" in format_text(diff)


def test_titles_match_across_typographic_quotes_and_case() -> None:
    new = OLD.replace("## Children’s Privacy", "## children's privacy")
    diff = diff_documents(_doc(OLD), _doc(new))
    (changed,) = diff.with_status("changed")
    assert changed.renamed and changed.old is not None and changed.old.title == "Children’s Privacy"
    assert changed.edits == ()  # only the heading changed
    assert "(heading or whitespace only)" in format_text(diff)


def test_a_renamed_section_with_the_same_text_is_matched_by_its_text() -> None:
    new = OLD.replace("## Security", "## How We Protect Your Data")
    diff = diff_documents(_doc(OLD), _doc(new))
    assert not diff.with_status("added") and not diff.with_status("removed")
    (changed,) = diff.with_status("changed")
    assert (changed.title, changed.anchor) == ("How We Protect Your Data", "how-we-protect-your-data")
    assert "(renamed from “Security”)" in format_text(diff)


def test_added_removed_and_reworded_sections() -> None:
    new = (
        OLD.replace("revised: 2024-01-01", "revised: 2025-06-01")
        .replace("We protect your data with reasonable measures.", "We protect your data with strong encryption.")
        .replace("No system is perfectly secure.", "No system is perfectly secure.  We test our defences every year.")
        .replace("## Contact", "## Data Retention\n\nWe delete your data 90 days after you leave.\n\n## Contact")
    )
    new = new[: new.index("## Children")] + new[new.index("## Data Retention") :]
    diff = diff_documents(_doc(OLD), _doc(new))
    assert [s.title for s in diff.with_status("added")] == ["Data Retention"]
    assert [s.title for s in diff.with_status("removed")] == ["Children’s Privacy"]
    (security,) = diff.with_status("changed")
    assert security.edits == (
        SentenceEdit(
            "~", "We protect your data with reasonable measures.", "We protect your data with strong encryption."
        ),
        SentenceEdit("+", new="We test our defences every year."),
    )
    assert diff.metadata == {"revised": ("2024-01-01", "2025-06-01")}
    text = format_text(diff)
    assert "Sections: 1 changed, 1 added, 1 removed, 3 unchanged, 0 moved" in text
    assert "      ~ We protect your data with [-reasonable measures.-] {+strong encryption.+}" in text
    assert "      + We test our defences every year." in text
    assert "  revised: '2024-01-01' -> '2025-06-01'" in text
    data = diff_to_dict(diff)
    assert data["removed"] == [{"title": "Children’s Privacy", "anchor": "childrens-privacy", "sentences": 1}]
    assert data["changed"][0]["edits"][0]["op"] == "~"
    assert json.loads(json.dumps(data)) == data


def test_word_diff_and_sentence_edits() -> None:
    assert word_diff("we keep logs for 30 days", "we keep logs for 90 days") == "we keep logs for [-30-] {+90+} days"
    assert word_diff("a  b\u00a0c", "a b c") == "a b c"  # whitespace runs are not changes
    assert sentence_edits(["Same.", "Gone entirely here."], ["Same.", "Something quite different."]) == [
        SentenceEdit("-", old="Gone entirely here."),
        SentenceEdit("+", new="Something quite different."),
    ]
    assert sentence_edits(["One  two."], ["One two."]) == []


def test_sections_sharing_a_title_pair_up_in_order() -> None:
    old = "## Notes\n\nFirst note.\n\n## Notes\n\nSecond note.\n"
    new = "## Notes\n\nFirst note.\n\n## Notes\n\nSecond note, edited.\n"
    diff = diff_documents(_doc(old), _doc(new))
    assert [(s.status, s.anchor) for s in diff.sections] == [("unchanged", "notes"), ("changed", "notes-1")]


def test_the_real_policy_against_itself() -> None:
    doc = read_policy(POLICY, "corpus/infrascale-privacy-policy.md")
    assert diff_documents(doc, doc).identical


def test_the_cli_reads_two_files_and_reports_errors(tmp_path: Path) -> None:
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(OLD.replace("## Contact", "## Contact Us"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"--- {old} (Example Policy)\n+++ {new} (Example Policy)\n")
    assert "(renamed from “Contact”)" in result.output

    missing = runner.invoke(cli, ["diff", str(old), str(tmp_path / "nope.md")])
    assert missing.exit_code == 1 and "cannot read policy file" in missing.output

    assert "Example:" in runner.invoke(cli, ["diff", "-h"]).output
