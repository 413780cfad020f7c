"""A throwaway PostgreSQL cluster for tests: Debian's ``postgresql`` package, a cluster in a temp folder, loopback only.

``throwaway_postgres()`` installs the package when it is missing (as root: ``apt-get install postgresql``),
runs ``initdb`` as the ``postgres`` user (initdb refuses root), starts the server on 127.0.0.1 at a free port
with trust authentication, yields a SQLAlchemy URL (psycopg 3), and stops and deletes the cluster afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from live_server import free_port

APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


def postgres_bin() -> Path | None:
    """The newest installed server's bin folder (/usr/lib/postgresql/<version>/bin), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def ensure_postgres() -> Path:
    found = postgres_bin()
    if found is not None:
        return found
    if os.geteuid() != 0:
        pytest.skip("PostgreSQL is not installed, and installing it needs root (apt-get install postgresql)")
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "postgresql"]):
        subprocess.run(cmd, check=True, capture_output=True, timeout=900, env=APT_ENV)
    found = postgres_bin()
    assert found is not None, "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb"
    return found


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A fresh cluster on 127.0.0.1; yields ``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``."""
    bindir = ensure_postgres()
    # Not under pytest's tmp folder: that is private to root, and the server runs as ``postgres``.
    base = Path(tempfile.mkdtemp(prefix="policybot-pg-"))
    data, log = base / "data", base / "server.log"
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, timeout=120, cwd=base)

    run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    options = f"-h 127.0.0.1 -p {port} -k {base} -c max_connections=50"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"],
            capture_output=True,
            timeout=120,
            cwd=base,
        )
        shutil.rmtree(base, ignore_errors=True)
