"""Several documents in one index: each answer cites the document it quotes, by source and title (real models)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from bot.pipeline import PolicyBot
from bot.settings import Settings

NOTICE = ROOT / "tests" / "fixtures" / "infrascale-cookie-notice.md"
NOTICE_SOURCE = "tests/fixtures/infrascale-cookie-notice.md"


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory: pytest.TempPathFactory, bot: PolicyBot) -> PolicyBot:
    """The real policy (corpus/) plus a cookie notice kept outside corpus/, in one index."""
    settings = Settings(
        root=ROOT, corpus=(Path("corpus"), Path(NOTICE_SOURCE)), index_dir=tmp_path_factory.mktemp("two")
    )
    both = PolicyBot(settings)
    both.embedder, both.reranker = bot.embedder, bot.reranker  # one copy of the models for the session
    report = both.build()
    assert report.documents == 2
    both.warm_up(rebuild=False)
    return both


def test_every_document_is_indexed_with_its_title(two_documents: PolicyBot) -> None:
    documents = two_documents.index.documents
    assert {s: d.title for s, d in documents.items()} == {
        "corpus/infrascale-privacy-policy.md": "Infrascale Privacy Policy",
        NOTICE_SOURCE: "Infrascale Cookie Notice",
    }
    assert {c.source for c in two_documents.index.chunks} == set(documents)


@pytest.mark.parametrize(
    ("question", "section", "phrase"),
    [
        ("How long does the analytics cookie last?", "Analytics Cookies", "expires 13 months after your last visit"),
        ("Do you honor Global Privacy Control signals?", "Global Privacy Control", "Global Privacy Control (GPC)"),
    ],
)
def test_a_question_only_the_second_document_answers_cites_it(
    two_documents: PolicyBot, question: str, section: str, phrase: str
) -> None:
    answer = two_documents.ask(question)
    assert not answer.refused
    first = answer.citations[0]
    assert (first.source, first.document, first.section) == (NOTICE_SOURCE, "Infrascale Cookie Notice", section)
    assert phrase in " ".join(c.quote for c in answer.citations)
    text = NOTICE.read_text(encoding="utf-8")  # read independently of the index
    for c in answer.citations:
        assert c.source == NOTICE_SOURCE
        assert text[c.start : c.end] == c.quote


def test_the_first_document_still_answers_its_own_questions(two_documents: PolicyBot) -> None:
    answer = two_documents.ask("At what age am I allowed to use your services?")
    first = answer.citations[0]
    assert (first.source, first.document) == ("corpus/infrascale-privacy-policy.md", "Infrascale Privacy Policy")
    # quotes of one section are shown in document order, so "under 13" may come before "over 18"
    assert any("over the age of 18" in c.quote for c in answer.citations if c.source == first.source)
