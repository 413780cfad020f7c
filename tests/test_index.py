"""The index: FAISS file + JSON + manifest, round trip, staleness and corruption detection, no pickles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from bot.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from bot.index_read import current_build, load_index, read_manifest
from bot.pipeline import PolicyBot
from bot.settings import Settings


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / "infrascale-privacy-policy.md", corpus / "policy.md")
    return corpus


def _bot(tmp_path: Path, corpus: Path, shared: PolicyBot) -> PolicyBot:
    settings = Settings(root=tmp_path, corpus=(corpus,), index_dir=tmp_path / "index", vector_cache=None)
    policy_bot = PolicyBot(settings)
    policy_bot.embedder = shared.embedder  # reuse the loaded model; it is the same configured model
    policy_bot.reranker = shared.reranker
    return policy_bot


def test_round_trip_and_manifest(tmp_path: Path, small_corpus: Path, bot: PolicyBot) -> None:
    policy_bot = _bot(tmp_path, small_corpus, bot)
    report = policy_bot.build()
    build = current_build(tmp_path / "index")
    assert {"chunks.json", "index.faiss", "manifest.json"} <= {p.name for p in build.iterdir()}
    manifest = read_manifest(tmp_path / "index")
    assert manifest["corpus"].keys() == {"corpus/policy.md"}
    assert manifest["embedding_fingerprint"].startswith("model.safetensors:sha256:")
    assert manifest["chunking"] == {"sentences": 3, "overlap": 1, "max_chars": 1200}
    assert "faiss-cpu" in manifest["packages"]
    loaded = load_index(tmp_path / "index", tmp_path)
    assert len(loaded.chunks) == report.chunks == loaded.faiss_index.ntotal
    assert report.embedded == report.chunks and report.reused == 0
    again = policy_bot.build()
    assert again.embedded == 0 and again.reused == again.chunks


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="python -m bot index"):
        load_index(tmp_path / "nothing-here")


def test_stale_index_is_rebuilt_or_reported(tmp_path: Path, small_corpus: Path, bot: PolicyBot) -> None:
    policy_bot = _bot(tmp_path, small_corpus, bot)
    policy_bot.build()
    policy = small_corpus / "policy.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\n## Extra\n\nWe now also collect shoe sizes.\n", "utf-8")
    with pytest.raises(IndexStaleError, match="changed since the index was built"):
        policy_bot.load(rebuild=False)
    fresh = policy_bot.load(rebuild=True)
    assert any("shoe sizes" in c.text for c in fresh.chunks)


def test_index_for_another_model_is_stale(tmp_path: Path, small_corpus: Path, bot: PolicyBot) -> None:
    policy_bot = _bot(tmp_path, small_corpus, bot)
    policy_bot.build()
    manifest_path = current_build(tmp_path / "index") / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["embedding_fingerprint"] = "model.safetensors:sha256:0000"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexStaleError, match="embedding_fingerprint"):
        policy_bot.load(rebuild=False)


def test_corrupted_faiss_file_is_detected(tmp_path: Path, small_corpus: Path, bot: PolicyBot) -> None:
    policy_bot = _bot(tmp_path, small_corpus, bot)
    policy_bot.build()
    faiss_file = current_build(tmp_path / "index") / "index.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="does not match its manifest hash"):
        load_index(tmp_path / "index", tmp_path)


def test_loading_never_unpickles() -> None:
    for module in ("index.py", "index_read.py"):  # what writes the index, and what reads it back
        source = (ROOT / "bot" / module).read_text(encoding="utf-8")
        assert "pickle" not in source.replace("unpickles", "")
        assert "allow_pickle=True" not in source
