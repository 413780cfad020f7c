"""Qualifiers (bot.qualify): the next sentence that limits a quoted one, on the real policy and on small documents."""

from __future__ import annotations

import pytest
from conftest import POLICY

from bot.policy import Document, parse_text, read_policy
from bot.qualify import is_qualifier, qualifier_of, qualifiers_of, sentence_at, sentences_in, with_qualifiers

SOURCE = "corpus/infrascale-privacy-policy.md"


@pytest.fixture(scope="module")
def policy() -> Document:
    return read_policy(POLICY, SOURCE)


def index_of(doc: Document, opening: str) -> int:
    found = [i for i, s in enumerate(doc.sentences) if s.text.startswith(opening)]
    assert len(found) == 1, (opening, found)
    return found[0]


def small(body: str) -> Document:
    return parse_text(body, "small.md")


# -- the real policy ------------------------------------------------------------------------------
def test_the_no_selling_promise_is_qualified_by_the_trusted_third_parties_sentence(policy: Document) -> None:
    sell = index_of(policy, "We do not sell, trade, or otherwise transfer")
    q = qualifier_of(policy, sell)
    assert q == sell + 1
    assert policy.sentences[q].text.startswith("The preceding does not apply to trusted third parties")


def test_the_security_promise_is_qualified_by_despite(policy: Document) -> None:
    steps = index_of(policy, "We take reasonable steps to safeguard")
    q = qualifier_of(policy, steps)
    assert q is not None and policy.sentences[q].text.startswith("Despite these precautions")


def test_notwithstanding_the_foregoing_qualifies_its_predecessor(policy: Document) -> None:
    notwithstanding = index_of(policy, "Notwithstanding the foregoing, we may disclose")
    assert qualifier_of(policy, notwithstanding - 1) == notwithstanding


def test_plain_sentences_have_no_qualifier(policy: Document) -> None:
    for opening in ("We do use cookies on the Sites.", "You can disable cookies", "Protecting the privacy of children"):
        assert qualifier_of(policy, index_of(policy, opening)) is None
    assert qualifier_of(policy, len(policy.sentences) - 1) is None
    with pytest.raises(IndexError):
        qualifier_of(policy, len(policy.sentences))


def test_the_real_policy_has_few_qualified_sentences(policy: Document) -> None:
    pairs = [(i, q) for i in range(len(policy.sentences)) if (q := qualifier_of(policy, i)) is not None]
    openings = [policy.sentences[q].text.split(",")[0] for _, q in pairs]
    assert openings == [
        "The preceding does not apply to trusted third parties who assist us in operating our Site",
        "Notwithstanding the foregoing",
        "Notwithstanding the foregoing",
        "Despite these precautions",
    ]


def test_with_qualifiers_adds_them_in_document_order_without_duplicates(policy: Document) -> None:
    sell = index_of(policy, "We do not sell, trade")
    steps = index_of(policy, "We take reasonable steps")
    cookies = index_of(policy, "We do use cookies")
    assert with_qualifiers(policy, [steps, sell, cookies, sell + 1, sell]) == [
        sell,
        sell + 1,
        cookies,
        steps,
        steps + 1,
    ]
    assert with_qualifiers(policy, []) == []


def test_sentence_at_maps_a_citation_back(policy: Document) -> None:
    i = index_of(policy, "Despite these precautions")
    s = policy.sentences[i]
    assert sentence_at(policy, s.start, s.end) == i
    assert sentence_at(policy, s.start + 8, s.start + 20) == i  # a span inside the sentence
    assert sentence_at(policy, s.start, policy.sentences[i + 1].end) is None  # spans two sentences
    assert sentences_in(policy, s.start - 3, s.end) == [i - 1, i]


# -- small documents ------------------------------------------------------------------------------
def test_a_qualifier_never_crosses_a_section_boundary() -> None:
    doc = small("## Sharing\n\nWe never share your data.\n\n## Partners\n\nHowever, partners may see your data.\n")
    assert is_qualifier(doc.sentences[1].text)
    assert qualifier_of(doc, 0) is None


def test_an_ordinary_successor_is_not_a_qualifier() -> None:
    doc = small(
        "## Tracking\n\nWe use pixel tags. These tags help us measure visits. "
        "Unless you sign in, we cannot tell who you are. However you reach the site, this notice applies.\n"
    )
    assert [qualifier_of(doc, i) for i in range(len(doc.sentences))] == [None, None, None, None]


@pytest.mark.parametrize(
    "follower",
    [
        "However, our auditors may read them.",
        "We may, nevertheless, keep a copy.",
        "This does not apply to data you publish yourself.",
        "These safeguards may not stop every attack.",
        "The above is subject to the law of your country.",
        "That said, some pages need them.",
        "But we may keep backups for a month.",
        "Provided that you agreed to it first.",
        "Except where a court orders otherwise.",
        "**Nonetheless**, no system is perfectly secure.",
        "(b) Notwithstanding the above, we may share them.",
    ],
)
def test_generic_markers_qualify_the_sentence_before(follower: str) -> None:
    doc = small(f"## Records\n\nWe delete your records after a year. {follower}\n")
    assert len(doc.sentences) == 2
    assert qualifier_of(doc, 0) == 1


def test_a_chain_of_qualifiers_is_followed_two_steps_then_cut() -> None:
    doc = small(
        "## Storage\n\nWe keep logs for a week. However, errors are kept for a month. "
        "This does not apply to security incidents. Nevertheless, incidents are purged in a year. "
        "Backups are encrypted.\n"
    )
    # 1 qualifies 0, 2 qualifies 1; the third qualifier in a row (3) is not attached, so any chain fits an answer
    assert [qualifier_of(doc, i) for i in range(5)] == [1, 2, None, None, None]
    assert qualifiers_of(doc, 0) == [1, 2]
    assert qualifiers_of(doc, 1) == [2]
    assert with_qualifiers(doc, [0]) == [0, 1, 2]
    assert with_qualifiers(doc, [3, 0]) == [0, 1, 2, 3]
