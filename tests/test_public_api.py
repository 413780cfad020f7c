"""``bot/__init__.py``: the public API is a handful of names, and importing the package loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bot

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "sentence_transformers", "gradio", "faiss", "onnxruntime", "langchain_core", "fastapi")


def test_the_public_names_are_the_real_classes() -> None:
    from bot.answer import Answer
    from bot.langchain_adapter import PolicyRetriever
    from bot.pipeline import PolicyBot
    from bot.settings import Settings

    assert sorted(bot.__all__) == ["Answer", "PolicyBot", "PolicyRetriever", "Settings"]
    assert (bot.PolicyBot, bot.Answer, bot.Settings, bot.PolicyRetriever) == (
        PolicyBot,
        Answer,
        Settings,
        PolicyRetriever,
    )
    assert set(bot.__all__) <= set(dir(bot))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        bot.NoSuchThing  # noqa: B018


def test_importing_the_package_loads_no_heavy_module() -> None:
    code = f"import sys, bot; from bot import Settings; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
