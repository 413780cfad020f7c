"""Two companies in one corpus: every answer stays inside one owner's documents (real models, real index).

The second company is fictional (tests/fixtures/brightwater-privacy-notice.md): its own sections, its own
address in a section not called "Contact". Questions are fresh wording, not eval questions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from bot.cli import cli
from bot.errors import UnknownDocumentError
from bot.pipeline import PolicyBot
from bot.settings import Settings

INFRASCALE = "corpus/infrascale-privacy-policy.md"
BRIGHTWATER = "tests/fixtures/brightwater-privacy-notice.md"


@pytest.fixture(scope="module")
def two_owners(tmp_path_factory: pytest.TempPathFactory, bot: PolicyBot) -> PolicyBot:
    settings = Settings(
        root=ROOT, corpus=(Path(INFRASCALE), Path(BRIGHTWATER)), index_dir=tmp_path_factory.mktemp("two")
    )
    both = PolicyBot(settings)
    both.embedder, both.reranker = bot.embedder, bot.reranker  # one copy of the models for the session
    both.build()
    both.warm_up(rebuild=False)
    return both


def _sources(answer) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.source for c in answer.citations} | ({answer.contact.source} if answer.contact else set())


def test_each_document_has_its_owner_and_its_own_address(two_owners: PolicyBot) -> None:
    owners = {o.name: o for o in two_owners.owners.owners}
    assert set(owners) == {"Infrascale", "Brightwater"}
    assert owners["Brightwater"].sources == (BRIGHTWATER,)
    assert "14 Harbour Quay" in owners["Brightwater"].contact.quote  # type: ignore[union-attr]
    assert owners["Brightwater"].contact.section == "Reaching Us"  # type: ignore[union-attr]
    assert owners["Infrascale"].contact.section == "Contact Us"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "owner", "section"),
    [
        ("How long are the app's crash logs retained?", "Brightwater", "Keeping Data"),
        ("Is there a minimum age for opening a Brightwater account?", "Brightwater", "Young People"),
        ("Does Infrascale put cookies on my computer?", "Infrascale", "Cookies"),
        ("If there is a legal fight, which county's courts hear it?", "Infrascale", "Dispute Resolution"),
    ],
)
def test_unscoped_questions_are_answered_by_the_owner_that_answers_them(
    two_owners: PolicyBot, question: str, owner: str, section: str
) -> None:
    answer = two_owners.ask(question)
    assert not answer.refused
    assert answer.owner == owner
    assert answer.citations[0].section == section
    assert _sources(answer) <= set(two_owners.owners.of_document(answer.citations[0].source).sources)


@pytest.mark.parametrize(
    "question",
    [
        "do you sell personal data?",
        "where can I write to you?",
        "how do I get my data deleted?",
        "what do you collect about me?",
        "is my information kept safe?",
    ],
)
@pytest.mark.parametrize("document", [INFRASCALE, BRIGHTWATER])
def test_a_scoped_question_quotes_only_its_document(two_owners: PolicyBot, question: str, document: str) -> None:
    answer = two_owners.ask(question, document=document)
    assert _sources(answer) <= {document}
    expected = two_owners.owners.of_document(document)
    assert answer.owner == expected.name
    if answer.refused:
        assert answer.contact == expected.contact


def test_a_refusal_points_to_the_address_of_the_owner_asked_about(two_owners: PolicyBot) -> None:
    answer = two_owners.ask("Could you suggest a good recipe for banana bread?", document=BRIGHTWATER)
    assert answer.refused
    assert "14 Harbour Quay" in answer.answer
    assert "Infrascale" not in answer.answer


def test_another_owner_named_inside_a_scoped_question_is_refused(two_owners: PolicyBot) -> None:
    answer = two_owners.ask("What does Infrascale's policy say about cookies?", document=BRIGHTWATER)
    assert answer.refused
    assert _sources(answer) <= {BRIGHTWATER}


def test_no_answer_ever_mixes_two_owners(two_owners: PolicyBot) -> None:
    questions = [
        "who do you share my details with?",
        "can kids use this?",
        "how long do you hold on to my account data?",
        "do you use my stuff to train AI?",
        "what happens if the company is sold?",
        "can I get a copy of my information?",
    ]
    for q in questions:
        answer = two_owners.ask(q)
        owners = {two_owners.owners.of_document(s).name for s in _sources(answer)}
        assert len(owners) <= 1, (q, owners)


def test_an_unknown_document_names_the_known_ones(two_owners: PolicyBot) -> None:
    with pytest.raises(UnknownDocumentError) as err:
        two_owners.ask("do you sell my data?", document="corpus/nope.md")
    assert INFRASCALE in str(err.value) and BRIGHTWATER in str(err.value)


def test_cli_scopes_to_a_document_and_rejects_an_unknown_one(two_owners: PolicyBot) -> None:
    index = str(two_owners.settings.index_dir)
    args = ["ask", "--corpus", INFRASCALE, "--corpus", BRIGHTWATER, "--json"]
    env = {"BOT_INDEX_DIR": index, "BOT_ROOT": str(ROOT)}
    ok = CliRunner().invoke(cli, [*args, "--document", BRIGHTWATER, "how long are crash reports kept?"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "twelve months" in ok.output and "corpus/infrascale" not in ok.output
    bad = CliRunner().invoke(cli, [*args, "--document", "elsewhere.md", "how long are crash reports kept?"], env=env)
    assert bad.exit_code == 2
    assert "known documents" in bad.output and BRIGHTWATER in bad.output
