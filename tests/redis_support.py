"""A throwaway Redis for tests: Debian's ``redis-server``, on 127.0.0.1 at a free port, in a temporary folder.

``throwaway_redis()`` installs the package when it is missing (as root: ``apt-get install redis-server``), starts
a server that persists nothing, yields its URL and a ``stop()`` for tests that take it away, and stops it afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from live_server import free_port

APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


def ensure_redis() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("redis-server is not installed, and installing it needs root (apt-get install redis-server)")
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "redis-server"]):
        subprocess.run(cmd, check=True, capture_output=True, timeout=900, env=APT_ENV)
    found = shutil.which("redis-server")
    assert found, "apt-get installed redis-server but it is not on PATH"
    return found


@contextmanager
def throwaway_redis() -> Iterator[tuple[str, Callable[[], None]]]:
    """``(url, stop)``: ``redis://127.0.0.1:PORT/0`` of a fresh server, and a function that stops it early."""
    binary = ensure_redis()
    folder = Path(tempfile.mkdtemp(prefix="policybot-redis-"))
    port = free_port()
    args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder), "--save", ""]
    args += ["--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no", "--logfile", ""]
    log = (folder / "redis.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    url = f"redis://127.0.0.1:{port}/0"

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)

    try:
        client = redis.Redis.from_url(url, socket_timeout=1)
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start:\n{(folder / 'redis.log').read_text()}") from None
                time.sleep(0.1)
        client.close()
        yield url, stop
    finally:
        stop()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
