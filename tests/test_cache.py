"""The answer cache: LRU, keyed by question and history, dropped when the index build changes."""

from __future__ import annotations

import pytest

from bot.answer import Answer
from bot.followup import Turn
from bot.serve.cache import AnswerCache


def answer(text: str) -> Answer:
    return Answer(text, text, False, None, 1.0, (), (), text)


def test_hit_miss_and_history_are_part_of_the_key() -> None:
    cache = AnswerCache(4)
    a = answer("q")
    assert cache.get("b1", "q", []) is None
    cache.put("b1", "q", [], a)
    assert cache.get("b1", "q", []) is a
    assert cache.get("b1", "q", [Turn("user", "earlier")]) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_least_recently_used_goes_first() -> None:
    cache = AnswerCache(2)
    cache.put("b", "one", [], answer("1"))
    cache.put("b", "two", [], answer("2"))
    assert cache.get("b", "one", []) is not None  # "two" is now the oldest
    cache.put("b", "three", [], answer("3"))
    assert len(cache) == 2
    assert cache.get("b", "two", []) is None
    assert cache.get("b", "one", []) is not None


def test_a_new_build_drops_everything() -> None:
    cache = AnswerCache(8)
    cache.put("build-1", "q", [], answer("old"))
    assert cache.get("build-2", "q", []) is None
    assert len(cache) == 0
    assert cache.get("build-1", "q", []) is None


def test_size_zero_keeps_nothing() -> None:
    cache = AnswerCache(0)
    cache.put("b", "q", [], answer("a"))
    assert cache.get("b", "q", []) is None
    with pytest.raises(ValueError, match="size"):
        AnswerCache(-1)


def test_a_near_duplicate_question_is_the_same_entry_and_keeps_its_own_wording() -> None:
    cache = AnswerCache(4)
    cache.put("b1", "Is my data sold to anyone?", [], answer("Is my data sold to anyone?"))
    hit = cache.get("b1", "  is my DATA sold to anyone ", [])
    assert hit is not None and hit.question == "  is my DATA sold to anyone "
    assert cache.get("b1", "is my data sold to advertisers?", []) is None


def test_the_bot_canonical_form_also_corrects_spelling(bot) -> None:  # type: ignore[no-untyped-def]
    cache = AnswerCache(4, bot.canonical)
    cache.put("b1", "Is my information sold to anyone?", [], answer("x"))
    assert cache.get("b1", "is my informaton sold to anyone", []) is not None
