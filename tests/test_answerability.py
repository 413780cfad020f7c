"""The answerability model: a question that only sounds covered is judged less answerable than one the policy
answers, and the confidence uses that judgement."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import Calibration
from bot.errors import ModelUnavailableError
from bot.pipeline import PolicyBot, answerability_judge
from bot.settings import Settings

# written before the model was scored on them: details next to what the policy says, and questions it answers
SILENT = (
    "Do you run background checks on the engineers who can see my data?",
    "Are my files copied to a second site in another state?",
    "Do your support people need my permission before they open my account?",
    "Will you let me know when a court subpoenas my account?",
    "Is there a fee to get a copy of my data?",
    "How quickly will you answer a request to see my data?",
    "Do you check who I am before sending my data to me?",
)
ANSWERED = (
    "Can I block cookies in my browser?",
    "Do you sell my personal info to other companies?",
    "Will my details be handed to police if they ask?",
    "Can a 10 year old make an account?",
    "Can I see and fix the info you have on me?",
    "Who can I write to about my privacy?",
)


def _judged(bot: PolicyBot, question: str) -> float:
    reading = bot.answerer.read(question, [], None)
    value = bot.answerer.answerable(reading, bot.answerer.retrieve(reading))
    assert value is not None, "the packaged answerability model is on by default"
    return value


def test_details_the_policy_never_gives_are_judged_less_answerable(bot: PolicyBot) -> None:
    silent = [_judged(bot, q) for q in SILENT]
    answered = [_judged(bot, q) for q in ANSWERED]
    assert sum(answered) / len(answered) > sum(silent) / len(silent), (answered, silent)


def test_the_confidence_falls_with_the_answerability_logit() -> None:
    cal = Calibration(answer_weight=0.75, answer_center=3.0)
    assert cal.confidence(1.0, 0.0, 0.5, 6.0) > cal.confidence(1.0, 0.0, 0.5, -4.0)
    assert cal.confidence(1.0, 0.0, 0.5, None) == Calibration().confidence(1.0, 0.0, 0.5)


def test_a_missing_answerability_model_is_named_with_its_remedy(tmp_path: Path) -> None:
    judge = answerability_judge(Settings(answerability_dir=str(tmp_path)))
    assert judge is not None
    with pytest.raises(ModelUnavailableError, match=r"answerability model not found.*BOT_ANSWERABILITY_DIR"):
        judge.warm_up()
    assert answerability_judge(Settings(answerability_dir="")) is None
