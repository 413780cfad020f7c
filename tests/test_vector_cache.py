"""The vector cache: an index built in a fresh folder reuses what any build sharing the cache file embedded."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from bot import onnx_embed
from bot.chunking import ChunkParams
from bot.embedding import Embedder
from bot.index import build_index
from bot.index_read import load_index
from bot.onnx_embed import OnnxEmbedder
from bot.pipeline import PolicyBot
from bot.policy import read_policy
from bot.vector_cache import VectorCache

NOTICE_SOURCE = "tests/fixtures/infrascale-cookie-notice.md"


def test_a_fresh_folder_embeds_nothing_the_cache_holds(tmp_path: Path, bot: PolicyBot) -> None:
    documents = [read_policy(ROOT / NOTICE_SOURCE, NOTICE_SOURCE)]
    cache = VectorCache(tmp_path / "cache" / "vectors.sqlite")
    first = build_index(documents, bot.embedder, ChunkParams(), tmp_path / "one", cache=cache)
    second = build_index(documents, bot.embedder, ChunkParams(), tmp_path / "two", cache=cache)
    assert (first.embedded, first.reused) == (first.chunks, 0)
    assert (second.embedded, second.reused) == (0, second.chunks), "a fresh folder reused the cached vectors"
    one, two = (load_index(tmp_path / name).faiss_index for name in ("one", "two"))
    assert np.array_equal(one.reconstruct_n(0, one.ntotal), two.reconstruct_n(0, two.ntotal))
    other = ChunkParams(sentences=2, overlap=0)  # other chunks: other texts, embedded afresh
    third = build_index(documents, bot.embedder, other, tmp_path / "three", cache=cache)
    assert third.embedded > 0


def test_an_unreadable_cache_is_skipped_and_the_build_goes_on(
    tmp_path: Path, bot: PolicyBot, caplog: pytest.LogCaptureFixture
) -> None:
    documents = [read_policy(ROOT / NOTICE_SOURCE, NOTICE_SOURCE)]
    broken = tmp_path / "vectors.sqlite"
    broken.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        report = build_index(documents, bot.embedder, ChunkParams(), tmp_path / "index", cache=VectorCache(broken))
    assert report.embedded == report.chunks and load_index(tmp_path / "index").faiss_index.ntotal == report.chunks
    assert "could not be read" in caplog.text


def test_a_warm_cache_builds_a_fresh_folder_without_loading_the_model(
    tmp_path: Path, bot: PolicyBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = [read_policy(ROOT / NOTICE_SOURCE, NOTICE_SOURCE)]
    cache = VectorCache(tmp_path / "cache" / "vectors.sqlite")
    build_index(documents, bot.embedder, ChunkParams(), tmp_path / "one", cache=cache)
    monkeypatch.setattr(onnx_embed, "_EXPORTED", {})  # as in a new process: only the cache remembers the export
    cold = Embedder(bot.embedder.model_name)
    report = build_index(documents, cold, ChunkParams(), tmp_path / "two", cache=cache)
    assert report.embedded == 0 and not cold.loaded, "vectors and the query encoder came from the cache"
    assert load_index(tmp_path / "two").faiss_index.ntotal == report.chunks

    kept = next((tmp_path / "cache").glob("vectors-encoders/*/model.onnx"))
    kept.write_bytes(b"not a model")  # a damaged kept encoder is never copied: the build exports its own
    monkeypatch.setattr(onnx_embed, "_EXPORTED", {})
    other = Embedder(bot.embedder.model_name)
    build_index(documents, other, ChunkParams(), tmp_path / "three", cache=cache)
    assert other.loaded
    encoder = OnnxEmbedder.for_build(load_index(tmp_path / "three").path, other.model_name)
    vectors = encoder.encode(["Do you use cookies?"])
    assert vectors.shape == (1, load_index(tmp_path / "three").faiss_index.d)

    # and the damaged copy was replaced: the next build copies it again, no model loaded
    monkeypatch.setattr(onnx_embed, "_EXPORTED", {})
    fourth = Embedder(bot.embedder.model_name)
    build_index(documents, fourth, ChunkParams(), tmp_path / "four", cache=cache)
    assert not fourth.loaded
