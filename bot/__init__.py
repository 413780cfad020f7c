"""PolicyBot: answers questions about a privacy policy with verbatim, cited, verified quotes.

The public API::

    from bot import PolicyBot, Settings

    bot = PolicyBot(Settings())
    bot.warm_up()
    answer = bot.ask("Do you sell my data?")  # an Answer: .answer, .citations, .refused ...

``PolicyRetriever`` is the same retrieval as a LangChain ``BaseRetriever``. The names are imported on first use, so
``import bot`` loads no model, no index library and no LangChain.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .answer import Answer
    from .langchain_adapter import PolicyRetriever
    from .pipeline import PolicyBot
    from .settings import Settings

__all__ = ["Answer", "PolicyBot", "PolicyRetriever", "Settings"]

_HOMES = {
    "Answer": ".answer",
    "PolicyBot": ".pipeline",
    "PolicyRetriever": ".langchain_adapter",
    "Settings": ".settings",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'bot' has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
