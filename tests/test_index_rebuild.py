"""What a rebuild reuses and reports: build folders, another model's vectors, builds without section hashes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import ROOT

from bot.chunking import ChunkParams
from bot.index import build_index
from bot.index_read import current_build, load_index
from bot.pipeline import PolicyBot
from bot.policy import Document, read_policy

NOTICE_SOURCE = "tests/fixtures/infrascale-cookie-notice.md"


def _notice_only(tmp_path: Path) -> tuple[list[Document], Path]:
    return [read_policy(ROOT / NOTICE_SOURCE, NOTICE_SOURCE)], tmp_path / "index"


def test_builds_in_quick_succession_get_their_own_folders(tmp_path: Path, bot: PolicyBot) -> None:
    documents, index_dir = _notice_only(tmp_path)
    reports = [build_index(documents, bot.embedder, ChunkParams(), index_dir) for _ in range(3)]
    assert len({r.path for r in reports}) == 3
    assert current_build(index_dir) == reports[-1].path
    assert sorted(p.name for p in index_dir.glob("build-*")) == [r.path.name for r in reports[1:]]
    assert [(r.embedded, r.reused) for r in reports] == [(7, 0), (0, 7), (0, 7)]
    assert reports[2].previous == reports[1].path.name and reports[2].unchanged == 7


def test_vectors_of_another_embedding_model_are_not_reused(tmp_path: Path, bot: PolicyBot) -> None:
    documents, index_dir = _notice_only(tmp_path)
    first = build_index(documents, bot.embedder, ChunkParams(), index_dir)
    manifest_path = first.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["embedding_fingerprint"] = "model.safetensors:sha256:" + "0" * 64  # as if built by other weights
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    report = build_index(documents, bot.embedder, ChunkParams(), index_dir)
    assert (report.embedded, report.reused) == (report.chunks, 0)
    assert report.changes == () and report.unchanged == report.sections  # the text itself did not change


def test_a_build_made_before_section_hashes_were_stored_is_still_reused(tmp_path: Path, bot: PolicyBot) -> None:
    documents, index_dir = _notice_only(tmp_path)
    first = build_index(documents, bot.embedder, ChunkParams(), index_dir)
    meta_path, manifest_path = first.path / "chunks.json", first.path / "manifest.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for doc in meta["documents"]:
        del doc["section_hashes"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["chunks.json"] = hashlib.sha256(meta_path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert load_index(index_dir, ROOT).chunks  # still a valid build

    report = build_index(documents, bot.embedder, ChunkParams(), index_dir)
    assert report.previous is None and report.reused == report.chunks  # nothing to compare sections with
