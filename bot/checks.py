"""The checks before retrieval: is the input a question at all, and can the chosen owner's policy answer it?

``validate`` raises ``InvalidQuestionError`` for input no answer can be given to (empty, too long, control
characters); ``refusal`` names the reason to refuse a question before any passage is read (noise, an
instruction, another organisation's policy, a fact the owner's documents never mention), else None. Both are
pure: the owner's profile is passed in, never the union of the corpus.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .answer import REFUSAL_INSTRUCTION, REFUSAL_NOISE, REFUSAL_NOT_COVERED
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


def outside(question: str, owner: Owner) -> bool:
    """A question no passage of ``owner``'s documents can answer, however close its nearest one."""
    if (
        other_organisation(question, owner.title_words, owner.name_words)  # "how does Acme's privacy policy treat…?"
        or asks_history(question)  # "was the firm ever breached?": not a practice a policy states
        or is_general(question, owner.name_words)  # "in general, how do two privacy laws differ?"
    ):
        return True
    missing = unmentioned(question, owner.text, LAWS, owner.name_words)
    if missing:  # "will you notify me within 72 hours?": a fact no policy states
        log.info("refused: %d thing(s) named that the policy never mentions", len(missing))  # no user text
    return bool(missing)


def pre_refusal(question: str, owner: Owner | None) -> str | None:
    """The reason to refuse ``question`` before retrieval, for ``owner`` (None: not chosen yet), else None."""
    reason = form_refusal(question)
    if reason is None and owner is not None and outside(question, owner):
        reason = REFUSAL_NOT_COVERED
    return reason
