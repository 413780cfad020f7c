"""Index integrity beyond tests/test_index.py: damaged files, mismatched metadata, another corpus, a killed build.

A damaged or inconsistent index is a clear error (``IndexCorruptError``, and a 503 naming it on the live
server) or, when it is merely stale, an automatic rebuild; never a silent wrong answer. A build killed
partway leaves ``CURRENT`` on the old build, which keeps serving.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import faiss
import httpx
import numpy as np
import pytest
from live_server import ROOT, LiveServer, _clean_env
from reliability_support import record

from bot.errors import IndexCorruptError, IndexStaleError
from bot.index_read import current_build, load_index
from bot.pipeline import PolicyBot
from bot.settings import Settings

NOTICE = "tests/fixtures/infrascale-cookie-notice.md"
QUESTION = "How can I disable cookies?"


def _bot(index_dir: Path, shared: PolicyBot) -> PolicyBot:
    small = PolicyBot(Settings(root=ROOT, corpus=(Path(NOTICE),), index_dir=index_dir))
    small.embedder = shared.embedder  # the configured model, already loaded
    small.reranker = shared.reranker
    return small


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, bot: PolicyBot) -> Path:
    """A good index of the cookie notice, built once; tests damage copies of it."""
    index_dir = tmp_path_factory.mktemp("pristine") / "index"
    _bot(index_dir, bot).build()
    return index_dir


@pytest.fixture
def index_dir(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(pristine, copy)
    return copy


def _rehash(build: Path, name: str) -> None:
    """Make the manifest agree with a file we changed: the damage is then only visible inside the file."""
    manifest_path = build / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][name] = hashlib.sha256((build / name).read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("name", ["chunks.json", "query_encoder/model.onnx", "query_encoder/tokenizer.json"])
def test_any_truncated_file_fails_its_manifest_hash(index_dir: Path, name: str) -> None:
    target = current_build(index_dir) / name
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    with pytest.raises(IndexCorruptError, match="does not match its manifest hash"):
        load_index(index_dir, ROOT)


def test_a_garbage_faiss_file_with_a_matching_hash_is_still_caught(index_dir: Path) -> None:
    build = current_build(index_dir)
    (build / "index.faiss").write_bytes(os.urandom(4096))
    _rehash(build, "index.faiss")
    with pytest.raises(IndexCorruptError, match="damaged index"):
        load_index(index_dir, ROOT)


@pytest.mark.parametrize("change", ["fewer vectors", "other dimension"])
def test_vectors_that_do_not_match_the_metadata(index_dir: Path, change: str) -> None:
    build = current_build(index_dir)
    good = faiss.read_index(str(build / "index.faiss"))
    n, d = good.ntotal, good.d
    other = faiss.IndexFlatIP(d if change == "fewer vectors" else d // 2)
    other.add(np.ones((n - 1 if change == "fewer vectors" else n, other.d), dtype=np.float32))
    faiss.write_index(other, str(build / "index.faiss"))
    _rehash(build, "index.faiss")
    with pytest.raises(IndexCorruptError, match="FAISS holds"):
        load_index(index_dir, ROOT)


def test_chunk_metadata_that_does_not_match_the_text_is_caught(index_dir: Path) -> None:
    build = current_build(index_dir)
    meta = json.loads((build / "chunks.json").read_text(encoding="utf-8"))
    for chunk in meta["chunks"]:
        chunk["start"] += 7
        chunk["end"] += 7
    (build / "chunks.json").write_text(json.dumps(meta), encoding="utf-8")
    _rehash(build, "chunks.json")
    with pytest.raises(IndexCorruptError):
        load_index(index_dir, ROOT)


def test_unreadable_manifest_and_dangling_current(index_dir: Path) -> None:
    build = current_build(index_dir)
    (build / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="unreadable index manifest"):
        load_index(index_dir, ROOT)
    (index_dir / "CURRENT").write_text("build-that-was-deleted", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="which does not exist"):
        load_index(index_dir, ROOT)


def test_a_manifest_for_another_corpus_is_stale_and_rebuilt(index_dir: Path, bot: PolicyBot) -> None:
    build = current_build(index_dir)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["corpus"] = {"corpus/some-other-policy.md": "0" * 64}
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    small = _bot(index_dir, bot)
    with pytest.raises(IndexStaleError):
        small.load(rebuild=False)
    small.warm_up()  # rebuilds by itself
    assert current_build(index_dir) != build
    assert set(small.index.manifest["corpus"]) == {NOTICE}
    answer = small.ask(QUESTION)
    assert not answer.refused and all(c.source == NOTICE for c in answer.citations)


def _half_written(index_dir: Path) -> Path:
    """What a build killed after its folder was made leaves behind: a newer build folder, some files cut short."""
    good = current_build(index_dir)
    half = index_dir / "build-99991231T235959.999999-1"
    (half / "query_encoder").mkdir(parents=True)
    (half / "index.faiss").write_bytes((good / "index.faiss").read_bytes()[:64])
    (half / "query_encoder" / "model.onnx").write_bytes((good / "query_encoder" / "model.onnx").read_bytes()[:4096])
    return half


def test_a_half_written_build_folder_leaves_the_old_index_serving(index_dir: Path, bot: PolicyBot) -> None:
    good = current_build(index_dir)
    half = _half_written(index_dir)
    small = _bot(index_dir, bot)
    small.warm_up()
    assert small.index.path == good
    before = small.ask(QUESTION)
    assert not before.refused
    # The next build ignores the debris (its encoder has no valid encoder.json, so it is not copied).
    report = _bot(index_dir, bot).build()
    assert current_build(index_dir) == report.path not in (good, half)
    fresh = _bot(index_dir, bot)
    assert [c.quote for c in fresh.ask(QUESTION).citations] == [c.quote for c in before.citations]


def test_killing_python_m_bot_index_mid_build_leaves_the_old_index_serving(index_dir: Path, bot: PolicyBot) -> None:
    good = current_build(index_dir)
    before = [c.quote for c in _bot(index_dir, bot).ask(QUESTION).citations]
    env = _clean_env(BOT_INDEX_DIR=str(index_dir), BOT_CORPUS=json.dumps([NOTICE]))
    proc = subprocess.Popen([sys.executable, "-m", "bot", "index"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    landed = "before the new build folder"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            if any(p != good for p in index_dir.glob("build-*")):
                landed = "inside the new build folder"
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert current_build(index_dir) == good, "CURRENT moved to a build that was never finished"
    survivor = _bot(index_dir, bot)
    assert [c.quote for c in survivor.ask(QUESTION).citations] == before
    record("index_kill_mid_build", killed=landed, current_unchanged=True, answers_unchanged=True)


def test_a_server_over_a_damaged_index_says_so(index_dir: Path, tmp_path: Path) -> None:
    faiss_file = current_build(index_dir) / "index.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    srv = LiveServer(tmp_path / "srv", index_dir, corpus=json.dumps([NOTICE]))
    srv.workdir.mkdir()
    srv.start(expect_ready=False)
    try:
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            health = client.get("/api/health")
            assert health.status_code == 503 and health.json()["status"] == "failed"
            assert "does not match its manifest hash" in health.json()["detail"]
            ask = client.post("/api/ask", json={"question": QUESTION})
            assert ask.status_code == 503 and "could not start" in ask.json()["detail"]
    finally:
        srv.stop()
