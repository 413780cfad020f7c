"""The chat widget end to end: a real browser (Debian's Chromium via Playwright) on the demo page of a real server."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from live_server import ARTIFACTS, LiveServer, build_index, host_page, launch_chromium
from playwright import sync_api

from bot.serve.store import Store

# No skip when Chromium is missing: `make test` installs it, and a browser test that silently skips proves nothing.
pytestmark = [pytest.mark.slow]
expect = sync_api.expect
XSS = "<img src=x onerror=alert(1)>"


_WIDGET = {"origin": ""}  # the widget server's URL, once started


@pytest.fixture(scope="module")
def shop() -> Iterator[ThreadingHTTPServer]:
    """Another company's site: one page that embeds the widget with one script tag."""
    page = '<!doctype html><title>Shop</title><h1>Shop</h1><script src="{}/widget.js" async></script>'
    with host_page(lambda: page.format(_WIDGET["origin"])) as httpd:
        yield httpd


def _origins(shop: ThreadingHTTPServer) -> tuple[str, str]:
    """The shop as an allowed origin, and the same page under another name (another origin, not allowed)."""
    port = shop.server_address[1]
    return f"http://127.0.0.1:{port}", f"http://localhost:{port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shop: ThreadingHTTPServer) -> Iterator[LiveServer]:
    allowed, _ = _origins(shop)
    srv = LiveServer(
        tmp_path_factory.mktemp("widget"),
        build_index(tmp_path_factory),
        rate_limit="1000/minute",
        allowed_origins=allowed,
    )
    _WIDGET["origin"] = srv.url
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def _ask(page: Any, text: str) -> None:
    box = page.get_by_role("textbox", name="Your question")
    box.fill(text)
    box.press("Enter")


def test_ask_follow_link_follow_up_and_stay_inert(server: LiveServer, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")

    # Keyboard: the launcher opens with Enter, focus goes to the question box, Escape closes.
    launcher = page.get_by_role("button", name="Privacy questions?")
    launcher.focus()
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Your question")
    expect(box).to_be_focused()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    launcher.click()

    _ask(page, "Do you use cookies?")
    quote = page.locator("blockquote", has_text="We do use cookies on the Sites.")
    expect(quote).to_be_visible(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "widget-answer.png"))

    # The quote's link opens the policy (absolute URL on the server) with that sentence marked.
    link = page.locator("figure", has=quote).get_by_role("link")
    assert link.get_attribute("href").startswith(server.url + "/policy?")
    with context.expect_page() as opened:
        link.click()
    policy = opened.value
    policy.wait_for_load_state()
    assert policy.url.endswith("#cookies")
    mark = policy.locator("mark#highlight")
    expect(mark).to_be_visible()
    expect(mark).to_have_text("We do use cookies on the Sites.")
    assert policy.locator("mark#highlight").evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    policy.screenshot(path=str(ARTIFACTS / "policy-highlight.png"))
    policy.close()

    # A follow-up is understood through the history the widget sends.
    _ask(page, "How do I turn them off?")
    expect(page.locator("blockquote", has_text="disable cookies").first).to_be_visible(timeout=60_000)

    # Thumbs down asks for an optional comment, which is stored redacted.
    page.get_by_role("group", name="Was this answer helpful?").last.get_by_role("button", name="No").click()
    comment = page.get_by_role("textbox", name="What was wrong? (optional)")
    expect(comment).to_be_focused()
    comment.fill("too long; reach me at sam@example.org")
    with page.expect_response("**/api/feedback") as sent:
        comment.press("Enter")
    qid = sent.value.request.post_data_json["id"]
    expect(page.get_by_text("Thanks for the feedback.")).to_be_visible()
    store = Store(server.database_url)
    try:
        assert [(f["rating"], f["comment"]) for f in store.feedback(qid)] == [("down", "too long; reach me at [email]")]
    finally:
        store.close()

    # Markup typed by the user or echoed back is shown as text, never run.
    bot_messages = page.locator(".msg.bot")
    before = bot_messages.count()
    _ask(page, XSS)
    expect(page.locator(".msg.user", has_text=XSS)).to_be_visible()
    expect(bot_messages).to_have_count(before + 1, timeout=60_000)
    page.wait_for_timeout(300)
    assert page.locator("#policybot-widget img").count() == 0
    assert dialogs == [] and errors == []
    page.screenshot(path=str(ARTIFACTS / "widget-xss-inert.png"))
    context.close()


def test_feedback_offline_and_phone_width(server: LiveServer, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_role("button", name="Privacy questions?").click()
    panel = page.get_by_role("dialog", name="Ask about our privacy policy")
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] <= 740

    _ask(page, "Do you sell my personal information?")
    helpful = page.get_by_role("group", name="Was this answer helpful?").get_by_role("button", name="Yes")
    expect(helpful).to_be_visible(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    with page.expect_response("**/api/feedback") as sent:
        helpful.click()
    qid = sent.value.request.post_data_json["id"]
    expect(page.get_by_text("Thanks for the feedback.")).to_be_visible()
    store = Store(server.database_url)
    try:
        assert store.question(qid)["channel"] == "widget"
        assert [f["rating"] for f in store.feedback(qid)] == ["up"]
    finally:
        store.close()

    context.set_offline(True)
    _ask(page, "Do you sell my data?")
    expect(page.get_by_text("You seem to be offline")).to_be_visible(timeout=10_000)
    context.set_offline(False)
    context.close()


def test_too_many_questions_are_explained(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> None:
    srv = LiveServer(tmp_path_factory.mktemp("widget-429"), build_index(tmp_path_factory), rate_limit="1/minute")
    srv.start()
    try:
        httpx.post(srv.url + "/api/ask", json={"question": "???"}, timeout=60).raise_for_status()
        page = browser.new_page()
        page.goto(srv.url + "/")
        page.get_by_role("button", name="Privacy questions?").click()
        _ask(page, "Do you use cookies?")
        expect(page.get_by_text("You're asking a little fast. Please wait")).to_be_visible(timeout=10_000)
        page.close()
    finally:
        srv.stop()


def test_widget_embedded_on_an_allowed_site_and_refused_elsewhere(
    server: LiveServer, shop: ThreadingHTTPServer, browser: Any
) -> None:
    allowed, elsewhere = _origins(shop)
    page = browser.new_page()
    page.goto(allowed + "/")
    page.get_by_role("button", name="Privacy questions?").click()
    _ask(page, "Do you use cookies?")
    quote = page.locator("blockquote", has_text="We do use cookies on the Sites.")
    expect(quote).to_be_visible(timeout=60_000)
    href = page.locator("figure", has=quote).get_by_role("link").get_attribute("href")
    assert href.startswith(server.url + "/policy?")
    page.close()

    page = browser.new_page()
    page.goto(elsewhere + "/")
    page.get_by_role("button", name="Privacy questions?").click()
    _ask(page, "Do you use cookies?")
    expect(page.get_by_text("I couldn't reach the assistant")).to_be_visible(timeout=10_000)
    page.close()
