"""The agent console at /agent, driven by gradio_client (and once in a browser for a screenshot)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio_client
import pytest
from live_server import AGENT_PASSWORD, ARTIFACTS, ROOT, LiveServer, build_index, launch_chromium

from bot.policy import read_policy
from bot.serve.store import Store

SOURCE = "corpus/infrascale-privacy-policy.md"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = LiveServer(
        tmp_path_factory.mktemp("console"), build_index(tmp_path_factory), public_url="https://help.example"
    )
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def console(server: LiveServer) -> Iterator[Any]:
    client = gradio_client.Client(
        server.url + "/agent/",
        auth=("agent", AGENT_PASSWORD),
        verbose=False,
        analytics_enabled=False,
        download_files=False,
    )
    yield client
    client.close()


def test_login_is_required(server: LiveServer) -> None:
    with pytest.raises(Exception, match=r"(?i)login|credentials|unauthorized|401"):
        gradio_client.Client(server.url + "/agent/", auth=("agent", "wrong"), verbose=False, analytics_enabled=False)


def test_every_event_has_an_explicit_api_name(console: Any) -> None:
    endpoints = console.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/ask", "/feedback", "/problems", "/sections", "/section"} <= set(endpoints)
    assert {"/correction_sentences", "/correct", "/corrections", "/approve", "/reject"} <= set(endpoints)


def test_ask_shows_quotes_in_their_section_scores_and_a_reply(server: LiveServer, console: Any) -> None:
    answer, status, highlighted, retrieved, reply, ref = console.predict("Do you use cookies?", api_name="/ask")[:6]
    assert "We do use cookies on the Sites." in answer
    assert status.startswith("Answered with")
    quotes = [p["token"] for p in highlighted if p["class_or_confidence"]]
    assert "We do use cookies on the Sites." in quotes
    text = "".join(p["token"] for p in highlighted)
    assert "§ Cookies" in text and "You can disable cookies using your Internet browser settings." in text
    assert retrieved["headers"][:7] == ["rank", "section", "dense", "lexical", "fused", "rerank", "score"]
    assert retrieved["data"][0][1] == "Cookies" and float(retrieved["data"][0][5]) > 0
    assert reply.startswith(answer)
    assert "- Cookies: https://help.example/policy?source=corpus%2Finfrascale-privacy-policy.md&hl=" in reply

    saved = console.predict("down", "quote the opt-out too; I'm at 555-123-4567", api_name="/feedback")
    assert saved.startswith("Saved feedback")
    store = Store(server.database_url)
    try:
        assert store.question(ref)["channel"] == "agent"
        assert [(f["rating"], f["comment"]) for f in store.feedback(ref)] == [
            ("down", "quote the opt-out too; I'm at [phone]")
        ]
    finally:
        store.close()
    problems = console.predict(api_name="/problems")
    assert any(row[2] == "Do you use cookies?" and row[6] == "down" for row in problems["data"])


def test_refusals_are_listed_and_errors_are_shown(console: Any) -> None:
    _answer, status, *_ = console.predict("What's the weather in Paris tomorrow?", api_name="/ask")
    assert status.startswith("Refused")
    problems = console.predict(api_name="/problems")
    assert any(row[2] == "What's the weather in Paris tomorrow?" and row[3] == "yes" for row in problems["data"])
    with pytest.raises(Exception, match="empty"):
        console.predict("   ", api_name="/ask")


def test_policy_browser(console: Any) -> None:
    dropdown = console.predict(api_name="/sections")
    assert dropdown is not None
    text = console.predict("corpus/infrascale-privacy-policy.md#cookies", api_name="/section")
    assert text.startswith("### Cookies") and "We do use cookies on the Sites." in text


def test_correct_an_answer_then_review_it(server: LiveServer, console: Any) -> None:
    doc = read_policy(ROOT / SOURCE, SOURCE)
    cookies = next(s.index for s in doc.sections if s.title == "Cookies")
    sentence = next(i for i, s in enumerate(doc.sentences) if s.text.startswith("You can disable cookies"))
    console.predict("For what period is information about me held?", api_name="/ask")
    sentences = console.predict(f"{SOURCE}#{cookies}", api_name="/correction_sentences")
    assert sentences is not None
    with pytest.raises(Exception, match="Choose the sentence"):
        console.predict(f"{SOURCE}#{cookies}", None, False, "", api_name="/correct")
    saved = console.predict(f"{SOURCE}#{cookies}", sentence, False, "mail me: jo@example.com", api_name="/correct")
    assert saved.startswith("Saved correction #")
    cid = int(saved.split("#", 1)[1].split(" ", 1)[0])
    store = Store(server.database_url)
    try:
        c = store.correction(cid)
        assert (c.status, c.question, c.section, c.quote, c.note) == (
            "pending",
            "For what period is information about me held?",
            "Cookies",
            doc.sentences[sentence].text,
            "mail me: [email]",
        )
        pending = console.predict(api_name="/corrections")
        assert [row[0] for row in pending["data"]] == [str(cid)]
        assert console.predict(cid, api_name="/approve")[0] == f"Correction #{cid} approved."
        assert store.correction(cid).status == "approved"
        with pytest.raises(Exception, match="no correction with id 999"):
            console.predict(999, api_name="/reject")
        refused = console.predict(None, None, True, "", api_name="/correct")
        assert store.correction(int(refused.split("#", 1)[1].split(" ", 1)[0])).kind == "not_covered"
    finally:
        store.close()


@pytest.mark.slow
def test_console_in_a_browser(server: LiveServer) -> None:
    from playwright import sync_api

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(server.url + "/agent/")
            page.get_by_label("username").fill("agent")
            page.get_by_label("password").fill(AGENT_PASSWORD)
            page.get_by_role("button", name="Login").click()
            box = page.get_by_label("Customer question")
            box.fill("Do you use cookies?")
            page.get_by_role("button", name="Ask", exact=True).click()
            sync_api.expect(page.get_by_text("Answered with 3 quote(s)", exact=False)).to_be_visible(timeout=60_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / "console.png"), full_page=True)
        finally:
            browser.close()
