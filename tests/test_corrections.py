"""Agents' corrections on a real SQLite file (and PostgreSQL): checked against the policy, redacted, reviewed,
exported to a copy of the example bank once, through the store and through the CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.corrections import bank_line, export_corrections
from bot.errors import InvalidCorrectionError, UnknownCorrectionError
from bot.examples import bank_path, read_bank
from bot.policy import Document, read_policy
from bot.serve.console.views import correction_rows, section_choices, sentence_choices
from bot.serve.store import Store

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "corpus/infrascale-privacy-policy.md"
CONSENT = "Consent"
UNSUBSCRIBE = (
    "Each User is deemed to consent to receiving periodic email, text and other electronic or digital messages from "
    "the Company, unless the User has expressed a desire to unsubscribe and not receive such messages."
)
COOKIES_OFF = "You can disable cookies using your Internet browser settings."


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the corpus (policy and bank): tests write to the copy, never to corpus/."""
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    return tmp_path


@pytest.fixture
def doc(root: Path) -> Document:
    return read_policy(root / SOURCE, SOURCE)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "var" / "policybot.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{db}")
    yield s
    s.close()


def _bank(root: Path) -> Path:
    return bank_path(root / SOURCE)


def test_a_correction_is_stored_pending_and_redacted(store: Store, doc: Document, db: Path) -> None:
    cid = store.add_correction(
        doc,
        "  I'm ann@example.com, can I stop getting your promo emails?  ",
        "Access",
        CONSENT,
        UNSUBSCRIBE,
        history=[("user", "my number is +44 20 7946 0958"), ("assistant", "From “Access”: …")],
        note="she wrote from 10.0.0.7",
    )
    c = store.correction(cid)
    assert c.question == "I'm [email], can I stop getting your promo emails?"
    assert c.history == (("user", "my number is [phone]"), ("assistant", "From “Access”: …"))
    assert c.note == "she wrote from [ip]"
    assert (c.source, c.answered, c.kind, c.section, c.quote) == (SOURCE, "Access", "answer", CONSENT, UNSUBSCRIBE)
    assert (c.status, c.reviewed_at, c.exported_at) == ("pending", None, None)
    with sqlite3.connect(db) as conn:
        raw = conn.execute("SELECT question, history, note FROM corrections").fetchone()
    assert "example.com" not in str(raw) and "7946" not in str(raw) and "10.0.0.7" not in str(raw)


def test_not_covered_needs_no_section(store: Store, doc: Document) -> None:
    cid = store.add_correction(doc, "do you have a bug bounty?", "Security", not_covered=True)
    c = store.correction(cid)
    assert (c.kind, c.section, c.quote, c.note) == ("not_covered", None, None, None)
    assert bank_line(c) == {
        "id": f"corr-{cid}",
        "question": "do you have a bug bounty?",
        "expect": "refuse",
        "reason": "not_covered",
        "origin": f"correction:{cid}",
    }


@pytest.mark.parametrize(
    ("section", "quote", "not_covered", "message"),
    [
        ("Refunds", COOKIES_OFF, False, "section 'Refunds' is not in corpus/infrascale-privacy-policy.md"),
        ("Cookies", "You can switch cookies off in your browser.", False, "not verbatim in section 'Cookies'"),
        (CONSENT, COOKIES_OFF, False, "not verbatim in section 'Consent'"),
        ("Cookies", "You can disable cookies", False, "not one whole sentence"),
        ("Cookies", None, False, "choose the sentence"),
        (None, None, False, "choose the section"),
        ("Cookies", COOKIES_OFF, True, "either a section and its sentence, or 'not covered'"),
    ],
)
def test_bad_corrections_raise_and_store_nothing(
    store: Store, doc: Document, section: str | None, quote: str | None, not_covered: bool, message: str
) -> None:
    with pytest.raises(InvalidCorrectionError, match=message):
        store.add_correction(doc, "how do I turn cookies off?", None, section, quote, not_covered=not_covered)
    with pytest.raises(InvalidCorrectionError, match="empty"):
        store.add_correction(doc, "   ", None, "Cookies", COOKIES_OFF)
    assert store.corrections() == []


def test_review_and_list_by_status(store: Store, doc: Document) -> None:
    a = store.add_correction(doc, "q one", "Access", CONSENT, UNSUBSCRIBE)
    b = store.add_correction(doc, "q two", None, "Cookies", COOKIES_OFF)
    c = store.add_correction(doc, "q three", "Cookies", not_covered=True)
    assert store.review_correction(a, approve=True).status == "approved"
    rejected = store.review_correction(b, approve=False)
    assert rejected.status == "rejected" and rejected.reviewed_at is not None
    assert [x.id for x in store.corrections("pending")] == [c]
    assert [x.id for x in store.corrections("approved")] == [a]
    assert [x.id for x in store.corrections("rejected")] == [b]
    assert [x.id for x in store.corrections()] == [a, b, c]
    assert store.corrections("exported") == []
    assert [x.id for x in store.corrections_to_export()] == [a]
    with pytest.raises(UnknownCorrectionError, match="no correction with id 999"):
        store.review_correction(999, approve=True)
    with pytest.raises(UnknownCorrectionError):
        store.correction(999)
    with pytest.raises(ValueError, match="status"):
        store.corrections("done")
    # only approved, unexported corrections can be marked exported, and then all or none
    with pytest.raises(InvalidCorrectionError, match="1 of 2"):
        store.mark_exported([a, c])
    assert store.corrections("exported") == []


def test_export_writes_approved_corrections_once(store: Store, doc: Document, root: Path) -> None:
    before = _bank(root).read_bytes()
    answer = store.add_correction(doc, "can I stop getting your promo emails?", "Access", CONSENT, UNSUBSCRIBE)
    refuse = store.add_correction(doc, "do you have a bug bounty for ann@example.com?", None, not_covered=True)
    rejected = store.add_correction(doc, "rejected one", None, "Cookies", COOKIES_OFF)
    pending = store.add_correction(doc, "pending one", None, "Cookies", COOKIES_OFF)
    store.review_correction(answer, approve=True)
    store.review_correction(refuse, approve=True)
    store.review_correction(rejected, approve=False)

    report = export_corrections(store, root)
    assert [w.correction for w in report.written] == [answer, refuse]
    assert report.skipped == () and report.already == ()
    after = _bank(root).read_bytes()
    assert after.startswith(before)
    added = [json.loads(line) for line in after[len(before) :].decode().splitlines()]
    assert added == [
        {
            "id": f"corr-{answer}",
            "question": "can I stop getting your promo emails?",
            "section": CONSENT,
            "quote": UNSUBSCRIBE,
            "origin": f"correction:{answer}",
        },
        {
            "id": f"corr-{refuse}",
            "question": "do you have a bug bounty for [email]?",
            "expect": "refuse",
            "reason": "not_covered",
            "origin": f"correction:{refuse}",
        },
    ]
    bank = read_bank(_bank(root), doc)
    mine = {e.id: e for e in bank.examples if e.origin.startswith("correction:")}
    assert set(mine) == {f"corr-{answer}", f"corr-{refuse}"}
    assert doc.sections[mine[f"corr-{answer}"].section].title == CONSENT
    assert doc.sentences[mine[f"corr-{answer}"].sentence].text == UNSUBSCRIBE
    assert not mine[f"corr-{refuse}"].answerable
    assert [c.id for c in store.corrections("exported")] == [answer, refuse]
    assert all(c.exported_at for c in store.corrections("exported"))
    assert {c.id for c in store.corrections()} - {c.id for c in store.corrections("exported")} == {rejected, pending}

    again = export_corrections(store, root)
    assert again.written == again.already == again.skipped == ()
    assert _bank(root).read_bytes() == after
    with pytest.raises(InvalidCorrectionError, match="exported"):
        store.review_correction(answer, approve=False)


def test_export_skips_a_correction_the_policy_no_longer_supports(store: Store, doc: Document, root: Path) -> None:
    cid = store.add_correction(doc, "how do I turn cookies off?", None, "Cookies", COOKIES_OFF)
    store.review_correction(cid, approve=True)
    policy = root / SOURCE
    policy.write_text(policy.read_text(encoding="utf-8").replace(COOKIES_OFF, "Cookies can be switched off."))
    before = _bank(root).read_bytes()
    report = export_corrections(store, root)
    assert report.written == () and [s.correction for s in report.skipped] == [cid]
    assert "not verbatim in section 'Cookies'" in report.skipped[0].why
    assert _bank(root).read_bytes() == before
    assert [c.id for c in store.corrections_to_export()] == [cid]  # still waiting: nothing lost


def test_export_finishes_an_export_cut_short_and_refuses_an_id_clash(store: Store, doc: Document, root: Path) -> None:
    first = store.add_correction(doc, "how do I turn cookies off?", None, "Cookies", COOKIES_OFF)
    second = store.add_correction(doc, "can I stop getting your promo emails?", "Access", CONSENT, UNSUBSCRIBE)
    for cid in (first, second):
        store.review_correction(cid, approve=True)
    bank = _bank(root)
    text = bank.read_text(encoding="utf-8").rstrip("\n")  # no final line break: export must add one
    written = json.dumps(bank_line(store.correction(first)), ensure_ascii=False)
    clash = json.dumps({"id": f"corr-{second}", "question": "another", "section": "Cookies", "origin": "bank-a"})
    bank.write_text(f"{text}\n{written}\n{clash}", encoding="utf-8")
    report = export_corrections(store, root)
    assert report.already == (first,) and report.written == ()
    assert [s.correction for s in report.skipped] == [second] and "already has another example" in report.skipped[0].why
    assert bank.read_text(encoding="utf-8") == f"{text}\n{written}\n{clash}"
    assert [c.id for c in store.corrections("exported")] == [first]


def test_console_choices_are_verbatim_sentences(doc: Document) -> None:
    documents = {doc.source: doc}
    choices = dict(section_choices(documents))
    assert choices[CONSENT] == f"{SOURCE}#{next(s.index for s in doc.sections if s.title == CONSENT)}"
    sentences = sentence_choices(documents, choices[CONSENT])
    assert UNSUBSCRIBE in [text for text, _ in sentences]
    assert all(doc.sentences[i].text == text for text, i in sentences)
    assert sentence_choices(documents, "corpus/other.md#1") == [] and sentence_choices(documents, None) == []


def test_review_rows(store: Store, doc: Document) -> None:
    cid = store.add_correction(doc, "q", None, not_covered=True, note="n")
    (row,) = correction_rows(store.corrections("pending"))
    assert row[0] == str(cid) and row[2:7] == ["q", "(refused)", "The policy does not say", "", "n"]


# -- PostgreSQL --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    from pg_support import throwaway_postgres

    with throwaway_postgres() as url:
        yield url


def test_corrections_on_postgresql(postgres_url: str, doc: Document, root: Path) -> None:
    store = Store(postgres_url)
    try:
        cid = store.add_correction(
            doc, "mail me at bob@example.com", "Access", CONSENT, UNSUBSCRIBE, history=[("user", "hi")]
        )
        assert store.correction(cid).history == (("user", "hi"),)
        assert store.correction(cid).question == "mail me at [email]"
        store.review_correction(cid, approve=True)
        assert [w.correction for w in export_corrections(store, root).written] == [cid]
        assert export_corrections(store, root).written == ()
    finally:
        store.close()


# -- CLI ---------------------------------------------------------------------------------------------
@pytest.fixture
def env(root: Path, db: Path) -> dict[str, str]:
    return {"BOT_ROOT": str(root), "BOT_DATABASE_URL": f"sqlite:///{db}", "HF_HUB_OFFLINE": "1"}


def test_cli_list_review_export(env: dict[str, str], store: Store, doc: Document, root: Path) -> None:
    run = CliRunner().invoke
    assert run(cli, ["examples", "list"], env=env).output == "No corrections.\n"
    cid = store.add_correction(doc, "can I stop getting your promo emails?", "Access", CONSENT, UNSUBSCRIBE)
    other = store.add_correction(doc, "do you have a bug bounty?", None, not_covered=True, note="not in it")

    listed = run(cli, ["examples", "list", "--status", "pending"], env=env)
    assert listed.exit_code == 0, listed.output
    assert f"#{cid} [pending]" in listed.output and "bot answered from: Access" in listed.output
    assert f"correction: “{CONSENT}”: “{UNSUBSCRIBE}”" in listed.output
    assert "correction: the policy does not say" in listed.output and "note: not in it" in listed.output
    as_json = json.loads(run(cli, ["examples", "list", "--json"], env=env).output)
    assert [c["id"] for c in as_json] == [cid, other] and as_json[0]["status"] == "pending"

    assert run(cli, ["examples", "review", str(cid)], env=env).exit_code == 2  # no verdict
    missing = run(cli, ["examples", "review", "999", "--approve"], env=env)
    assert missing.exit_code == 1 and "no correction with id 999" in missing.output
    approved = run(cli, ["examples", "review", str(cid), "--approve"], env=env)
    assert approved.exit_code == 0 and approved.output == f"Correction #{cid} approved.\n"
    assert run(cli, ["examples", "review", str(other), "--reject"], env=env).exit_code == 0

    before = _bank(root).read_text(encoding="utf-8")
    exported = run(cli, ["examples", "export", "--json"], env=env)
    assert exported.exit_code == 0, exported.output
    report = json.loads(exported.output)
    assert [w["line"]["id"] for w in report["written"]] == [f"corr-{cid}"] and report["skipped"] == []
    assert report["written"][0]["bank"] == str(_bank(root))
    assert _bank(root).read_text(encoding="utf-8") == before + json.dumps(report["written"][0]["line"]) + "\n"

    again = run(cli, ["examples", "export"], env=env)
    assert again.exit_code == 0 and "Exported 0 correction(s); 0 skipped." in again.output
    listed = json.loads(run(cli, ["examples", "list", "--status", "exported", "--json"], env=env).output)
    assert [c["id"] for c in listed] == [cid] and listed[0]["exported_at"]


def test_cli_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["examples", "export", "--help"])
    assert result.exit_code == 0 and "python -m bot examples export && python -m bot index" in result.output
