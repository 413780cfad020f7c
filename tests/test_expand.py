"""Query expansion spells out privacy acronyms and maps lay words to policy words."""

from __future__ import annotations

from bot.expand import expand, neutral, owner_names, spell_out, wants_address


def test_acronyms_are_spelled_out() -> None:
    assert "Children's Online Privacy Protection Act" in spell_out("are you COPPA compliant?")
    assert spell_out("do you sell my data?") == "do you sell my data?"


def test_lay_words_add_policy_words() -> None:
    assert "litigation" in expand("can I sue you?")
    assert "children" in expand("can my 12 year old sign up?")
    assert "law enforcement" in expand("will you give my info to the cops?")
    assert expand("what is this?") == "what is this?"


def test_sharing_and_seeing_map_to_disclosure_and_access() -> None:
    assert "disclose" in expand("who do you share my personal info with?")
    assert "access" in expand("how do I see what data you have on me?")
    assert "unsubscribe" in expand("how do I opt out of emails?")
    assert expand("who are you?") == "who are you?"


def test_wrong_data_on_file_maps_to_correction() -> None:
    assert "correction" in expand("my email on file is wrong, how do I get it fixed?")
    assert "correction" in expand("can I update my address?")


def test_a_change_of_my_details_is_not_a_change_of_the_policy() -> None:
    assert "modify revised" in expand("has the policy been updated?")
    assert "modify revised" in expand("will you tell me if you change the policy?")
    assert "modify revised" not in expand("my phone number changed, do I need to tell you?")
    assert "modify revised" not in expand("I changed my email address, what now?")


def test_offline_age_of_the_policy_and_letters_map_to_the_policy_words() -> None:
    assert "collected offline" in expand("is the info I gave your rep at a trade show covered?")
    assert "last revised" in expand("how old is this privacy policy?")
    assert "children" not in expand("how old is this privacy policy?")
    assert "contact us" in expand("who should I address the letter to?")


def test_rule_breaking_and_purposes_map_to_the_policy_words() -> None:
    assert "violation" in expand("if I break your terms of use can you release my info?")
    assert "illegal activities" in expand("would you share info about someone doing something illegal?")
    assert "purposes" in expand("what do you actually do with my data?")
    assert "purposes" in expand("why do you even need my personal data")


def test_a_takeover_and_a_postal_address_map_to_the_policy_words() -> None:
    assert "disposal" in expand("what if the company gets bought tho")
    assert "contact us" in expand("whats ur address if i wanna mail something")
    assert "contact us" not in expand("do you collect my email address?")


def test_last_updated_asks_for_the_date_and_custom_terms_for_the_changes_clause() -> None:
    assert expand("policy last updated?").endswith("last revised date")  # not "changes modify revised"
    assert "modify revised" in expand("how will I know when you update the policy?")
    assert "in writing and signed" in expand("can we negotiate a custom version of the policy?")
    assert "in writing" not in expand("do you use my data for customized services?")


def test_safety_other_terms_fees_venue_and_offline_talk_map_to_the_policy_words() -> None:
    assert "safeguard" in expand("is my stuff actually safe with u guys")
    assert "safeguard" in expand("how do you protect my data?")
    assert expand("Is Tesla autopilot safe?") == "Is Tesla autopilot safe?"  # safe, but not said of my data
    assert "safeguard" not in expand("are you safe harbor certified?")
    assert "terms of service and use" in expand("is there a separate terms of use doc besides this privacy thing?")
    assert "terms of service and use" not in expand("if I break your terms of use can you release my info?")
    assert "attorneys fees" in expand("In case of a dispute, who pays the lawyers?")
    assert "venue" in expand("Can I take you to court? where would that happen?")
    assert "venue" not in expand("where is my data stored?")
    assert "collected offline" in expand("does this policy cover what i told ur sales guy on the phone")
    assert "collected offline" not in expand("can someone from sales call me")
    assert "keep retain" in expand("how long do u hang on to my stuff")
    assert "withdraw consent" in expand("i changed my mind, how do i take back my permission?")
    assert "contact the Company" in expand("who should i ask about SOX compliance for your products")
    assert "may not function properly" in expand("and if I block them, will stuff break?")


def test_asking_for_the_address_is_told_from_naming_contact() -> None:
    assert wants_address("I'm mailing a letter - what department do I address it to?")
    assert wants_address("whats ur mailing address")
    assert wants_address("how can I contact you about my data?")
    assert wants_address("is there an email or phone number for privacy questions?")
    assert wants_address("Who and where should it be addressed to?")
    assert not wants_address("will you contact me by email?")
    assert not wants_address("do you collect my IP address?")
    assert not wants_address("my email address is wrong")
    assert not wants_address("are they going to flog my contact details to advertisers?")  # the user's own details


def test_the_owners_name_is_said_as_the_policy_says_it() -> None:
    text = "The Sites are owned by Acme Cloud, Inc. We use Google Inc. for analytics. Acme Cloud, Inc. is in Ohio."
    names = owner_names("Privacy Policy of Acme", text)
    assert names == ["Acme Cloud", "Acme"]  # Google is named too, but is not the owner
    assert neutral("can I sue Acme?", names) == "can I sue the Company?"
    assert neutral("what is ACME’s policy on cookies?", names) == "what is the Company’s policy on cookies?"
    assert neutral("does Acme Cloud use Google Analytics?", names) == "does the Company use Google Analytics?"
    assert neutral("can I sue Acme?", []) == "can I sue Acme?"
