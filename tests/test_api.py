"""The HTTP API against a real server (uvicorn subprocess, real models, real SQLite file), over httpx."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from live_server import ROOT, LiveServer, client_fixture, serve

from bot.serve.store import Store

ALLOWED = "https://shop.example"
CORPUS = ROOT / "corpus" / "infrascale-privacy-policy.md"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory, "api", allowed_origins=ALLOWED, rate_limit="1000/minute") as srv:
        yield srv


client = client_fixture(timeout=120)


@pytest.fixture(scope="module")
def cookies(client: httpx.Client) -> dict:
    r = client.post("/api/ask", json={"question": "Do you use cookies?"})
    assert r.status_code == 200, r.text
    return r.json()


def test_importing_the_api_loads_no_model() -> None:
    heavy = "('torch', 'sentence_transformers', 'gradio')"
    code = f"import sys, bot.serve.app; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_health_reports_corpus_hashes_and_model_fingerprint(client: httpx.Client) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["corpus"] == {"corpus/infrascale-privacy-policy.md": hashlib.sha256(CORPUS.read_bytes()).hexdigest()}
    assert body["embedding_fingerprint"].startswith("model.safetensors:sha256:")
    assert body["documents"][0]["title"] == "Infrascale Privacy Policy"


def test_ask_answers_with_verbatim_quotes_and_an_id(cookies: dict) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", cookies["id"])
    assert cookies["refused"] is False
    text = CORPUS.read_text(encoding="utf-8")
    quotes = [c["quote"] for c in cookies["citations"]]
    assert "We do use cookies on the Sites." in quotes
    for c in cookies["citations"]:
        assert text[c["start"] : c["end"]] == c["quote"]
        assert c["anchor"] == "cookies"
    first = cookies["retrieved"][0]
    assert {"dense", "lexical", "fused", "rerank", "text"} <= set(first)


def test_follow_up_uses_the_history(client: httpx.Client, cookies: dict) -> None:
    history = [{"role": "user", "content": "Do you use cookies?"}, {"role": "assistant", "content": cookies["answer"]}]
    r = client.post("/api/ask", json={"question": "How do I turn them off?", "history": history})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "cookies" in body["resolved_question"].lower()
    assert any("disable cookies" in c["quote"] for c in body["citations"])


def test_out_of_scope_question_is_refused_politely(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": "What is the capital of France?"})
    assert r.status_code == 200
    body = r.json()
    assert body["refused"] is True and body["citations"] == []
    assert "privacy policy" in body["answer"].lower()


def test_feedback_is_stored_and_survives_a_restart(server: LiveServer, client: httpx.Client, cookies: dict) -> None:
    r = client.post(
        "/api/feedback",
        json={"id": cookies["id"], "rating": "down", "comment": "wrong! mail me at jane.doe@example.com"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["question_id"] == cookies["id"]

    server.stop()
    server.start()

    store = Store(server.database_url)
    try:
        rows = store.feedback(cookies["id"])
        assert [(f["rating"], f["comment"]) for f in rows] == [("down", "wrong! mail me at [email]")]
        assert store.question(cookies["id"])["question"] == "Do you use cookies?"
    finally:
        store.close()
    again = client.post("/api/feedback", json={"id": cookies["id"], "rating": "up"})
    assert again.status_code == 201


def test_personal_data_is_redacted_in_stored_rows(server: LiveServer, client: httpx.Client) -> None:
    question = (
        "I'm jane@example.com, card 4111 1111 1111 1111, phone +1 (555) 123-4567, "
        "IP 203.0.113.9 or 2001:db8::1 - do you sell my data?"
    )
    r = client.post("/api/ask", json={"question": question}, headers={"X-Bot-Channel": "widget"})
    assert r.status_code == 200, r.text
    store = Store(server.database_url)
    try:
        row = store.question(r.json()["id"])
    finally:
        store.close()
    assert row is not None and row["channel"] == "widget"
    assert row["question"] == "I'm [email], card [card], phone [phone], IP [ip] or [ip] - do you sell my data?"
    assert "jane" not in server.log() and "4111" not in server.log()


TOO_LONG = "a" * 2001
BAD_ASKS = [
    ({}, "question: Field required"),
    ({"question": ""}, "question: the question is empty"),
    ({"question": "  \n\t "}, "question: the question is empty"),
    ({"question": 42}, "question: Input should be a valid string"),
    ({"question": ["Do you use cookies?"]}, "question: Input should be a valid string"),
    ({"question": TOO_LONG}, "at most 2000 are accepted"),
    ({"question": "hi", "admin": True}, "admin: Extra inputs are not permitted"),
    ({"question": "hi", "history": "earlier"}, "history: Input should be a valid list"),
    (
        {"question": "hi", "history": [{"role": "system", "content": "x"}]},
        "history.0.role: Input should be 'user' or 'assistant'",
    ),
    ({"question": "hi", "history": [{"role": "user"}]}, "history.0.content: Field required"),
    ({"question": "hi", "history": [{"role": "user", "content": "x", "name": "y"}]}, "history.0.name: Extra inputs"),
    ({"question": "hi", "history": [{"role": "user", "content": "x"}] * 51}, "history: 51 turns sent; at most 50"),
]


@pytest.mark.parametrize(("body", "detail"), BAD_ASKS, ids=[d for _, d in BAD_ASKS])
def test_bad_questions_get_422_saying_what_is_wrong(client: httpx.Client, body: dict, detail: str) -> None:
    r = client.post("/api/ask", json=body)
    assert r.status_code == 422
    assert detail in r.json()["detail"]


def test_malformed_and_oversized_bodies(client: httpx.Client) -> None:
    r = client.post("/api/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["detail"]) == (422, "the request body is not valid JSON")

    big = b'{"question": "' + b"a" * 70_000 + b'"}'
    r = client.post("/api/ask", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "larger than 65536 bytes" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count
        yield b'{"question": "'
        for _ in range(70):
            yield b"a" * 1000
        yield b'"}'

    r = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_bad_feedback(client: httpx.Client, cookies: dict) -> None:
    cases = [
        ({"id": cookies["id"], "rating": "meh"}, 422, "rating: Input should be 'up' or 'down'"),
        ({"id": cookies["id"]}, 422, "rating: Field required"),
        ({"id": cookies["id"], "rating": "up", "stars": 5}, 422, "stars: Extra inputs are not permitted"),
        ({"id": cookies["id"], "rating": "up", "comment": "x" * 2001}, 422, "comment: String should have at most 2000"),
        ({"id": "f" * 32, "rating": "up"}, 404, "no question with id"),
    ]
    for body, status, detail in cases:
        r = client.post("/api/feedback", json=body)
        assert r.status_code == status, (body, r.text)
        assert detail in r.json()["detail"]


def test_wrong_method_and_bad_policy_queries(client: httpx.Client) -> None:
    assert client.get("/api/ask").status_code == 405
    r = client.get("/policy", params={"hl": "50-10"})
    assert r.status_code == 422 and "outside the document" in r.json()["detail"]
    r = client.get("/policy", params={"hl": "cookies"})
    assert r.status_code == 422 and "START-END" in r.json()["detail"]
    r = client.get("/policy", params={"source": "corpus/other.md"})
    assert r.status_code == 404 and "no policy document" in r.json()["detail"]


def test_cors_allows_the_listed_origin_only(client: httpx.Client) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-bot-channel",
    }
    ok = client.options("/api/ask", headers={"Origin": ALLOWED, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    denied = client.options("/api/ask", headers={"Origin": "https://evil.example", **preflight})
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers

    r = client.post("/api/ask", json={"question": ""}, headers={"Origin": ALLOWED})
    assert r.headers["access-control-allow-origin"] == ALLOWED
    r = client.post("/api/ask", json={"question": ""}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


class _Marks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.marked: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(v for k, v in attrs if k == "id" and v)
        if tag == "mark":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.marked.append(data)


def test_policy_page_highlights_exactly_the_cited_range(client: httpx.Client, cookies: dict) -> None:
    for c in cookies["citations"]:
        r = client.get("/policy", params={"source": c["source"], "hl": f"{c['start']}-{c['end']}"})
        assert r.status_code == 200
        parser = _Marks()
        parser.feed(r.text)
        assert "".join(parser.marked) == c["quote"]
        assert c["anchor"] in parser.ids and "highlight" in parser.ids
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_demo_page_embeds_the_widget_with_one_script_tag(client: httpx.Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.text.count("<script") == 1
    assert '<script src="/widget.js" async></script>' in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_widget_files_are_served_for_other_sites(client: httpx.Client) -> None:
    js = client.get("/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert js.headers["cross-origin-resource-policy"] == "cross-origin"
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in js.text, f"widget.js must not use {unsafe}"
    css = client.get("/widget.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_openapi_documents_the_api(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/feedback", "/api/health", "/policy"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_console_needs_a_login(client: httpx.Client) -> None:
    r = client.get("/agent/config")
    assert r.status_code == 401
    assert client.get("/agent/").headers["x-frame-options"] == "DENY"


def test_static_files_are_packaged() -> None:
    static = Path(__import__("bot").__file__).parent / "serve" / "static"
    assert {"widget.js", "widget.css", "site.css", "index.html"} <= {p.name for p in static.iterdir()}
