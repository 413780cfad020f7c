"""Follow-ups are resolved against earlier user turns; standalone questions are left alone."""

from __future__ import annotations

from bot.followup import Turn, needs_context, resolve

HISTORY = [Turn("user", "Do you use cookies?"), Turn("assistant", "From “Cookies”: “We do use cookies on the Sites.”")]


def test_pronoun_follow_up_takes_the_previous_question() -> None:
    assert resolve("how do I turn them off?", HISTORY) == "Do you use cookies? how do I turn them off?"


def test_standalone_question_is_unchanged() -> None:
    assert resolve("Do you sell my personal information to advertisers?", HISTORY).startswith("Do you sell")
    assert resolve("how do I turn them off?", []) == "how do I turn them off?"


def test_chains_of_follow_ups_resolve_to_the_first_topic() -> None:
    history = [*HISTORY, Turn("user", "and how about children?"), Turn("assistant", "...")]
    assert resolve("why?", history) == "Do you use cookies? and how about children? why?"


def test_needs_context() -> None:
    assert needs_context("what about kids?")
    assert needs_context("which address should that go to?")
    assert not needs_context("Is my 12 year old son allowed to open an account?")
