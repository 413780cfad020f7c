"""Vectors kept across index builds: a text embedded once is not embedded again by any build that shares the file.

A rebuild in the same index folder already reuses its previous build's vectors (``bot/index.py``). This cache
serves every index folder on a machine: a fresh folder, a second corpus that shares a policy, a CI job that builds
several indexes of the same texts. It is one SQLite file (the standard library's ``sqlite3``: safe for several
processes at once), keyed by the embedding model's fingerprint and the SHA-256 of the text embedded, so a vector is
only ever reused for the same text under the same weights. A cache that cannot be read or written is logged and
skipped: the build embeds as it would without one. Beside the file, ``<name>-encoders/`` keeps each model's
exported ONNX query encoder (``bot/onnx_embed.py``), so a build in a fresh folder copies it instead of exporting it
again; the build checks a kept folder's file hashes before it uses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key))"
_BATCH = 500  # keys per query: under SQLite's limit on bound parameters


class VectorCache:
    """Config in ``__init__`` (the file); ``get`` and ``put`` per build. Opens the file per call (no state)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=60)
        connection.execute(_SCHEMA)
        return connection

    def get(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors kept for ``keys`` (text hashes) under ``model`` (its fingerprint); missing keys are absent."""
        found: dict[str, np.ndarray] = {}
        try:
            with contextlib.closing(self._connect()) as db, db:
                for at in range(0, len(keys), _BATCH):
                    batch = list(keys[at : at + _BATCH])
                    marks = ",".join("?" * len(batch))
                    query = f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})"
                    rows = db.execute(query, [model, *batch])
                    found.update((key, np.frombuffer(blob, dtype=np.float32).copy()) for key, blob in rows)
        except sqlite3.Error as exc:
            log.warning("the vector cache %s could not be read (%s); embedding without it", self.path, exc)
            return {}
        return found

    def put(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Keep ``vectors`` (by text hash) under ``model``; a key already kept is left as it is."""
        rows = [(model, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in vectors.items()]
        try:
            with contextlib.closing(self._connect()) as db, db:
                db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)", rows)
        except sqlite3.Error as exc:
            log.warning("the vector cache %s could not be written (%s); the build goes on", self.path, exc)

    def encoder_folder(self, fingerprint: str) -> Path:
        """Where the query encoder exported from the weights ``fingerprint`` is kept (it may not exist)."""
        digest = hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:16]
        return self.path.with_name(f"{self.path.stem}-encoders") / digest

    def keep_folder(self, source: Path, dest: Path, intact: Callable[[Path], bool] | None = None) -> None:
        """Copy the folder ``source`` to ``dest`` whole (a copy renamed into place), unless ``dest`` exists and
        ``intact`` (when given) says it is: a damaged copy is set aside and replaced."""
        if dest.exists() and (intact is None or intact(dest)):
            return
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=dest.parent))
            shutil.copytree(source, staging, dirs_exist_ok=True)
            if dest.exists():  # damaged: out of the way first (a rename, so no reader sees half a folder)
                aside = Path(tempfile.mkdtemp(prefix=".damaged-", dir=dest.parent))
                with contextlib.suppress(OSError):
                    os.rename(dest, aside / dest.name)
                shutil.rmtree(aside, ignore_errors=True)
            try:
                os.rename(staging, dest)
            except OSError:  # another build kept it first
                shutil.rmtree(staging, ignore_errors=True)
        except OSError as exc:
            log.warning("the vector cache could not keep %s (%s); the build goes on", source, exc)
