"""A bounded LRU of answers for repeated questions, keyed by index build, question and history.

An answer depends only on the question, the earlier turns and the index build (the models are part of the
build's fingerprint), so a repeated question is answered from memory. Entries of another build never match,
and the whole cache is dropped the first time a different build is seen.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from .answer import Answer
from .followup import Turn

Key = tuple[str, tuple[Turn, ...]]


class AnswerCache:
    """Thread-safe; ``size`` 0 keeps nothing."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError("size must be at least 0")
        self.size = size
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

    def get(self, build: str, question: str, history: Sequence[Turn]) -> Answer | None:
        key = (question, tuple(history))
        with self._lock:
            self._switch(build)
            answer = self._entries.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, build: str, question: str, history: Sequence[Turn], answer: Answer) -> None:
        if self.size == 0:
            return
        key = (question, tuple(history))
        with self._lock:
            self._switch(build)
            self._entries[key] = answer
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
