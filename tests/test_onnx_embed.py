"""The ONNX query encoder: it agrees with sentence-transformers, is part of the build, and asking needs no torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.embedding import Embedder
from bot.errors import IndexCorruptError
from bot.index_read import load_index, sha256_file
from bot.onnx_embed import ENCODER_DIR, MIN_COSINE, OnnxEmbedder, min_cosine, write_query_encoder
from bot.pipeline import PolicyBot
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "evals" / "datasets" / "golden.jsonl"


def golden_questions() -> list[str]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return sorted({json.loads(line)["question"] for line in lines if line.strip()})


def test_min_cosine() -> None:
    a = np.array([[1.0, 0.0], [0.0, 2.0]])
    assert min_cosine(a, a) == pytest.approx(1.0)
    assert min_cosine(a, np.array([[1.0, 0.0], [2.0, 0.0]])) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="shapes differ"):
        min_cosine(a, a[:1])


def test_onnx_vectors_match_sentence_transformers(bot: PolicyBot) -> None:
    questions = golden_questions()
    reference = bot.embedder.encode(questions)
    encoder = OnnxEmbedder.for_build(bot.index.path, bot.embedder.model_name)
    batched = encoder.encode(questions)  # batches of 32, padded: the mask must be honoured
    one_by_one = np.vstack([encoder.encode([q]) for q in questions[:40]])
    assert batched.shape == reference.shape
    assert batched.dtype == np.float32
    assert min_cosine(reference, batched) >= MIN_COSINE
    assert min_cosine(reference[:40], one_by_one) >= MIN_COSINE
    assert np.linalg.norm(batched, axis=1) == pytest.approx(np.ones(len(questions)), abs=1e-5)


def test_build_holds_the_encoder_and_its_hashes(bot: PolicyBot) -> None:
    build = bot.index.path
    manifest = bot.index.manifest
    for name in ("model.onnx", "tokenizer.json"):
        assert manifest["files"][f"{ENCODER_DIR}/{name}"] == sha256_file(build / ENCODER_DIR / name)
    assert manifest["query_encoder"]["min_cosine"] >= MIN_COSINE
    assert manifest["query_encoder_recipe"] >= 1


def test_a_damaged_encoder_is_refused(bot: PolicyBot, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(bot.index.path, index_dir / bot.index.path.name)
    (index_dir / "CURRENT").write_text(bot.index.path.name, encoding="utf-8")
    with (index_dir / bot.index.path.name / ENCODER_DIR / "model.onnx").open("r+b") as fh:
        fh.seek(-16, os.SEEK_END)
        fh.write(b"\0" * 16)
    with pytest.raises(IndexCorruptError, match=r"model\.onnx does not match"):
        load_index(index_dir, ROOT)


class NoModelEmbedder(Embedder):
    """An embedder whose model must not be needed: reusing an earlier export loads nothing."""

    @property
    def sentence_transformer(self) -> Any:
        raise AssertionError("the model was loaded although an earlier export could be reused")


def test_an_earlier_export_is_copied_without_loading_the_model(bot: PolicyBot, tmp_path: Path) -> None:
    earlier = bot.index.path / ENCODER_DIR
    spec = json.loads((earlier / "encoder.json").read_text(encoding="utf-8"))
    copied = write_query_encoder(
        NoModelEmbedder(bot.embedder.model_name), spec["embedding_fingerprint"], tmp_path / "enc", (earlier,)
    )
    assert copied["files"] == spec["files"]
    assert sha256_file(tmp_path / "enc" / "model.onnx") == spec["files"]["model.onnx"]


PROBE = """
import runpy, sys
sys.argv = ["bot", "ask", "Do you use cookies?", "--json"]
try:
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(m for m in ("torch", "sentence_transformers", "transformers", "gradio") if m in sys.modules)))
"""


def test_asking_never_imports_torch(bot: PolicyBot, settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env |= {"BOT_ROOT": str(ROOT), "BOT_INDEX_DIR": str(settings.resolved_index_dir()), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    answer_json, _, modules = done.stdout.rpartition("\n[")
    assert json.loads("[" + modules) == []
    assert json.loads(answer_json)["citations"], done.stdout
