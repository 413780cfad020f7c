"""Query expansion spells out privacy acronyms and maps generic lay words to policy words (bot/data/vocabulary.json).

Every question here is fresh wording, not an eval question (tests/test_no_eval_leak.py).
"""

from __future__ import annotations

import json
import re

import pytest

from bot.expand import (
    ACRONYMS,
    CONTACT_TERMS,
    LAWS,
    VOCABULARY_PATH,
    _lay_terms,
    expand,
    neutral,
    owner_names,
    spell_out,
    title_words,
    vocabulary,
)


def test_the_vocabulary_is_data_read_once() -> None:
    assert vocabulary() is vocabulary()
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    assert len(vocabulary().lay) == len(data["lay"]) > 0
    for entry in data["lay"]:
        assert set(entry) <= {"pattern", "terms", "unless", "note"}
        assert entry["terms"].strip() and entry["note"].strip()  # every entry says why it is generic
        re.compile(entry["pattern"])
        re.compile(entry.get("unless") or "")
    assert {k.lower(): v for k, v in data["acronyms"].items()} == ACRONYMS
    assert vocabulary().practices == tuple(p.lower() for p in data["practices"])


def test_acronyms_are_spelled_out() -> None:
    assert spell_out("does the sign-up form follow COPPA?") == (
        "does the sign-up form follow COPPA? (COPPA: Children's Online Privacy Protection Act)"
    )
    both = spell_out("any difference for me under ccpa vs Gdpr")
    assert both.endswith("(CCPA: California Consumer Privacy Act; GDPR: General Data Protection Regulation (EU))")
    assert spell_out("what counts as PII here") == "what counts as PII here (PII: personally identifiable information)"
    assert spell_out("is my zip code kept?") == "is my zip code kept?"  # "ip" only as a word
    assert spell_out("which cookies are set on login") == "which cookies are set on login"


def test_laws_are_the_acronyms_that_name_laws() -> None:
    assert {"coppa", "gdpr", "hipaa", "ccpa"} <= LAWS <= set(ACRONYMS)
    assert not {"dnt", "pii", "ip", "2fa"} & LAWS


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("my teenager wants an account, is that ok", "children age"),
        ("is there an age limit for a 15-year-old", "children age"),
        ("what if I want to take legal action against the firm", "litigation claim arbitration dispute"),
        ("would the police get my records if they asked", "law enforcement legal process subpoena court order"),
        ("what happens to my files if a hacker gets in", "security unauthorized access"),
        ("can I wipe everything you hold on me", "delete remove withdraw consent"),
        ("I keep getting promo emails from you", "email messages unsubscribe"),
        ("do you ever revise this document", "changes modify revised"),
        ("how do I get in touch with your privacy people", CONTACT_TERMS),
        ("are my details ever sold to brokers", "sell trade transfer third parties"),
        ("are you tracking my clicks", "cookies track"),
        ("what is your retention period for backups", "keep retain retention"),
        ("my servers are overseas, does that matter", "international transferred United States"),
        ("I'm based in Brazil, where does my data end up", "international transferred United States"),
        ("will you pass on my address to partners", "disclose disclosed third parties"),
        ("can I get a copy of my stored records", "access request access correction"),
        ("how can I stop receiving surveys", "opt out unsubscribe choice"),
        ("my birthday on file is inaccurate", "access request correction"),
        ("do you encrypt uploads", "security safeguard secure"),
        ("are my files secure with you", "security safeguard secure"),
        ("do you store payment details", "credit card payment information"),
        ("can I revoke the permission I gave", "withdraw consent"),
        ("what is my info used for exactly", "use purposes"),
    ],
)
def test_lay_words_add_generic_policy_words(question: str, terms: str) -> None:
    found = _lay_terms(question)
    assert terms in found
    assert expand(question) == f"{spell_out(question)} {' '.join(found)}"


def test_a_question_without_lay_words_or_acronyms_is_left_alone() -> None:
    assert expand("who runs this website?") == "who runs this website?"
    assert _lay_terms("what is this page about") == []


def test_acronyms_and_lay_words_together() -> None:
    expanded = expand("can teens under COPPA delete stuff")
    assert expanded.startswith("can teens under COPPA delete stuff (COPPA: Children's Online Privacy Protection Act)")
    assert expanded.endswith("children age delete remove withdraw consent")


def test_a_change_of_my_details_or_the_date_is_not_a_change_of_the_policy() -> None:
    assert "changes modify revised" in _lay_terms("would I hear about it if the policy got revised?")
    assert "changes modify revised" not in _lay_terms("my surname changed after the wedding, now what?")
    assert "changes modify revised" not in _lay_terms("I'm changing my billing email, do I tell you?")
    assert "changes modify revised" not in _lay_terms("when was this page last modified")


def test_safe_said_of_something_else_is_not_security() -> None:
    assert "security safeguard secure" not in _lay_terms("is a Volvo safe in the snow?")  # not said of my data
    assert "security safeguard secure" not in _lay_terms("are you in a safe harbour scheme?")
    assert "security safeguard secure" not in _lay_terms("how do you protect kids online?")
    assert "children age" in _lay_terms("how do you protect kids online?")
    assert "security safeguard secure" in _lay_terms("is my account data kept safe?")


def test_title_words_are_the_lower_case_words_of_a_title() -> None:
    assert title_words("Privacy Notice | Globex 2024 - Cloud") == {"privacy", "notice", "globex", "cloud"}


def test_the_owners_name_is_said_as_the_policy_says_it() -> None:
    text = "Globex Storage, LLC runs the Sites. We rely on Initech Ltd for email. Globex Storage, LLC is in Oregon."
    names = owner_names("Globex Privacy Notice", text)
    assert names == ["Globex Storage", "Globex"]  # Initech is named too, but is not the owner
    assert owner_names("Globex Privacy Notice", "no company with a legal suffix here") == []
    assert neutral("does Globex keep my uploads?", names) == "does the Company keep my uploads?"
    assert neutral("is GLOBEX’s retention fixed?", names) == "is the Company’s retention fixed?"
    assert neutral("can Globex Storage read my files?", names) == "can the Company read my files?"
    assert neutral("is Globexia a partner?", names) == "is Globexia a partner?"  # a whole name only
    assert neutral("does Globex keep my uploads?", []) == "does Globex keep my uploads?"
