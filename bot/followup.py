"""Resolve follow-up questions against earlier turns, deterministically.

"how do I turn them off?" after "Do you use cookies?" becomes "Do you use cookies? how do I turn them off?".
A question that stands on its own (enough content words, no pronoun pointing back) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_BACK_REFERENCE = re.compile(
    r"\b(it|its|they|them|their|that|this|those|these|there|he|she|one|ones|such|same|above|former|latter)\b", re.I
)
_CONTINUATION = re.compile(
    r"^\s*(and|but|so|also|or|then|what about|how about|what if|ok|okay|why|how come|really)\b", re.I
)
_STOP = frozenset(
    """
    a an the i me my we us our you your yours is are was were be been do does did can could would should
    will shall may might must have has had of to in on at by for with from about as into if or and but
    so not no yes what which who whom whose when where why how please tell know want need just also any
    some all more much get got go let lets it its they them their that this those these there one ones
    hi hey ok okay
    """.split()
)


@dataclass(frozen=True)
class Turn:
    role: str
    content: str


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in _STOP and len(w) > 1]


def needs_context(question: str) -> bool:
    """A question that leans on what came before: a pronoun pointing back, a leading "and/what about", or too short."""
    words = content_words(question)
    return (
        bool(_CONTINUATION.search(question))
        or len(words) <= 1
        or (bool(_BACK_REFERENCE.search(question)) and len(words) <= 4)
    )


def resolve(question: str, history: Sequence[Turn]) -> str:
    """The question to retrieve with: the question alone, or prefixed by the user turn it follows up."""
    users = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not users or not needs_context(question):
        return question
    previous = resolve(users[-1], [Turn("user", u) for u in users[:-1]])
    return f"{previous} {question}"
