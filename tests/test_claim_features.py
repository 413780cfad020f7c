"""How a claim differs from its quotes (``bot.claim_features``): each reading on fresh sentences about a fictional
policy, and the packaged logistic model reading them the way a user would expect."""

from __future__ import annotations

import pytest

from bot.claim_features import NAMES, FeatureModel, features, strip_answer_word
from bot.verifier import VERIFIER_DIR

QUOTE = "We may share your contact details with couriers so long as they keep them confidential."


def named(claim: str, quote: str = QUOTE) -> set[str]:
    return {n for n, x in zip(NAMES, features(claim, [quote]), strict=True) if x and n != "claim_words"}


def test_the_quote_restated_differs_in_nothing() -> None:
    assert named(QUOTE) == set()


@pytest.mark.parametrize(
    ("claim", "reading"),
    [
        ("We may not share your contact details with couriers.", "negation_differs"),
        ("We will share your contact details with couriers so long as they keep them confidential.", "stronger_modal"),
        ("We may share all of your contact details with couriers.", "new_universal"),
        ("We may share your contact details with couriers.", "dropped_condition"),
        ("We may share your contact details with couriers unless you object.", "added_condition"),
        ("We may share your contact details with advertisers so long as they keep them confidential.", "new_party"),
        ("We may sell your shopping history to couriers.", "new_content"),
    ],
)
def test_each_kind_of_misstatement_is_read(claim: str, reading: str) -> None:
    assert reading in named(claim)


def test_an_answer_word_is_not_a_negation() -> None:
    assert strip_answer_word("No, we never call you.") == "we never call you."
    assert "negation_differs" not in named("No, we do not phone you.", "We do not phone you.")


def test_the_packaged_feature_model_prefers_the_faithful_reading() -> None:
    model = FeatureModel.load(VERIFIER_DIR / "features.json")
    faithful = model.probability("We may pass your contact details to couriers who keep them confidential.", [QUOTE])
    negated = model.probability("We never share your contact details with couriers.", [QUOTE])
    assert faithful > negated
