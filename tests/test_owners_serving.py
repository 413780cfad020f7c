"""Two companies behind one server: the API's ``document`` field, ``GET /api/documents`` and the widget's
``data-document``, over real HTTP and in a real browser (Debian's Chromium). Questions are fresh wording."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import ARTIFACTS, ROOT, LiveServer, _clean_env, host_page, launch_chromium
from playwright import sync_api

pytestmark = [pytest.mark.slow]
expect = sync_api.expect

INFRASCALE = "corpus/infrascale-privacy-policy.md"
BRIGHTWATER = "tests/fixtures/brightwater-privacy-notice.md"
CORPUS = json.dumps([INFRASCALE, BRIGHTWATER])


_WIDGET = {"origin": ""}  # the widget server's URL, once started


@pytest.fixture(scope="module")
def site() -> Iterator[ThreadingHTTPServer]:
    """Brightwater's own site: its privacy page embeds the widget scoped to its notice."""
    page = (
        "<!doctype html><title>Brightwater</title><h1>Privacy at Brightwater</h1>"
        '<script src="{}/widget.js" data-document="' + BRIGHTWATER + '" async></script>'
    )
    with host_page(lambda: page.format(_WIDGET["origin"])) as httpd:
        yield httpd


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, site: ThreadingHTTPServer) -> Iterator[LiveServer]:
    index = tmp_path_factory.mktemp("two-owners-index")
    subprocess.run(
        [sys.executable, "-m", "bot", "index", "--corpus", INFRASCALE, "--corpus", BRIGHTWATER],
        cwd=ROOT,
        env=_clean_env(BOT_INDEX_DIR=str(index)),
        check=True,
        capture_output=True,
        timeout=900,
    )
    srv = LiveServer(
        tmp_path_factory.mktemp("two-owners"),
        index,
        corpus=CORPUS,
        rate_limit="1000/minute",
        allowed_origins=f"http://127.0.0.1:{site.server_address[1]}",
    )
    _WIDGET["origin"] = srv.url
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def _owner_sources(answer: dict[str, Any]) -> set[str]:
    cites = answer["citations"] + ([answer["contact"]] if answer["contact"] else [])
    return {c["source"] for c in cites}


def test_documents_lists_each_document_with_its_owner(client: httpx.Client) -> None:
    r = client.get("/api/documents")
    assert r.status_code == 200
    docs = {d["source"]: d for d in r.json()["documents"]}
    assert set(docs) == {INFRASCALE, BRIGHTWATER}
    assert docs[BRIGHTWATER]["owner"] == "Brightwater"
    assert docs[INFRASCALE]["owner"] == "Infrascale"
    assert docs[BRIGHTWATER]["title"] == "Brightwater Analytics Privacy Notice"
    assert "Reaching Us" in docs[BRIGHTWATER]["sections"]


@pytest.mark.parametrize("document", [INFRASCALE, BRIGHTWATER])
def test_the_document_field_keeps_quotes_and_address_inside_it(client: httpx.Client, document: str) -> None:
    for question in ("how long do you keep my account data?", "how can I reach you?", "who gets my data?"):
        r = client.post("/api/ask", json={"question": question, "document": document})
        assert r.status_code == 200, r.text
        assert _owner_sources(r.json()) <= {document}


def test_the_same_question_scoped_to_two_documents_is_answered_twice(client: httpx.Client) -> None:
    """The answer cache must not hand one owner's answer to a question about the other."""
    q = {"question": "do you sell personal data?"}
    one = client.post("/api/ask", json={**q, "document": BRIGHTWATER}).json()
    two = client.post("/api/ask", json={**q, "document": INFRASCALE}).json()
    assert _owner_sources(one) <= {BRIGHTWATER}
    assert _owner_sources(two) <= {INFRASCALE}


def test_an_unknown_document_is_a_clear_error(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": "do you sell my data?", "document": "corpus/acme.md"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "corpus/acme.md" in detail and INFRASCALE in detail and BRIGHTWATER in detail


def test_widget_with_data_document_answers_from_that_document(
    server: LiveServer, site: ThreadingHTTPServer, client: httpx.Client
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        asked: list[dict[str, Any]] = []
        page.on("request", lambda req: asked.append(req.post_data_json) if req.url.endswith("/api/ask") else None)
        page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        page.get_by_role("button", name="Privacy questions?").click()
        box = page.get_by_role("textbox", name="Your question")
        box.fill("Would you ever sell my personal data?")
        box.press("Enter")
        expect(page.locator("blockquote").first).to_be_visible(timeout=60_000)
        quotes = page.locator("blockquote").all_inner_texts()
        assert any("Harbour Quay" in q or "sell personal data" in q for q in quotes), quotes
        assert not any("outside parties" in q or "Infrascale" in q for q in quotes), quotes
        page.screenshot(path=str(Path(ARTIFACTS) / "widget-data-document.png"))
        browser.close()
    assert asked and asked[-1]["document"] == BRIGHTWATER


def test_console_document_picker_scopes_the_agents_question(server: LiveServer) -> None:
    import gradio_client
    from live_server import AGENT_PASSWORD

    console = gradio_client.Client(
        server.url + "/agent/", auth=("agent", AGENT_PASSWORD), verbose=False, analytics_enabled=False
    )
    try:
        question = "Would you ever sell my personal data?"
        answer, *_ = console.predict(question, BRIGHTWATER, api_name="/ask")
        assert "Infrascale" not in answer and "outside parties" not in answer, answer
        other, *_ = console.predict(question, INFRASCALE, api_name="/ask")
        assert "Harbour Quay" not in other and "Brightwater" not in other, other
    finally:
        console.close()
