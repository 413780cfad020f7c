"""A question that names the owner as people write it (mistyped, split, its old domain) is not refused as if it
named a stranger; one that names a real stranger still is."""

from __future__ import annotations

import pytest

from bot.guard import other_organisation, unmentioned

POLICY = (
    "Privacy Policy of Harborline Systems, Inc.\n\nThe sites harborline.io and getquillnotes.net (the Sites) are owned "
    "by Harborline Systems, Inc. We use cookies to remember your settings. We never rent your email address."
)
NAME_WORDS = frozenset({"harborline", "systems,", "inc."})
TITLE_WORDS = frozenset({"privacy", "policy", "of", "harborline", "systems"})


@pytest.mark.parametrize(
    "question",
    [
        "Does Harbor Line rent out my email?",  # the owner's name split in two
        "does Harbour Line keep my settings in cookies?",  # split and mistyped
        "Is my email safe with Quill Notes?",  # a brand the policy writes inside one word, its domain
    ],
)
def test_the_owner_or_its_domain_in_other_words_is_not_a_stranger(question: str) -> None:
    assert unmentioned(question, POLICY, owners=NAME_WORDS) == []


@pytest.mark.parametrize(
    ("question", "stranger"),
    [
        ("Does Northwind Notes rent out my email?", "Northwind Notes"),
        ("Does Harbor Freight keep my settings?", "Harbor Freight"),
    ],
)
def test_a_name_the_policy_never_writes_is_still_unmentioned(question: str, stranger: str) -> None:
    assert unmentioned(question, POLICY, owners=NAME_WORDS) == [stranger]


def test_the_owners_policy_mistyped_is_not_another_organisations() -> None:
    question = "Under Harbourline's privacy policy, which cookies remember my settings?"
    assert other_organisation(question, TITLE_WORDS, NAME_WORDS) is None


def test_another_organisations_policy_is_still_named() -> None:
    question = "Under Zentravel's privacy policy, which cookies remember my settings?"
    assert other_organisation(question, TITLE_WORDS, NAME_WORDS) == "Zentravel"
