"""A real PolicyBot web server for tests: ``python -m bot serve`` in a subprocess on a free loopback port.

Each server gets its own SQLite file; all share one index built once per test session into a temporary
folder. Nothing is mocked: the tests talk HTTP to uvicorn, which runs the real models.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
AGENT_PASSWORD = "test-agent-password"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "GRADIO_"))}
    if "BOT_VECTOR_CACHE" in os.environ:  # the session's shared vectors (tests/conftest.py): a cache, not a setting
        env["BOT_VECTOR_CACHE"] = os.environ["BOT_VECTOR_CACHE"]
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "GRADIO_ANALYTICS_ENABLED": "False"})
    env.update(extra)
    return env


def build_index(tmp_path_factory: Any) -> Path:
    """The corpus indexed once per session (with ``python -m bot index``) into a temporary folder."""
    path = Path(tmp_path_factory.getbasetemp()) / "serving-index"
    if not (path / "CURRENT").exists():
        subprocess.run(
            [sys.executable, "-m", "bot", "index"],
            cwd=ROOT,
            env=_clean_env(BOT_INDEX_DIR=str(path)),
            check=True,
            capture_output=True,
            timeout=600,
        )
    return path


class LiveServer:
    """``python -m bot serve`` with ``BOT_*`` settings from keyword arguments; ``start``/``stop`` repeatable."""

    def __init__(self, workdir: Path, index_dir: Path, **settings: str) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{(workdir / 'policybot.db').as_posix()}"
        self.log_path = workdir / "server.log"
        self.env = _clean_env(
            BOT_INDEX_DIR=str(index_dir),
            BOT_DATABASE_URL=self.database_url,
            BOT_AGENT_PASSWORD=AGENT_PASSWORD,
            **{f"BOT_{k.upper()}": v for k, v in settings.items()},
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 240, expect_ready: bool = True) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                r = httpx.get(self.url + "/api/health", timeout=5)
            except httpx.TransportError:
                time.sleep(0.3)
                continue
            if r.status_code == 200 or (not expect_ready and r.json().get("status") == "failed"):
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""


@contextmanager
def serve(tmp_path_factory: Any, name: str, /, *, expect_ready: bool = True, **settings: str) -> Iterator[LiveServer]:
    """A started :class:`LiveServer` on the session's index, with its own folder (``name``) and SQLite file.

    ``settings`` become ``BOT_*`` variables, as for :class:`LiveServer`. The server is stopped on the way out,
    whatever happened inside (and if it failed to start).
    """
    srv = LiveServer(tmp_path_factory.mktemp(name), build_index(tmp_path_factory), **settings)
    try:
        srv.start(expect_ready=expect_ready)
        yield srv
    finally:
        srv.stop()


def client_fixture(timeout: float) -> Any:
    """A module-scoped ``client`` fixture: an ``httpx.Client`` on the module's ``server`` fixture.

    Use it as ``client = client_fixture(timeout=120)`` at the top level of a test module.
    """

    @pytest.fixture(scope="module")
    def client(server: LiveServer) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=server.url, timeout=timeout) as c:
            yield c

    return client


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, with no background traffic (the machine has no network)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


@contextmanager
def host_page(html: Callable[[], str]) -> Iterator[ThreadingHTTPServer]:
    """Another company's site on a free loopback port: every GET answers the page ``html()`` returns (called per
    request, so the page can name a widget server started later)."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
