"""Agents teach it, end to end: a correction made in a real browser on the console of a real server, approved in the
review tab, exported to the example bank and indexed (on a copy of the corpus), then the same question and a
reworded one answered from the corrected section."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import AGENT_PASSWORD, ARTIFACTS, ROOT, LiveServer, _clean_env, launch_chromium
from playwright import sync_api

from bot.examples import bank_path
from bot.serve.store import Store

pytestmark = [pytest.mark.slow]
expect = sync_api.expect

SOURCE = "corpus/infrascale-privacy-policy.md"
# The copy's bank has no example for "Limited Privacy Policy Only" (they are taken out, as for a section nobody has
# labelled yet); checked before writing this test: the bot then answers both questions from other sections, wrongly;
# the policy says in "Limited Privacy Policy Only" that it does not necessarily cover information collected offline.
QUESTION = "are details I give your reps by telephone covered by this privacy notice"
REWORDED = "is what I tell your reps on the phone covered by this privacy notice?"
CORRECT_SECTION = "Limited Privacy Policy Only"
SENTENCE = (
    "This Privacy Policy applies only to information collected through our Sites and does not necessarily apply to "
    "any information collected offline."
)


def _bot(root: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` on the corpus copy under ``root`` (its own index and database)."""
    env = _clean_env(BOT_ROOT=str(root), BOT_INDEX_DIR=str(root / ".index"), BOT_DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of corpus/ (policy and bank, less the bank's examples for the section to teach) with its own index:
    the test writes the copy's bank, never corpus/."""
    root = tmp_path_factory.mktemp("teach-root")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    bank = bank_path(root / SOURCE)
    lines = bank.read_text(encoding="utf-8").splitlines(keepends=True)
    bank.write_text("".join(x for x in lines if json.loads(x).get("section") != CORRECT_SECTION), encoding="utf-8")
    built = _bot(root, f"sqlite:///{root / 'unused.db'}", "index")
    assert built.returncode == 0, built.stderr
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, root: Path) -> Iterator[LiveServer]:
    srv = LiveServer(tmp_path_factory.mktemp("teach"), root / ".index", root=str(root), rate_limit="1000/minute")
    srv.start()
    yield srv
    srv.stop()


def _first_section(server: LiveServer, question: str) -> str | None:
    r = httpx.post(server.url + "/api/ask", json={"question": question}, timeout=120)
    r.raise_for_status()
    citations = r.json()["citations"]
    return citations[0]["section"] if citations else None


def _choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the Gradio dropdown labelled ``label`` (a combobox with a listbox of options)."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("listbox").get_by_role("option", name=option).first.click()
    expect(page.get_by_role("combobox", name=label)).to_have_value(option)


def _correct_in_console(server: LiveServer, page: Any) -> int:
    page.goto(server.url + "/agent/")
    page.get_by_label("username").fill("agent")
    page.get_by_label("password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.get_by_label("Customer question").fill(QUESTION)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.get_by_text("Answered with", exact=False)).to_be_visible(timeout=60_000)

    page.get_by_role("button", name="Correct this answer").click()
    _choose(page, "Section that answers", CORRECT_SECTION)
    _choose(page, "Sentence that answers (verbatim)", SENTENCE)
    page.get_by_label("Note for the reviewer (optional)").fill("a phone call is offline; call me on 555-123-4567")
    page.get_by_role("button", name="Submit correction").click()
    saved = page.get_by_text("Saved correction #", exact=False)
    expect(saved).to_be_visible(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "correction-submitted.png"), full_page=True)
    return int(saved.inner_text().split("#", 1)[1].split(" ", 1)[0])


def _approve_in_console(page: Any, cid: int) -> None:
    page.get_by_role("tab", name="Review corrections").click()
    page.get_by_role("button", name="Refresh").filter(visible=True).click()
    expect(page.get_by_text(QUESTION, exact=True).filter(visible=True).first).to_be_visible(timeout=30_000)
    page.get_by_label("Correction id").fill(str(cid))
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(f"Correction #{cid} approved.")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "correction-approved.png"), full_page=True)


def test_an_approved_correction_teaches_the_bot(server: LiveServer, root: Path) -> None:
    before = (_first_section(server, QUESTION), _first_section(server, REWORDED))
    assert CORRECT_SECTION not in before, f"the bot already answers from {CORRECT_SECTION!r}: pick another question"

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            cid = _correct_in_console(server, page)
            store = Store(server.database_url)
            try:
                pending = store.correction(cid)
                assert (pending.status, pending.question, pending.section, pending.quote) == (
                    "pending",
                    QUESTION,
                    CORRECT_SECTION,
                    SENTENCE,
                )
                assert pending.answered == before[0] and pending.source == SOURCE
                assert pending.note == "a phone call is offline; call me on [phone]"
                _approve_in_console(page, cid)
                assert store.correction(cid).status == "approved"
            finally:
                store.close()
        finally:
            browser.close()

    exported = _bot(root, server.database_url, "examples", "export", "--json")
    assert exported.returncode == 0, exported.stderr
    (written,) = json.loads(exported.stdout)["written"]
    assert written["line"] == {
        "id": f"corr-{cid}",
        "question": QUESTION,
        "section": CORRECT_SECTION,
        "quote": SENTENCE,
        "origin": f"correction:{cid}",
    }
    bank = bank_path(root / SOURCE)
    assert bank.read_text(encoding="utf-8").endswith(json.dumps(written["line"]) + "\n")
    assert not (ROOT / "corpus" / bank.name).read_text(encoding="utf-8").endswith(json.dumps(written["line"]) + "\n")
    indexed = _bot(root, server.database_url, "index", "--json")
    assert indexed.returncode == 0, indexed.stderr

    server.stop()
    server.start()  # loads the new build
    assert _first_section(server, QUESTION) == CORRECT_SECTION, f"before the correction: {before[0]!r}"
    assert _first_section(server, REWORDED) == CORRECT_SECTION, f"before the correction: {before[1]!r}"
