"""Every /agent path but the login page needs a session; the console runs under a script-src CSP (issue 17, item 5).

Before: ``GET /agent/`` embedded the API description of every named endpoint for anyone, the heartbeat streamed,
cancel and reset answered ``success`` without a login, and the console's CSP was only ``frame-ancestors 'none'``.
Against a real server over HTTP, and once in a real browser (Debian's Chromium): sign in on the page, ask, see
the answer, and no Content-Security-Policy violation on the way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from live_server import AGENT_PASSWORD, LiveServer, launch_chromium, serve
from reliability_support import record

API_INFO = re.compile(r"<script>window\.gradio_api_info = (.*?);</script>", re.S)
# Gradio routes that answered an anonymous client before, and the ones it already guarded.
ANONYMOUS_REFUSED = [
    ("GET", "/agent/gradio_api/heartbeat/abcdef1234"),
    ("POST", "/agent/gradio_api/cancel"),
    ("POST", "/agent/gradio_api/reset"),
    ("GET", "/agent/gradio_api/queue/data?session_hash=abcdef1234"),
    ("POST", "/agent/gradio_api/queue/join"),
    ("GET", "/agent/gradio_api/info"),
    ("GET", "/agent/config"),
    ("GET", "/agent/gradio_api/startup-events"),
    ("GET", "/agent/gradio_api/app_id"),
    ("POST", "/agent/gradio_api/stream/abcdef1234"),
    ("GET", "/agent/gradio_api/upload_progress?upload_id=x"),
    ("GET", "/agent/monitoring/anything"),
    ("GET", "/agent/gradio_api/openapi.json"),
    ("POST", "/agent/gradio_api/run/ask"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory, "console-gate") as srv:
        yield srv


@pytest.fixture(scope="module")
def agent(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.post("/agent/login", data={"username": "agent", "password": AGENT_PASSWORD}).status_code == 200
        yield client


def _api_info(html: str) -> dict:
    found = API_INFO.search(html)
    assert found, "the page has no gradio_api_info script"
    info: dict = json.loads(found.group(1))
    return info


def test_the_login_page_does_not_describe_the_api(server: LiveServer, agent: httpx.Client) -> None:
    anonymous = httpx.get(server.url + "/agent/", timeout=60)
    assert anonymous.status_code == 200
    assert _api_info(anonymous.text) == {"named_endpoints": {}, "unnamed_endpoints": {}}
    assert "/approve" not in anonymous.text and "/correct" not in anonymous.text
    # signed in, the page still carries it (the console's "Use via API" panel reads it)
    named = _api_info(agent.get("/agent/").text)["named_endpoints"]
    assert {"/ask", "/feedback", "/approve"} <= set(named)


@pytest.mark.parametrize(("method", "path"), ANONYMOUS_REFUSED)
def test_console_routes_refuse_an_anonymous_client(server: LiveServer, method: str, path: str) -> None:
    r = httpx.request(method, server.url + path, json={"data": [], "fn_index": 0, "session_hash": "x"}, timeout=10)
    assert r.status_code == 401, (method, path, r.status_code, r.text[:200])
    assert r.json()["detail"].startswith("sign in")


def test_the_login_page_and_its_files_need_no_session(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as anonymous:
        page = anonymous.get("/agent/")
        bundle = re.search(r'src="\./(assets/index-[^"]+\.js)"', page.text)
        assert bundle, page.text[:500]
        assert anonymous.get("/agent/" + bundle.group(1)).status_code == 200
        assert anonymous.get("/agent/theme.css").status_code == 200
        wrong = anonymous.post("/agent/login", data={"username": "agent", "password": "not-it"})
        assert wrong.status_code == 400


def test_a_signed_in_agent_reaches_what_the_anonymous_client_cannot(agent: httpx.Client) -> None:
    assert agent.get("/agent/config").status_code == 200
    assert agent.get("/agent/gradio_api/info").status_code == 200
    assert agent.post("/agent/gradio_api/reset", json={"event_id": "x"}).status_code != 401
    with agent.stream("GET", "/agent/gradio_api/heartbeat/abcdef1234", timeout=10) as beat:
        assert beat.status_code == 200


def test_the_console_page_has_a_script_src_csp(server: LiveServer, agent: httpx.Client) -> None:
    for r in (httpx.get(server.url + "/agent/", timeout=60), agent.get("/agent/")):
        csp = r.headers["content-security-policy"]
        script_src = next(d.strip() for d in csp.split(";") if d.strip().startswith("script-src"))
        assert script_src.startswith("script-src 'self' 'sha256-")
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"


@pytest.mark.slow
def test_sign_in_and_ask_in_a_browser_without_a_csp_violation(server: LiveServer) -> None:
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            page.add_init_script(
                "window.__csp = []; document.addEventListener('securitypolicyviolation', e => "
                "window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text))
            page.goto(server.url + "/agent/")
            page.get_by_label("username").fill("agent")
            page.get_by_label("password").fill(AGENT_PASSWORD)
            page.get_by_role("button", name="Login").click()
            page.get_by_label("Customer question").fill("Do you use cookies?")
            page.get_by_role("button", name="Ask", exact=True).click()
            sync_api.expect(page.get_by_text("Answered with", exact=False)).to_be_visible(timeout=60_000)
            page.wait_for_timeout(1000)
            boxes = page.locator("textarea").evaluate_all("boxes => boxes.map(b => b.value)")
            violations = page.evaluate("window.__csp")
        finally:
            browser.close()
    assert any(box.startswith("From “Cookies”: “We do use cookies on the Sites.”") for box in boxes), boxes
    blocked = [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert violations == [] and blocked == [], (violations, blocked)
    record("console_csp", browser_violations=len(violations), anonymous_refused=len(ANONYMOUS_REFUSED))
