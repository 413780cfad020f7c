"""The support checker (``bot.checker``) with the real packaged verifier, and ``python -m bot check-support``.

Every sentence here was written for this file, about the shipped policy's own sentences: faithful paraphrases
must be kept, and fluent sentences that negate, strengthen, change a number or a party, drop or add a condition,
or compose two true quotes into a false claim must be dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.checker import SupportChecker, as_named, check_entailed
from bot.cli import cli

COOKIES_OFF = "You can disable cookies using your Internet browser settings."
COOKIES_BREAK = "Note that if you disable cookies, certain features of our Sites may not function properly."
NO_SALE = "We do not sell, trade, or otherwise transfer to outside parties your personal information."
EXCEPTION = (
    "The preceding does not apply to trusted third parties who assist us in operating our Site, conducting our "
    "business, or servicing you, so long as those parties agree to keep this information confidential."
)
ADULTS = "You must be over the age of 18 to use the Sites."
PROVIDERS = (
    "The Company may also freely disclose your personal information to third party service providers under "
    "conditions of confidentiality in order to administer our Sites or improve their functionality."
)
WITHDRAW = (
    "Please note that if you withdraw your consent to certain uses of your Personal Information then we may no "
    "longer be able to provide you with certain of our products or services."
)
QUOTES = [COOKIES_OFF, COOKIES_BREAK, NO_SALE, EXCEPTION, ADULTS, PROVIDERS, WITHDRAW]


@pytest.fixture(scope="module")
def checker() -> SupportChecker:
    return SupportChecker.packaged()


FAITHFUL = [
    "Your browser's settings let you switch cookies off [1].",
    "The company does not sell or trade your personal information to outside parties [3].",
    "Service providers may receive your personal information, under confidentiality, to help run the Sites [6].",
    "If you take back your consent, some products or services may no longer be available to you [7].",
    "Users have to be older than 18 to use the Sites [5].",
    "Turning cookies off may mean that some parts of the Sites do not work as they should [2].",
]
UNFAITHFUL = {
    "negation": "Your browser settings cannot be used to turn cookies off [1].",
    "modality": "If you turn off cookies, the Sites will stop working entirely [2].",
    "number": "You must be over 21 to use the Sites [5].",
    "negation removed": "We sell your personal information to outside parties [3].",
    "party": "Trusted third parties may sell your personal information if they keep it confidential [4].",
    "dropped condition": "Trusted third parties who help run our Site get your information, and they are free to "
    "share it with anyone [4].",
    "composition": "We never pass your personal information to anyone outside the company, not even the trusted "
    "third parties who help run our Site [3][4].",
    "added claim": "Service providers receive your personal information so they can advertise their own products "
    "to you [6].",
    "stronger": "Withdrawing your consent means we will close your account immediately [7].",
    "scope": "Anyone can use the Sites, even toddlers [5].",
}


@pytest.mark.parametrize("sentence", FAITHFUL)
def test_faithful_paraphrases_are_kept(checker: SupportChecker, sentence: str) -> None:
    verdict = checker.check(sentence, QUOTES)
    assert verdict.supported, verdict.reason
    assert verdict.score is not None and verdict.score >= checker.threshold


@pytest.mark.parametrize(("kind", "sentence"), list(UNFAITHFUL.items()))
def test_fluent_unfaithful_sentences_are_dropped(checker: SupportChecker, kind: str, sentence: str) -> None:
    verdict = checker.check(sentence, QUOTES)
    assert not verdict.supported, f"{kind}: kept with score {verdict.score}"


def test_each_part_of_a_sentence_is_held_to_its_own_quotes_negation() -> None:
    sentence = "We may share your personal information with service providers [6], and it is sold to them [3]."
    verdict = check_entailed(sentence, QUOTES, lambda claim, quotes: 0.6, 0.2, contrary=0.9)
    assert verdict.reason == "has no negation, unlike the cited quotes (the part citing [3]), and p=0.60 < 0.9"


def test_a_negation_that_disagrees_needs_a_sure_verifier() -> None:
    """ "Stop working" may say what "not function" says, but only a sure verifier may keep it; above 1 never."""
    sentence = "Turning cookies off can stop parts of the Sites from working [2]."
    unsure = check_entailed(sentence, QUOTES, lambda claim, quotes: 0.6, 0.2, contrary=0.9)
    assert not unsure.supported and unsure.reason == "has no negation, unlike the cited quotes, and p=0.60 < 0.9"
    assert check_entailed(sentence, QUOTES, lambda claim, quotes: 0.95, 0.2, contrary=0.9).supported
    never = check_entailed(sentence, QUOTES, lambda claim, quotes: 1.0, 0.2, contrary=1.5)
    assert (never.supported, never.score, never.reason) == (False, None, "has no negation, unlike the cited quotes")


def test_ordinary_words_are_not_taken_for_names_or_negations() -> None:
    def sure(claim: str, quotes: Sequence[str]) -> float:
        return 0.5  # above the threshold, below the bar an unquoted name must reach

    providers = ["These providers may include (without limitation) auditors and hosting firms."]
    assert check_entailed("Hosting firms may be among these providers [1].", providers, sure, 0.2).supported
    us = ["Your data may be stored in the United States."]
    assert check_entailed("Your data may be kept in the U.S. [1].", us, sure, 0.2).supported
    assert "name 'UK'" in check_entailed("Your data may be kept in the U.K. [1].", us, sure, 0.2).reason
    cookies = ["You can disable cookies in your browser."]
    not_a_name = check_entailed("Don't like cookies? Disable them in your browser [1].", cookies, sure, 0.2, contrary=2)
    assert not_a_name.reason == "has a negation, unlike the cited quotes"  # not "name 'Don't'"
    assert check_entailed("Someone may switch cookies off in the browser [1].", cookies, sure, 0.2).supported


def test_the_cheap_gates_answer_before_the_model() -> None:
    def never(claim: str, quotes: Sequence[str]) -> float:
        raise AssertionError("the verifier should not be asked")

    assert check_entailed("Cookies can be turned off.", QUOTES, never, 0.5).reason == "cites no quote"
    assert "not one of the quotes" in check_entailed("Cookies [9].", QUOTES, never, 0.5).reason
    assert check_entailed("You must be over 21 to use the Sites [5].", QUOTES, never, 0.5).reason == (
        "number 21 not in the cited quotes"
    )


def test_an_unquoted_name_or_absolute_needs_a_sure_verifier(checker: SupportChecker) -> None:
    us = ["Your data may be stored in the United States."]
    assert checker.check("Your data may be stored in the USA [1].", us).supported  # a name for the same place
    for wrong, name in [("Your data may be kept in Canada [1].", "name 'Canada'"),
                        ("Your data may be kept in the U.K. [1].", "name 'UK'"),
                        ("Your data may only be stored in the United States [1].", "word 'only'")]:  # fmt: skip
        verdict = checker.check(wrong, us)
        assert not verdict.supported and name in verdict.reason, verdict
    assert checker.contrary > checker.threshold


def test_an_unquoted_number_or_link_fails_whatever_the_verifier_says() -> None:
    def certain(claim: str, quotes: Sequence[str]) -> float:
        return 1.0

    week = ["We keep logs for one week."]
    assert check_entailed("We keep logs for 7 days [1].", week, certain, 0.2).reason == (
        "number 7 not in the cited quotes"
    )
    assert not check_entailed("Read more at https://example.com [1].", week, certain, 0.2).supported
    assert check_entailed("Only we keep logs for one week [1].", week, certain, 0.2).supported  # soft: p = 1.0


def test_the_verifier_reads_the_cited_quotes_only_and_together() -> None:
    asked: list[tuple[str, tuple[str, ...]]] = []

    def record(claim: str, quotes: Sequence[str]) -> float:
        asked.append((claim, tuple(quotes)))
        return 0.7

    verdict = check_entailed("We do not sell it, except to trusted helpers [3][4].", QUOTES, record, 0.5)
    assert asked == [("We do not sell it, except to trusted helpers.", (NO_SALE, EXCEPTION))]
    assert (verdict.supported, verdict.score) == (True, 0.7)


# -- python -m bot check-support ------------------------------------------------------------------------------
def _file(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


ROWS = [
    {"id": "keep", "quotes": [COOKIES_OFF], "sentence": FAITHFUL[0]},
    {"id": "drop", "quotes": [COOKIES_OFF], "sentence": UNFAITHFUL["negation"]},
    {"id": "gate", "quotes": [ADULTS], "sentence": "You must be over 21 to use the Sites [1]."},
]


def test_check_support_prints_one_result_a_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check-support", str(_file(tmp_path, *ROWS))])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["id"], r["supported"]) for r in lines] == [("keep", True), ("drop", False), ("gate", False)]
    assert all(set(r) == {"id", "supported", "reason", "score"} for r in lines)
    assert lines[2] == {"id": "gate", "supported": False, "reason": "number 21 not in the cited quotes", "score": None}
    assert 0 <= lines[0]["score"] <= 1 and lines[0]["reason"] == "supported"


def test_check_support_json_is_one_object(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check-support", str(_file(tmp_path, *ROWS)), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [r["id"] for r in body["results"]] == ["keep", "drop", "gate"]


def test_check_support_names_a_malformed_line(tmp_path: Path) -> None:
    path = _file(tmp_path, ROWS[0], {"id": "bad", "quotes": "not a list", "sentence": "x [1]."})
    result = CliRunner().invoke(cli, ["check-support", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2:" in result.output and '"quotes" must be a non-empty list' in result.output


# -- the owner's name stands for "we" ---------------------------------------------------------------------------
def test_the_owner_is_named_by_its_owner_field_or_its_title() -> None:
    from bot.checker import owner_words
    from bot.policy import parse_text

    owned = parse_text("---\ntitle: Notes Policy\nowner: Quillfeather Labs, Inc.\n---\n\n## Data\n\nWe keep it.", "q")
    assert owner_words([owned]) == {"quillfeather", "labs", "inc"}
    titled = parse_text("# Ravenmoor Privacy Notice\n\n## Data\n\nWe keep it.", "r")
    assert owner_words([titled]) == {"ravenmoor", "notice"}


def test_a_sentence_may_name_the_owner_where_its_quote_says_we() -> None:
    def sure(claim: str, quotes: Sequence[str]) -> float:
        return 0.5  # above the threshold, below the bar an unquoted name must reach

    sentence = "Infrascale does not sell your personal information to outside parties [1]."
    assert check_entailed(sentence, [NO_SALE], sure, 0.2).reason.startswith("name 'Infrascale' not in the cited quotes")
    assert check_entailed(sentence, [NO_SALE], sure, 0.2, names={"infrascale"}).supported
    other = "Northwind does not sell your personal information to outside parties [1]."
    assert "name 'Northwind'" in check_entailed(other, [NO_SALE], sure, 0.2, names={"infrascale"}).reason


def test_check_support_knows_the_configured_policys_owner(tmp_path: Path) -> None:
    row = {"id": "owner", "quotes": [NO_SALE], "sentence": "Infrascale doesn't sell your personal data [1]."}
    result = CliRunner().invoke(cli, ["check-support", str(_file(tmp_path, row))])
    assert result.exit_code == 0, result.output
    assert "name" not in json.loads(result.output)["reason"]


def test_check_support_works_without_a_corpus_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    row = {"id": "owner", "quotes": [NO_SALE], "sentence": "Infrascale doesn't sell your personal data [1]."}
    path = _file(tmp_path, row)
    monkeypatch.chdir(tmp_path)  # no corpus/ here
    result = CliRunner().invoke(cli, ["check-support", str(path)])
    assert result.exit_code == 0, result.output
    assert "owner's names are unknown" in result.stderr
    verdict = json.loads(result.stdout)  # the unquoted name raised the bar; the verifier is sure of this one
    assert verdict["supported"] and verdict["score"] >= 0.9, verdict


def test_a_quote_that_says_we_is_read_with_the_name_the_claim_uses() -> None:
    quotes = ["We keep our server logs for us.", "Acme may share them."]
    assert as_named("Acme keeps logs.", quotes, {"acme"}) == ["Acme keep Acme's server logs for Acme.", quotes[1]]
    assert as_named("You keep logs.", quotes, {"acme"}) == quotes  # the claim does not name the company
    assert as_named("Acme hosts in the US.", ["We host in the US."], {"acme"}) == ["Acme host in the US."]


def test_naming_the_company_instead_of_we_costs_a_faithful_sentence_nothing(checker: SupportChecker) -> None:
    named = SupportChecker(checker.entail, names={"acme"})
    quotes = ["We keep your backups for one month."]
    faithful = "Acme keeps your backups for a month [1]."
    verdict = named.check(faithful, quotes)
    assert verdict.supported and verdict.score is not None and verdict.score >= named.threshold
    assert not named.check("Acme keeps your backups for a year [1].", quotes).supported
