"""Misspelling tolerance with symspellpy's real packaged English dictionary (no mocks)."""

from __future__ import annotations

import threading

import pytest

from bot.lifecycle import prepare
from bot.spelling import Speller

POLICY_TEXT = "Disputes go to binding arbitration in the county. Infrascale places cookies on your devices."


@pytest.fixture(scope="module")
def speller() -> Speller:
    ready = Speller([POLICY_TEXT])
    ready.warm_up()
    return ready


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("where can i chnage my pasword", "where can i change my password"),
        ("who recieves my informaton", "who receives my information"),
        ("what's teh retention period for my personel data", "what's the retention period for my personal data"),
    ],
)
def test_common_typos_are_fixed(speller: Speller, question: str, expected: str) -> None:
    assert speller.correct(question) == expected


def test_policy_words_are_known_and_preferred(speller: Speller) -> None:
    assert speller.correct("is bunding arbitraton required") == "is binding arbitration required"
    assert speller.correct("does Infrascle use cookins") == "does Infrascale use cookies"
    general = Speller()  # without the policy, the same typos go to ordinary English words
    general.warm_up()
    assert general.correct("bunding Infrascle") == "funding Infrascle"


def test_chat_shorthand_is_expanded(speller: Speller) -> None:
    assert speller.correct("can u delete ur records pls") == "can you delete your records please"
    assert speller.correct("U share my data b4 asking, y?") == "You share my data before asking, why?"
    assert speller.correct("I dont think so, thx") == "I don't think so, thanks"


def test_acronyms_emails_urls_and_numbers_are_untouched(speller: Speller) -> None:
    question = (
        "Does GDPR or COPPA apply? Write to privacy.team@example.org by 31/12/2024, "
        "call 555-0100 or see https://example.org/privacy?lang=en and www.example.org for my 3rd acct2."
    )
    assert speller.correct(question) == question


def test_correct_words_are_never_swapped_for_commoner_ones(speller: Speller) -> None:
    question = "Fill in the form from the site; is a cookie or beacon placed on my device?"
    assert speller.correct(question) == question
    assert not speller.changed(question)


def test_punctuation_spacing_and_case_are_kept(speller: Speller) -> None:
    assert speller.correct("  Who  SEES my   adress?!\n") == "  Who  SEES my   address?!\n"
    assert speller.correct("Acount settings (privcy)...") == "Account settings (privacy)..."
    assert speller.correct("INFORMATON REQUEST") == "INFORMATION REQUEST"


def test_short_mixed_case_and_foreign_words_are_left_alone(speller: Speller) -> None:
    question = "is it ot on my iPhone at the café"
    assert speller.correct(question) == question


def test_empty_and_blank_text(speller: Speller) -> None:
    assert speller.correct("") == ""
    assert speller.correct(" \t\n") == " \t\n"
    assert not speller.changed("")


def test_changed_reports_a_correction(speller: Speller) -> None:
    assert speller.changed("how do I opt out of tracking cookeis")
    assert not speller.changed("how do I opt out of tracking cookies")


def test_correct_before_warm_up_loads_lazily_once_across_threads() -> None:
    cold = Speller(["Arbitration is binding."])
    assert not cold.ready
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(cold.correct("arbitraton plz"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cold.ready
    assert results == ["arbitration please"] * 6


def test_words_helper_and_bad_config() -> None:
    assert Speller.words(["Opt-out of E-mail, 2 times!"]) == {"opt", "out", "of", "e", "mail", "times"}
    with pytest.raises(ValueError, match="max_edit"):
        Speller(max_edit=3)


def test_a_misspelled_owner_name_reads_as_the_spelled_one(speller: Speller) -> None:
    names = ["Infrascale"]
    spelled = prepare("Does Infrascale place cookies on my laptop?", names, speller)
    assert spelled == "Does the Company place cookies on my laptop?"
    assert prepare("Does Infrascael place cookies on my laptop?", names, speller) == spelled
    assert prepare("Does Infrascaele place cookies on my laptop?", [], speller).startswith("Does Infrascale")
