"""PolicyQA predictions: for each policy, index that policy alone, then retrieve and ask each of its questions.

Reads any folder shaped like the benchmark's::

    DIR/policies.jsonl    {"policy_id": ..., ...}                      one line per policy
    DIR/policies/<policy_id>.txt                                       the policy text
    DIR/questions.jsonl   {"qid": ..., "policy_id": ..., "question": ...}

and writes one prediction line per question, the shape ``score_policyqa.py policyqa`` reads::

    {"qid": ..., "ranked_spans": [[start, end], ...], "quotes": ["...", ...]}

``ranked_spans`` are the top 10 retrieved chunks, best first, as character offsets into the policy's txt file;
``quotes`` are the answer's cited quotes (none when the bot refuses). The policies are parsed and chunked by the
bot's own parser and chunker; each index lives in a temporary folder.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidQuestionError
from ..pipeline import PolicyBot
from ..settings import Settings
from .dataset import DatasetError

TOP_K = 10


@dataclass(frozen=True)
class PolicyQAReport:
    out: Path
    policies: int
    questions: int
    chunks: int
    avg_chunk_chars: float
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "policies": self.policies,
            "questions": self.questions,
            "chunks": self.chunks,
            "avg_chunk_chars": round(self.avg_chunk_chars, 1),
            "seconds": round(self.seconds, 1),
        }


def read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of a JSONL file, each an object with string ``required`` fields; DatasetError names file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from exc
    rows = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from exc
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) and row[k] for k in required):
            raise DatasetError(f"{path}:{lineno}: needs string fields {list(required)}")
        rows.append(row)
    return rows


def load_folder(data_dir: Path, limit: int | None = None) -> list[tuple[str, Path, list[dict[str, Any]]]]:
    """(policy_id, txt path, its questions) for each policy with at least one of the first ``limit`` questions."""
    policies = read_jsonl(data_dir / "policies.jsonl", ("policy_id",))
    questions = read_jsonl(data_dir / "questions.jsonl", ("qid", "policy_id", "question"))
    if limit is not None:
        questions = questions[:limit]
    known = {p["policy_id"] for p in policies}
    orphans = sorted({q["policy_id"] for q in questions} - known)
    if orphans:
        raise DatasetError(f"{data_dir / 'questions.jsonl'}: policies not in policies.jsonl: {orphans[:5]}")
    grouped: list[tuple[str, Path, list[dict[str, Any]]]] = []
    for p in policies:
        mine = [q for q in questions if q["policy_id"] == p["policy_id"]]
        if not mine:
            continue
        txt = data_dir / "policies" / f"{p['policy_id']}.txt"
        if not txt.is_file():
            raise DatasetError(f"{txt}: no such policy file")
        grouped.append((p["policy_id"], txt, mine))
    return grouped


def predict(bot: PolicyBot, question: str) -> tuple[list[list[int]], list[str]]:
    """(ranked spans of the top-10 chunks, cited quotes) for one question.

    With ``top_k`` = 10 in the bot's settings, ``ask`` retrieves exactly ``bot.retrieve(question, top_k=10)``
    (the answer only reads the first hits), so its ``retrieved`` is reused instead of retrieving twice; questions
    the guard refuses before retrieval fall back to ``retrieve``.
    """
    try:
        answer = bot.ask(question)
    except InvalidQuestionError:
        answer = None
    hits = list(answer.retrieved) if answer is not None and answer.retrieved else bot.retrieve(question, top_k=TOP_K)
    spans = [[h.chunk.start, h.chunk.end] for h in hits[:TOP_K]]
    quotes = [c.quote for c in answer.citations] if answer is not None and not answer.refused else []
    return spans, quotes


def run_policyqa(
    data_dir: Path,
    out: Path,
    base: Settings,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> PolicyQAReport:
    """Write predictions for the questions of ``data_dir`` (the first ``limit`` of them) to ``out``.

    Each policy is indexed with ``base`` settings, but its own corpus, root and a temporary index folder.
    """
    began = time.perf_counter()
    groups = load_folder(data_dir, limit)
    shared: PolicyBot | None = None
    lengths: list[int] = []
    written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="policyqa-") as work, out.open("w", encoding="utf-8") as fh:
        for n, (policy_id, txt, questions) in enumerate(groups, start=1):
            settings = base.model_copy(
                update={
                    "root": txt.parent,
                    "corpus": (Path(txt.name),),
                    "index_dir": Path(work) / policy_id,
                    "top_k": TOP_K,
                }
            )
            bot = PolicyBot(settings)
            if shared is not None:  # one copy of the models for every policy
                bot.embedder, bot.reranker = shared.embedder, shared.reranker
            shared = shared or bot
            t0 = time.perf_counter()
            bot.build()
            chunks = bot.index.chunks
            lengths += [c.end - c.start for c in chunks]
            for q in questions:
                spans, quotes = predict(bot, q["question"])
                fh.write(
                    json.dumps({"qid": q["qid"], "ranked_spans": spans, "quotes": quotes}, ensure_ascii=False) + "\n"
                )
                written += 1
            if progress:
                progress(
                    f"[{n}/{len(groups)}] {policy_id}: {len(chunks)} chunks, {len(questions)} questions, "
                    f"{time.perf_counter() - t0:.1f}s"
                )
    average = sum(lengths) / len(lengths) if lengths else 0.0
    return PolicyQAReport(out, len(groups), written, len(lengths), average, time.perf_counter() - began)
