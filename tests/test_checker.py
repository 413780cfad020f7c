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

from bot.checker import SupportChecker, check_entailed
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
]
# Faithful, but dropped by the verifier today (the keep rate's gap, docs/LLM.md): strict xfail, so a model that
# keeps them shows up here.
KNOWN_MISSES = [
    "Turning cookies off may mean that some parts of the Sites do not work as they should [2].",
    "Users have to be older than 18 to use the Sites [5].",
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
}


@pytest.mark.parametrize("sentence", FAITHFUL)
def test_faithful_paraphrases_are_kept(checker: SupportChecker, sentence: str) -> None:
    verdict = checker.check(sentence, QUOTES)
    assert verdict.supported, verdict.reason
    assert verdict.score is not None and verdict.score >= checker.threshold


@pytest.mark.xfail(strict=True, reason="free paraphrases the verifier still drops (keep rate, docs/LLM.md)")
@pytest.mark.parametrize("sentence", KNOWN_MISSES)
def test_free_paraphrases_still_dropped(checker: SupportChecker, sentence: str) -> None:
    assert checker.check(sentence, QUOTES).supported


@pytest.mark.parametrize(("kind", "sentence"), list(UNFAITHFUL.items()))
def test_fluent_unfaithful_sentences_are_dropped(checker: SupportChecker, kind: str, sentence: str) -> None:
    verdict = checker.check(sentence, QUOTES)
    assert not verdict.supported, f"{kind}: kept with score {verdict.score}"


def test_a_paraphrase_that_drops_the_quotes_negation_is_dropped_too(checker: SupportChecker) -> None:
    """Conservative by design: "stop working" for "not function" reads as a polarity flip (docs/LLM.md)."""
    verdict = checker.check("Turning cookies off can stop parts of the Sites from working [2].", QUOTES)
    assert not verdict.supported and verdict.reason == "has no negation, unlike the cited quotes"


def test_each_part_of_a_sentence_is_held_to_its_own_quotes_negation() -> None:
    sentence = "We may share your personal information with service providers [6], and it is sold to them [3]."
    verdict = check_entailed(sentence, QUOTES, lambda claim, quotes: 0.9, 0.2)
    assert verdict.reason == "has no negation, unlike the cited quotes (the part citing [3])"


def test_ordinary_words_are_not_taken_for_names_or_negations() -> None:
    def sure(claim: str, quotes: Sequence[str]) -> float:
        return 0.9

    providers = ["These providers may include (without limitation) auditors and hosting firms."]
    assert check_entailed("Hosting firms may be among these providers [1].", providers, sure, 0.2).supported
    us = ["Your data may be stored in the United States."]
    assert check_entailed("Your data may be kept in the U.S. [1].", us, sure, 0.2).supported
    assert "name 'UK'" in check_entailed("Your data may be kept in the U.K. [1].", us, sure, 0.2).reason
    cookies = ["You can disable cookies in your browser."]
    assert check_entailed("Don't like cookies? Disable them in your browser [1].", cookies, sure, 0.2).reason == (
        "has a negation, unlike the cited quotes"
    )  # not a name; the polarity gate is the conservative one (docs/LLM.md)
    assert check_entailed("Someone may switch cookies off in the browser [1].", cookies, sure, 0.2).supported


def test_the_cheap_gates_answer_before_the_model() -> None:
    def never(claim: str, quotes: Sequence[str]) -> float:
        raise AssertionError("the verifier should not be asked")

    assert check_entailed("Cookies can be turned off.", QUOTES, never, 0.5).reason == "cites no quote"
    assert "not one of the quotes" in check_entailed("Cookies [9].", QUOTES, never, 0.5).reason
    assert check_entailed("You must be over 21 to use the Sites [5].", QUOTES, never, 0.5).reason == (
        "number 21 not in the cited quotes"
    )


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
