"""Security basics on a real server: no unpickling anywhere, the console behind a login, the CORS allowlist,
a Content-Security-Policy and hardening headers on every HTML page."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import AGENT_PASSWORD, ROOT, LiveServer, build_index, client_fixture, serve
from reliability_support import record

from bot.serve.app import create_app
from bot.settings import Settings

ALLOWED = "https://shop.example"
BOT = ROOT / "bot"
# Modules whose loaders execute code from the bytes they read.
PICKLING_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal", "pandas"}
UNSAFE_CALLS = {("torch", "load"), ("yaml", "load"), ("yaml", "unsafe_load"), ("yaml", "full_load"), ("np", "load")}
PICKLE_SUFFIXES = {".pkl", ".pickle", ".pt", ".pth", ".bin", ".joblib", ".npy", ".npz", ".ckpt"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory, "security", allowed_origins=ALLOWED, rate_limit="30/minute") as srv:
        yield srv


client = client_fixture(timeout=60)


# -- nothing is ever unpickled -------------------------------------------------------------------------
def _unsafe_loads(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in PICKLING_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PICKLING_MODULES:
            found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if (name, node.func.attr) in UNSAFE_CALLS:
                safe_yaml = any(k.arg == "Loader" and "Safe" in ast.unparse(k.value) for k in node.keywords)
                if not safe_yaml:
                    found.append(f"{name}.{node.func.attr}()")
        if isinstance(node, ast.keyword) and node.arg == "allow_pickle":
            found.append(f"allow_pickle={ast.unparse(node.value)}")
    return [f"{path.relative_to(root)}: {f}" for f in found]


def test_no_code_in_bot_can_unpickle() -> None:
    files = sorted(BOT.rglob("*.py"))
    assert len(files) > 20
    found = [f for path in files for f in _unsafe_loads(path)]
    assert found == []
    # The plain-text version of the same rule, for what the AST walk might not see (strings passed to eval...).
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "allow_pickle=True" not in text and "torch.load(" not in text, path
    record("security_pickle", python_files_scanned=len(files), unsafe_loads=len(found))


def test_the_scanner_catches_what_it_should(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\nfrom joblib import load\nimport torch\nimport yaml\nimport numpy as np\n"
        "torch.load('m.pt')\nyaml.load(s)\nnp.load('x.npy', allow_pickle=True)\nyaml.load(s, Loader=yaml.SafeLoader)\n",
        encoding="utf-8",
    )
    found = sorted(f.split(": ", 1)[1] for f in _unsafe_loads(bad, tmp_path))
    assert found == sorted(
        ["import pickle", "from joblib import ...", "torch.load()", "yaml.load()", "np.load()", "allow_pickle=True"]
    )


def test_models_and_index_hold_no_pickles(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = Settings()  # type: ignore[call-arg]
    index = build_index(tmp_path_factory)
    folders = [index, Path(settings.embedding_model), Path(settings.reranker_dir)]
    files = [p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "model.safetensors" for p in files), "the embedding model must load from safetensors"
    assert any(p.suffix == ".onnx" for p in files)
    assert [p for p in files if p.suffix in PICKLE_SUFFIXES] == []


# -- the agent console -----------------------------------------------------------------------------------
PROTECTED = [
    ("GET", "/agent/config"),
    ("GET", "/agent/gradio_api/info"),
    ("POST", "/agent/gradio_api/call/ask"),
    ("POST", "/agent/gradio_api/call/problems"),
    ("POST", "/agent/gradio_api/queue/join"),
    ("POST", "/agent/gradio_api/upload"),
    ("GET", "/agent/gradio_api/file=/etc/passwd"),
]


def test_console_needs_a_login(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as anonymous:
        for method, path in PROTECTED:
            r = anonymous.request(method, path, json={"data": ["Do you sell my data?"]})
            assert r.status_code in (401, 403), (method, path, r.status_code)
        wrong = anonymous.post("/agent/login", data={"username": "agent", "password": "not-the-password"})
        assert wrong.status_code == 400 and "Incorrect credentials" in wrong.text
        assert anonymous.get("/agent/config").status_code == 401
    with httpx.Client(base_url=server.url, timeout=60) as agent:
        ok = agent.post("/agent/login", data={"username": "agent", "password": AGENT_PASSWORD})
        assert ok.status_code == 200
        assert agent.get("/agent/config").status_code == 200
    record("security_console", protected_endpoints=len(PROTECTED), anonymous_refused=len(PROTECTED))


def test_no_password_means_no_console(tmp_path: Path) -> None:
    app = create_app(Settings(root=ROOT, index_dir=tmp_path / "idx", agent_password=""))  # type: ignore[arg-type]

    async def get(path: str) -> int:
        transport = httpx.ASGITransport(app=app)  # no lifespan: nothing is loaded
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return (await c.get(path)).status_code

    assert asyncio.run(get("/agent/")) == 404
    assert asyncio.run(get("/agent/config")) == 404


# -- CORS ------------------------------------------------------------------------------------------------
DENIED_ORIGINS = [
    "https://evil.example",
    "null",
    "http://shop.example",  # another scheme
    "https://shop.example:8443",  # another port
    "https://shop.example.evil.example",  # a suffix
    "https://evilshop.example",
]


def test_cors_allowlist_is_enforced(client: httpx.Client) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    for origin in DENIED_ORIGINS:
        r = client.options("/api/ask", headers={"Origin": origin, **preflight})
        assert r.status_code == 400 and "access-control-allow-origin" not in r.headers, origin
        r = client.post("/api/ask", json={"question": ""}, headers={"Origin": origin})
        assert "access-control-allow-origin" not in r.headers, origin
        r = client.get("/api/health", headers={"Origin": origin})
        assert "access-control-allow-origin" not in r.headers, origin
    ok = client.options("/api/ask", headers={"Origin": ALLOWED, **preflight})
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in ok.headers
    assert "DELETE" not in ok.headers["access-control-allow-methods"]
    # Error responses reach the widget readable too, with Retry-After exposed.
    statuses = {}
    big = b'{"question": "' + b"a" * 70_000 + b'"}'
    for name, send in [
        ("422", lambda: client.post("/api/ask", json={"question": ""}, headers={"Origin": ALLOWED})),
        (
            "413",
            lambda: client.post(
                "/api/ask", content=big, headers={"Origin": ALLOWED, "Content-Type": "application/json"}
            ),
        ),
        (
            "404",
            lambda: client.post("/api/feedback", json={"id": "f" * 32, "rating": "up"}, headers={"Origin": ALLOWED}),
        ),
    ]:
        r = send()
        statuses[name] = r.status_code
        assert r.headers.get("access-control-allow-origin") == ALLOWED, name
    limited = None
    for _ in range(40):  # 30/minute per endpoint
        limited = client.post("/api/feedback", json={"id": "f" * 32, "rating": "up"}, headers={"Origin": ALLOWED})
        if limited.status_code == 429:
            break
    assert limited is not None and limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in limited.headers["access-control-expose-headers"].lower()
    assert statuses == {"422": 422, "413": 413, "404": 404}
    record("security_cors", denied_origins=len(DENIED_ORIGINS), allowed_on_statuses=[422, 413, 404, 429])


# -- HTML pages ------------------------------------------------------------------------------------------
HARDENING = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY"}


@pytest.mark.parametrize("path", ["/", "/policy", "/policy?hl=10-40", "/docs", "/agent/"])
def test_html_pages_send_a_csp_and_hardening_headers(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    for name, value in HARDENING.items():
        assert r.headers[name] == value, name
    if path != "/agent/":  # Gradio's page needs its own scripts; it is behind the login
        assert "default-src 'none'" in csp and "base-uri 'none'" in csp
        script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


def test_no_html_page_without_a_csp(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    pages = [p for p, ops in spec["paths"].items() if "get" in ops and "{" not in p]
    for path in [*pages, "/redoc", "/docs/oauth2-redirect", "/nope"]:
        r = client.get(path)
        if r.headers.get("content-type", "").startswith("text/html"):
            assert "content-security-policy" in r.headers, path
        assert r.headers["x-content-type-options"] == "nosniff", path
    assert client.get("/redoc").status_code == 404


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory, "login-throttle", login_max_failures="3", login_window="120") as srv:
        yield srv


def test_password_guessing_is_throttled_per_client_without_locking_out_the_agent(guarded: LiveServer) -> None:
    guess = {"username": "agent", "password": "guess-number-one"}
    with httpx.Client(base_url=guarded.url, timeout=60) as guesser:
        assert [guesser.post("/agent/login", data=guess).status_code for _ in range(3)] == [400, 400, 400]
        throttled = guesser.post("/agent/login", data=guess)
        assert throttled.status_code == 429 and 1 <= int(throttled.headers["retry-after"]) <= 120
        right = {"username": "agent", "password": AGENT_PASSWORD}
        assert guesser.post("/agent/login", data=right).status_code == 429  # the guesser's address waits
    # the agent at another address (127.0.0.2 is loopback too) signs in at once
    other = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=guarded.url, timeout=60, transport=other) as agent:
        assert agent.post("/agent/login", data=right).status_code == 200
    log = guarded.log()
    assert "console login refused" in log and "guess-number-one" not in log and AGENT_PASSWORD not in log
