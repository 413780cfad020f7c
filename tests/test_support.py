"""The sentence verifier: each check on its own with a transparent scorer, then the real cross-encoder on the
calibration pairs built from the policy (the figures docs/LLM.md reports)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.claim_text import cited, has_negation, names_in, numbers_in, split_sentences, strip_citations
from bot.rerank import CrossEncoder
from bot.support import MIN_OVERLAP, SUPPORT_THRESHOLD, check_sentence, check_text, overlap, unsupported_claims

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "scripts" / "data" / "support_pairs.jsonl"
AGE = "You must be over the age of 18 to use the Sites."
CHILDREN = (
    "The Company does not attempt to, or knowingly ask for or, collect information from any person under the age of 13."
)
COOKIES = "We do use cookies on the Sites."


def always(value: float):  # type: ignore[no-untyped-def]
    """A scorer that gives every pair ``value`` and remembers what it was asked."""
    calls: list[tuple[str, list[str]]] = []

    def score(sentence: str, passages: list[str]) -> Sequence[float]:
        calls.append((sentence, list(passages)))
        return [value] * len(passages)

    score.calls = calls  # type: ignore[attr-defined]
    return score


# -- reading a sentence -----------------------------------------------------------------------------------
def test_citations_are_read_in_every_usual_form() -> None:
    assert cited("We use cookies [1].") == (1,)
    assert cited("We use cookies [1, 3] and more [2][1].") == (1, 3, 2)
    assert cited("See [1-3].") == (1, 2, 3)
    assert cited("We use cookies.") == ()
    assert cited("[1] “We do use cookies on the Sites.”") == ()  # a quote listed again is not a claim citing it
    assert strip_citations("We use cookies [1] on the Sites [2].") == "We use cookies on the Sites."


def test_sentences_are_split_per_line_and_a_trailing_citation_stays_with_its_sentence() -> None:
    text = "Yes, we use cookies. [1] You can turn them off [2].\n- Children under 13: no [3].\n\nQuestion: more?"
    assert split_sentences(text) == [
        "Yes, we use cookies. [1]",
        "You can turn them off [2].",
        "Children under 13: no [3].",
        "Question: more?",
    ]
    assert split_sentences("Yes.\n[1] “We do use cookies on the Sites.”") == [
        "Yes.",
        "[1] “We do use cookies on the Sites.”",
    ]


def test_numbers_count_as_digits_whichever_way_they_are_written() -> None:
    assert numbers_in("over eighteen, 1,000 users, $5.50 and 30 days") == {"18", "1000", "5.50", "30"}
    assert numbers_in("one (1) year") == {"1"}


def test_names_are_capitalised_words_but_not_ordinary_sentence_openers() -> None:
    assert names_in("However, Google and the FTC say so.") == ["Google", "FTC"]
    assert names_in("Additionally you may opt out.") == []
    assert names_in("Infrascale's servers are in Delaware.") == ["Infrascale", "Delaware"]


def test_a_common_word_that_opens_a_sentence_is_not_a_name_but_a_rare_one_is() -> None:
    # capitalised only because they start the sentence: common English words
    assert names_in("Grandparents can ask the Company to erase a photo.") == ["Company"]
    assert names_in("Afterwards the data stays in backups.") == []
    # a word English rarely uses, or an acronym, still has to be quoted
    assert names_in("Zendesk stores the support tickets.") == ["Zendesk"]
    assert names_in("CCPA requests go to the privacy team.") == ["CCPA"]


def test_negation_is_found_in_words_and_contractions() -> None:
    assert has_negation("We don't sell it") and has_negation("We never sell it") and has_negation("no data")
    assert has_negation("cannot be guaranteed") and not has_negation("We sell notebooks and nothingness-free x")


def test_claims_must_occur_in_a_cited_quote() -> None:
    assert unsupported_claims("You must be over 18 to use the Sites", [AGE]) == []
    assert unsupported_claims("You must be over eighteen", [AGE]) == []
    assert unsupported_claims("You must be over 21 to use the Sites", [AGE]) == ["number 21"]
    assert unsupported_claims("Infrascale sells it to Google for $5", [COOKIES]) == [
        "number 5",
        "name 'Infrascale'",
        "name 'Google'",
        "currency $",
    ]
    # the parties and the document may be named even when the quote says "we"
    assert unsupported_claims("The Company uses cookies on its Website", [COOKIES]) == []


def test_links_and_absolute_words_must_occur_in_a_cited_quote() -> None:
    nai = "To opt-out, visit the Network Advertising Initiative at www.networkadvertising.org/choices."
    assert unsupported_claims("Opt out at www.networkadvertising.org/choices.", [nai]) == []
    # a link the model garbled (Gemma 270M wrote this one)
    assert unsupported_claims("Visit www/networkadvertisingprogrammes/choices.", [nai]) == [
        "link 'www/networkadvertisingprogrammes/choices'"
    ]
    assert unsupported_claims("Or write to legal@infrascale.com", [nai]) == ["link 'legal@infrascale.com'"]
    uses = "The Company generally uses Personal Information for the following purposes"
    assert unsupported_claims("We use your information only for these purposes", [uses]) == ["word 'only'"]
    assert unsupported_claims("You must always accept cookies", [COOKIES]) == ["word 'must'", "word 'always'"]


def test_overlap_is_the_share_of_content_words_found_in_the_quotes() -> None:
    assert overlap("The Sites use cookies", [COOKIES]) == 1.0
    assert overlap("Cookies track your browsing history for advertisers", [COOKIES]) == pytest.approx(1 / 5)


# -- the verdict, check by check ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Yes, the Sites use cookies.", "cites no quote"),
        ("Yes, the Sites use cookies [4].", "cites [4], which is not one of the quotes"),
        ("[1].", "cites no quote"),
        ("You must be over 21 to use the Sites [1].", "number 21 not in the cited quotes"),
        ("Our partner Google may use the Sites [1].", "name 'Google' not in the cited quotes"),
        ("You need not be over 18 to use the Sites [1].", "has a negation, unlike the cited quotes"),
        ("The Company collects information from people under 13 [2].", "has no negation, unlike the cited quotes"),
        ("You must be over 18 to buy insurance products online [1].", "of its words are in the cited quotes"),
    ],
)
def test_each_check_drops_what_it_should_before_scoring(sentence: str, reason: str) -> None:
    score = always(100.0)
    verdict = check_sentence(sentence, [AGE, CHILDREN], score, threshold=0.0)
    assert not verdict.supported
    assert reason in verdict.reason
    assert verdict.score is None and score.calls == []  # the cross-encoder is not asked


def test_a_sentence_passes_when_its_score_reaches_the_threshold() -> None:
    sentence = "The Company does not knowingly collect information from anyone under 13 [2]."
    ok = check_sentence(sentence, [AGE, CHILDREN], always(5.0), threshold=5.0)
    assert ok.supported and ok.score == 5.0 and ok.citations == (2,) and ok.reason == "supported"
    low = check_sentence(sentence, [AGE, CHILDREN], always(4.99), threshold=5.0)
    assert not low.supported and low.score == 4.99 and "below" in low.reason


def test_the_score_is_taken_only_against_cited_quotes_whose_negation_agrees() -> None:
    score = always(9.0)
    sentence = "The Company does not collect information from any person under 13 [1][2]."
    verdict = check_sentence(sentence, [AGE, CHILDREN], score, 0)
    assert verdict.supported
    assert score.calls == [("The Company does not collect information from any person under 13.", [CHILDREN])]


def test_check_text_judges_every_sentence() -> None:
    verdicts = check_text("We do use cookies on the Sites [1]. We sell them to Google [1].", [COOKIES], always(9.0), 0)
    assert [v.supported for v in verdicts] == [True, False]


# -- the real cross-encoder on the calibration pairs ------------------------------------------------------
@pytest.fixture(scope="module")
def real_score(reranker_dir: str):  # type: ignore[no-untyped-def]
    reranker = CrossEncoder(reranker_dir, batch_size=1)

    def score(sentence: str, passages: list[str]) -> list[float]:
        return [float(reranker.score(sentence, [p])[0]) for p in passages]

    return score


def _pairs() -> list[dict[str, str]]:
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_calibration_quote_is_verbatim_policy_text() -> None:
    policy = (ROOT / "corpus" / "infrascale-privacy-policy.md").read_text(encoding="utf-8")
    pairs = _pairs()
    assert len(pairs) >= 80
    assert all(p["quote"] in policy for p in pairs)
    assert {p["label"] for p in pairs} == {"supported", "contradiction", "invented"}


def test_calibrated_verifier_keeps_most_paraphrases_and_shows_few_unsupported(real_score) -> None:  # type: ignore[no-untyped-def]
    pairs = _pairs()
    verdicts = [check_sentence(p["sentence"], [p["quote"]], real_score, SUPPORT_THRESHOLD, MIN_OVERLAP) for p in pairs]
    good = [v.supported for v, p in zip(verdicts, pairs, strict=True) if p["label"] == "supported"]
    bad = [v.supported for v, p in zip(verdicts, pairs, strict=True) if p["label"] != "supported"]
    # the earlier checker's figures (docs/LLM.md): 28 of 38 paraphrases kept, 2 of 48 unsupported sentences shown;
    # 4 since issue 18's claim gates read pronoun openers, words the quote inflects and "guarantees" as "guarantee"
    assert sum(good) >= 28
    assert sum(bad) <= 4


def test_the_support_logit_ranks_paraphrases_above_inventions(real_score) -> None:  # type: ignore[no-untyped-def]
    assert real_score("Yes, the Sites use cookies.", [COOKIES])[0] >= SUPPORT_THRESHOLD
    assert real_score("You can disable cookies in your browser settings.", [COOKIES])[0] < SUPPORT_THRESHOLD
    assert real_score("The Company complies with the GDPR.", [CHILDREN])[0] < 0
