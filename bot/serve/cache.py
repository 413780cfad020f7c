"""A bounded LRU of answers for repeated questions, keyed by index build, question and history.

Questions (and the turns before them) are keyed by their canonical form, ``canonical`` (by default case,
punctuation and spacing folded; the server also corrects spelling): "Do you sell my data?" and "do u sell my
data" are one entry. A hit is returned with the question as it was asked this time.

An answer depends only on the question, the earlier turns and the index build (the models are part of the
build's fingerprint), so a repeated question is answered from memory. Entries of another build never match,
and the whole cache is dropped the first time a different build is seen.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..answer import Answer
from ..examples import normalise
from ..followup import Turn

Key = tuple[str, str, tuple[tuple[str, str], ...]]  # (document or "", question, history)


class AnswerCache:
    """Thread-safe; ``size`` 0 keeps nothing."""

    def __init__(self, size: int, canonical: Callable[[str], str] = normalise) -> None:
        if size < 0:
            raise ValueError("size must be at least 0")
        self.size = size
        self.canonical = canonical
        self.hits = 0
        self.misses = 0
        self._build: str | None = None
        self._entries: OrderedDict[Key, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def _switch(self, build: str) -> None:
        if build != self._build:
            self._entries.clear()
            self._build = build

    def _key(self, question: str, history: Sequence[Turn], document: str | None) -> Key:
        return document or "", self.canonical(question), tuple((t.role, self.canonical(t.content)) for t in history)

    def get(self, build: str, question: str, history: Sequence[Turn], document: str | None = None) -> Answer | None:
        key = self._key(question, history, document)
        with self._lock:
            self._switch(build)
            answer = self._entries.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return answer if answer.question == question else replace(answer, question=question)

    def put(
        self, build: str, question: str, history: Sequence[Turn], answer: Answer, document: str | None = None
    ) -> None:
        if self.size == 0:
            return
        key = self._key(question, history, document)
        with self._lock:
            self._switch(build)
            self._entries[key] = answer
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
