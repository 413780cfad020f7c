"""The checks before retrieval: is the input a question at all, and can the chosen owner's policy answer it?

``validate`` raises ``InvalidQuestionError`` for input no answer can be given to (empty, too long, control
characters); ``form_refusal`` names the reason to refuse a question before any passage is read (noise, an
instruction), else None; ``outside_kinds`` names the signs that the owner's documents cannot answer it (another
organisation's policy, a fact they never mention), which the calibrated confidence weighs with the learned
signals. All are pure: the owner's profile is passed in, never the union of the corpus.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .answer import REFUSAL_INSTRUCTION, REFUSAL_NOISE
from .errors import InvalidQuestionError
from .expand import LAWS
from .followup import Turn
from .guard import asks_history, is_general, is_instruction, is_noise, other_organisation, text_problem, unmentioned
from .owners import Owner

log = logging.getLogger(__name__)


def validate(question: str, history: Sequence[Turn], max_chars: int) -> None:
    """Raise ``InvalidQuestionError`` when ``question`` (or an earlier turn) cannot be answered at all."""
    if not isinstance(question, str) or not question.strip():
        raise InvalidQuestionError("the question is empty")
    if len(question) > max_chars:
        raise InvalidQuestionError(f"the question is longer than {max_chars} characters")
    problem = text_problem(question) or next(
        (text_problem(t.content) for t in history if text_problem(t.content)), None
    )
    if problem:
        raise InvalidQuestionError(f"the question {problem}")


def form_refusal(question: str) -> str | None:
    """Refuse what is not a question to answer from a policy: noise, or an instruction to the bot."""
    if is_noise(question):
        return REFUSAL_NOISE
    if is_instruction(question):
        return REFUSAL_INSTRUCTION
    return None


def outside_kinds(question: str, owner: Owner) -> frozenset[str]:
    """The signs (of ``bot.settings.OUTSIDE_KINDS``) that no passage of ``owner``'s documents answers ``question``:
    it asks about another organisation's policy ("how does Acme's privacy policy treat…?"), about the firm's
    history ("was the firm ever breached?": not a practice a policy states), about the world in general ("in
    general, how do two privacy laws differ?"), or names something the owner's documents never mention ("will you
    notify me within 72 hours?"). Each lowers the confidence by its fitted weight."""
    kinds = set()
    if other_organisation(question, owner.title_words, owner.name_words):
        kinds.add("organisation")
    if asks_history(question):
        kinds.add("history")
    if is_general(question, owner.name_words):
        kinds.add("general")
    if unmentioned(question, owner.text, LAWS, owner.name_words):
        kinds.add("unmentioned")
        log.info("named something the policy never mentions")  # no user text
    return frozenset(kinds)
