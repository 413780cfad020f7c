"""Questions the bot must not answer from the policy: instructions aimed at the bot, and noise.

Deterministic checks that run before retrieval. Anything else that the policy does not cover is
caught later by the calibrated confidence.
"""

from __future__ import annotations

import re
import unicodedata

_INSTRUCTION = re.compile(
    r"""
    \b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|instructions|rules|prompt|guidelines|above|previous|prior|everything)\b
  | \b(system|hidden|initial|original)\s+(prompt|instructions|message)\b
  | \b(print|reveal|show|repeat|output|tell\s+me|what\s+(is|are))\b.{0,30}\b(your|the)\s+(prompt|instructions|rules|configuration)\b
  | \b(pretend|roleplay|role-play|role\s+play|act\s+as|you\s+are\s+now|from\s+now\s+on|jailbreak|developer\s+mode|\bDAN\b)
  | \b(say|write|state|confirm|declare|type|answer)\b.{0,20}\b(that|yes|no)\b.{0,60}\b(never|always|guarantee|promise)
  | \bjust\s+(say|answer|reply|tell\s+me)\s+(yes|no)\b
  | \b(repeat\s+after\s+me|say\s+exactly|respond\s+only\s+with|reply\s+only\s+with)\b
  | \b(write|compose|generate|create)\s+(me\s+)?(a|an|some)\s+(poem|story|song|essay|joke|haiku|limerick|code|script|program)\b
  | \b(translate|decode|encode)\b.{0,40}\b(base64|rot13|hex|binary|leetspeak)\b
  | \bbase64\b
  | \b(new|updated|special)\s+instructions\b | \b(system|admin|developer)\s+(override|mode)\b | </?(system|policy|prompt)>
  | \byou\s+are\s+(a|an|now)\s+\w+\s*(bot|assistant|ai)\b
  | \b(api\s+keys?|access\s+tokens?|environment\s+variables|passwords?\s+you\s+have)\b
  | ^\W*(say|state|declare|claim|pretend|assert)\s+(that|it|the\s+policy)\b
  | \btell\s+me\s+(that\s+)?the\s+policy\s+says\b | \bjust\s+say\s+it\b
  | \b(rewrite|reword|edit|change|modify)\s+(the|your|this)\s+(privacy\s+)?policy\s+(so|to)\b
  | \breplace\s+every\b
  | !\[[^\]]*\]\(https?://
    """,
    re.I | re.X | re.S,
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_VOWEL = re.compile(r"[aeiouy]", re.I)


def is_instruction(question: str) -> bool:
    """An attempt to instruct the bot rather than ask about the policy."""
    return bool(_INSTRUCTION.search(unicodedata.normalize("NFKC", question)))


_SMALL_TALK = frozenset(
    """
    hi hello hey hiya yo ok okay test testing thanks thank you thx ty cool great nice bye goodbye good
    morning afternoon evening there yes no yep nope sure hmm lol anyone bot
    """.split()
)


def is_noise(question: str) -> bool:
    """No real words (punctuation, digits, emoji, keyboard mash), or only greetings and small talk."""
    words = _WORD.findall(unicodedata.normalize("NFKC", question))
    real = [w for w in words if _VOWEL.search(w) and not re.search(r"[^aeiouy]{5,}", w.lower())]
    return not real or all(w.lower() in _SMALL_TALK for w in real)
