"""The example bank: validated against its policy, embedded at index time, and a vote that answers change with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import POLICY, ROOT

from bot.errors import BankError
from bot.examples import bank_path, normalise, read_bank
from bot.pipeline import PolicyBot
from bot.policy import read_policy
from bot.settings import Settings

COOKIE_SENTENCE = "We do use cookies on the Sites."


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def doc():  # type: ignore[no-untyped-def]
    return read_policy(POLICY, "corpus/infrascale-privacy-policy.md")


def test_the_shipped_bank_is_valid_and_current(doc) -> None:  # type: ignore[no-untyped-def]
    bank = read_bank(bank_path(POLICY), doc)
    assert len(bank.examples) >= 500
    assert not bank.stale, bank.stale[:5]
    answerable = [e for e in bank.examples if e.answerable]
    assert {e.section for e in answerable} == set(range(len(doc.sections)))  # every section has examples
    assert any(not e.answerable for e in bank.examples)


def test_a_quote_maps_to_its_sentence_and_a_revision_makes_an_example_stale(tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path / "p.examples.jsonl",
        [
            {"id": "ok", "question": "any biscuits involved?", "section": "Cookies", "quote": COOKIE_SENTENCE},
            {"id": "gone", "question": "what about faxes", "section": "Fax Policy"},
            {"id": "edited", "question": "cookies?", "section": "Cookies", "quote": "We never use cookies."},
            {"id": "no", "question": "what is the weather", "expect": "refuse", "reason": "not_covered"},
        ],
    )
    bank = read_bank(path, doc)
    ok = next(e for e in bank.examples if e.id == "ok")
    assert doc.sentences[ok.sentence].text.startswith(COOKIE_SENTENCE)
    assert doc.sections[ok.section].title == "Cookies"
    assert dict(bank.stale).keys() == {"gone", "edited"}
    assert [e.id for e in bank.examples if not e.answerable] == ["no"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"id": "x", "question": "q", "section": "Cookies", "colour": "red"}', "unknown field"),
        ('{"id": "x", "question": "", "section": "Cookies"}', "'question'"),
        ('{"id": "x", "question": "q", "expect": "refuse"}', "reason"),
        ('{"id": "x", "question": "q", "expect": "maybe"}', "'expect'"),
        ('{"id": "x", "question": "q", "section": "Cookies", "history": "earlier"}', "history"),
    ],
)
def test_a_malformed_line_is_an_error_naming_file_and_line(tmp_path: Path, doc, line: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.examples.jsonl"
    path.write_text('{"id": "fine", "question": "cookies?", "section": "Cookies"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(BankError, match=rf"p\.examples\.jsonl:2: .*{message}"):
        read_bank(path, doc)


def test_a_policy_without_a_bank_reads_as_empty(tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    bank = read_bank(tmp_path / "none.examples.jsonl", doc)
    assert bank.examples == () and bank.path is None


def test_normalise_folds_case_quotes_and_punctuation() -> None:
    assert normalise("Can I  opt-out?") == normalise("can i opt out")
    assert normalise("It’s “fine”") == normalise('it\'s "fine"')


def _corpus_copy(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(POLICY, corpus / POLICY.name)
    return corpus


def test_an_example_steers_the_answer_and_a_bank_edit_rebuilds_the_index(tmp_path: Path) -> None:
    """A question the text alone answers from one section is answered from the section its labelled examples name,
    once they are in the bank; editing the bank makes the index stale, and the rebuild embeds only what changed."""
    corpus = _corpus_copy(tmp_path)
    settings = Settings(root=tmp_path, corpus=[corpus], index_dir=tmp_path / "index")
    question = "whom do I tell about a grievance with the firm"
    before = PolicyBot(settings).ask(question)
    start = None if before.refused else before.citations[0].section
    target = "Dispute Resolution" if start != "Dispute Resolution" else "Contact Us"
    doc = read_policy(corpus / POLICY.name, f"corpus/{POLICY.name}")
    quote = next(s.text for s in doc.sentences if doc.sections[s.section].title == target)
    _write(
        bank_path(corpus / POLICY.name),
        [
            {"id": f"g{n}", "question": q, "section": target, "quote": quote}
            for n, q in enumerate(
                [
                    "who do i tell about a grievance with the firm",
                    "whom should I tell about a grievance with this firm",
                    "where do grievances with the firm go",
                ]
            )
        ],
    )
    bot = PolicyBot(settings)
    after = bot.ask(question)
    assert not after.refused
    assert after.citations[0].section == target
    assert bot.index.manifest["examples"] == 3
    reworded = bot.ask("who gets told about my grievance with the firm?")
    assert not reworded.refused and reworded.citations[0].section == target


def test_banks_can_be_switched_off(tmp_path: Path) -> None:
    settings = Settings(root=ROOT, index_dir=tmp_path / "index", examples=False)
    bot = PolicyBot(settings)
    bot.warm_up()
    assert bot.index.examples == ()
    assert bot.index.manifest["examples"] == 0


def test_index_names_the_examples_a_policy_revision_left_stale(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    corpus = _corpus_copy(tmp_path)
    _write(
        bank_path(corpus / POLICY.name),
        [
            {"id": "fine", "question": "biscuits on my browser?", "section": "Cookies", "quote": COOKIE_SENTENCE},
            {"id": "old-fax", "question": "can I fax my request", "section": "Fax Requests"},
        ],
    )
    env = {"BOT_ROOT": str(tmp_path), "BOT_INDEX_DIR": str(tmp_path / "ix")}
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus)], env=env)
    assert result.exit_code == 0, result.output
    assert "Examples: 1 from the example banks, 1 stale" in result.output
    assert "stale example old-fax: section 'Fax Requests' is not in" in result.output
    data = json.loads(CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--json"], env=env).output)
    assert data["examples"] == 1 and data["stale_examples"][0][0] == "old-fax"
