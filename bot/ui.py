"""The agent console: a Gradio app at /agent (user ``agent``, password from ``BOT_AGENT_PASSWORD``).

Support agents ask as a customer would, see each quote highlighted inside its section and the retrieval
scores behind it, copy a customer-ready reply, rate answers, correct an answer (the section and sentence that
answer, or "the policy does not say"), review refused and disliked questions, approve or reject corrections
(a support lead) and browse the policy. Gradio is imported inside the functions here: it takes seconds to import.
"""

# No `from __future__ import annotations` here: Gradio reads the handlers' annotations (gr.Request) at runtime.
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from .answer import Answer, Citation
from .corrections import Correction
from .errors import BotError
from .pages import policy_link
from .policy import Document
from .settings import Settings

if TYPE_CHECKING:
    import gradio as gr
    from fastapi import FastAPI

    from .service import Service

USER = "agent"
RETRIEVED_HEADERS = ["rank", "section", "dense", "lexical", "fused", "rerank", "score", "text"]
CORRECTION_HEADERS = ["id", "time (UTC)", "question", "bot's section", "correct section", "sentence", "note", "source"]
PROBLEM_HEADERS = ["time (UTC)", "channel", "question", "refused", "reason", "top section", "rating", "comment"]
QUOTE_COLORS = ["#fde68a", "#bbf7d0", "#bfdbfe", "#fbcfe8", "#ddd6fe", "#fed7aa"]


# -- pure helpers (tested without a browser) ------------------------------------------------------------
def _label(i: int) -> str:
    return f"quote {i}"


def highlighted_sections(documents: dict[str, Document], citations: list[Citation]) -> list[tuple[str, str | None]]:
    """Each cited section in full, as (text, label) pieces: the quotes labelled "quote N", the rest None."""
    pieces: list[tuple[str, str | None]] = []
    order: list[tuple[str, str]] = []
    for c in citations:
        if (c.source, c.anchor) not in order:
            order.append((c.source, c.anchor))
    for source, anchor in order:
        doc = documents.get(source)
        sec = next((s for s in doc.sections if s.anchor == anchor), None) if doc else None
        if doc is None or sec is None:
            continue
        spans = sorted(
            (max(c.start, sec.body_start), min(c.end, sec.end), i)
            for i, c in enumerate(citations, start=1)
            if c.source == source and c.anchor == anchor
        )
        if pieces:
            pieces.append(("\n\n", None))
        pieces.append((f"§ {sec.title}\n", None))
        cursor = sec.body_start
        while cursor < sec.end and doc.text[cursor].isspace():
            cursor += 1
        for start, end, i in spans:
            if start < cursor or start >= end:
                continue
            if start > cursor:
                pieces.append((doc.text[cursor:start], None))
            pieces.append((doc.text[start:end], _label(i)))
            cursor = end
        if cursor < sec.end:
            pieces.append((doc.text[cursor : sec.end], None))
    return pieces


def retrieved_rows(answer: Answer) -> list[list[str]]:
    def num(value: float | None, digits: int = 3) -> str:
        return "" if value is None else f"{value:.{digits}f}"

    rows = []
    for rank, h in enumerate(answer.retrieved, start=1):
        text = " ".join(h.chunk.text.split())
        rows.append(
            [
                str(rank),
                h.chunk.section_title,
                num(h.dense),
                num(h.lexical),
                num(h.fused, 5),
                num(h.rerank),
                num(h.score),
                text if len(text) <= 300 else text[:297] + "…",
            ]
        )
    return rows


def customer_reply(answer: Answer, base_url: str) -> str:
    """The answer as a customer can receive it: the quotes, then a link to each cited section."""
    lines = [answer.answer]
    cites = list(answer.citations) or ([answer.contact] if answer.contact else [])
    if cites:
        lines.append("")
        lines.append("Where the privacy policy says this:")
        seen: set[str] = set()
        for c in cites:
            link = urljoin(base_url.rstrip("/") + "/", policy_link(c.source, c.start, c.end, c.anchor).lstrip("/"))
            if link not in seen:
                seen.add(link)
                lines.append(f"- {c.section}: {link}")
    return "\n".join(lines)


def section_markdown(doc: Document, anchor: str) -> str:
    sec = next((s for s in doc.sections if s.anchor == anchor), None)
    if sec is None:
        return "No such section."
    body = doc.text[sec.body_start : sec.end].strip()
    return f"### {sec.title}\n\n{body}"


def answered_from(answer: Answer, documents: dict[str, Document]) -> tuple[str | None, str | None]:
    """(document, section title) of the answer's first quote; (the retrieved or only document, None) on a refusal."""
    if answer.citations and not answer.refused:
        return answer.citations[0].source, answer.citations[0].section
    if answer.retrieved:
        return answer.retrieved[0].chunk.source, None
    return next(iter(documents), None), None


def section_choices(documents: dict[str, Document]) -> list[tuple[str, str]]:
    """The sections a correction can name, as (label, "source#index"): every section with a sentence."""
    many = len(documents) > 1
    return [
        (f"{doc.title} — {sec.title}" if many else sec.title, f"{doc.source}#{sec.index}")
        for doc in documents.values()
        for sec in doc.sections
        if doc.section_sentences(sec.index)
    ]


def _section_of(documents: dict[str, Document], key: str | None) -> tuple[Document, int] | None:
    source, _, index = (key or "").rpartition("#")
    doc = documents.get(source)
    if doc is None or not index.isdigit() or int(index) >= len(doc.sections):
        return None
    return doc, int(index)


def sentence_choices(documents: dict[str, Document], key: str | None) -> list[tuple[str, int]]:
    """The sentences of the section ``key`` ("source#index"), verbatim, as (text, index in the document)."""
    found = _section_of(documents, key)
    if found is None:
        return []
    doc, section = found
    return [(s.text, i) for i, s in enumerate(doc.sentences) if s.section == section]


def correction_rows(corrections: list[Correction]) -> list[list[str]]:
    return [
        [
            str(c.id),
            c.created_at.strftime("%Y-%m-%d %H:%M"),
            c.question,
            c.answered or "(refused)",
            "The policy does not say" if c.kind == "not_covered" else c.section or "",
            c.quote or "",
            c.note or "",
            c.source,
        ]
        for c in corrections
    ]


# -- the Gradio app -----------------------------------------------------------------------------------
def _base_url(settings: Settings, request: "gr.Request | None") -> str:
    if settings.public_url:
        return settings.public_url
    if request is None:
        return f"http://{settings.host}:{settings.port}"
    headers = request.headers
    scheme = headers.get("x-forwarded-proto") or request.url.scheme
    host = headers.get("x-forwarded-host") or headers.get("host") or request.url.netloc
    return f"{scheme}://{host}"


@dataclass
class _AskTab:
    question: Any
    button: Any
    outputs: list[Any]  # what an answer fills: answer, status, quotes, retrieved, reply, question id, last id
    last: Any  # State: {"question", "source", "answered"} of the last answer, for a correction


@dataclass
class _CorrectionPanel:
    section: Any
    sentence: Any
    not_covered: Any
    note: Any
    status: Any

    def reset(self) -> list[Any]:
        return [self.section, self.sentence, self.not_covered, self.note, self.status]


def _ask_tab(settings: Settings, get_service: Callable[[], "Service"]) -> _AskTab:
    """The question box and everything an answer shows, with feedback on it."""
    import gradio as gr

    n_labels = settings.max_quotes + 1  # the chosen quotes, and the Contact address when a quote points to it
    color_map = {_label(i): QUOTE_COLORS[(i - 1) % len(QUOTE_COLORS)] for i in range(1, n_labels + 1)}
    last_id = gr.State(None)
    with gr.Row():
        question = gr.Textbox(
            label="Customer question",
            placeholder="Do you use cookies?",
            scale=5,
            max_length=settings.max_question_chars,
            submit_btn=False,
        )
        ask_btn = gr.Button("Ask", variant="primary", scale=1)
    answer_box = gr.Textbox(label="Answer", lines=4, interactive=False, buttons=["copy"])
    status = gr.Markdown()
    quotes = gr.HighlightedText(
        label="Quotes in their sections", color_map=color_map, combine_adjacent=False, show_legend=True
    )
    retrieved = gr.Dataframe(
        headers=RETRIEVED_HEADERS,
        label="Retrieved chunks",
        interactive=False,
        wrap=True,
        column_widths=["5%", "14%", "7%", "7%", "8%", "7%", "7%", "45%"],
    )
    reply = gr.Textbox(label="Customer-ready reply (copy)", lines=6, interactive=False, buttons=["copy"])
    ref = gr.Textbox(label="Question id", interactive=False)
    with gr.Row():
        rating = gr.Radio(["up", "down"], label="Was this answer right?")
        comment = gr.Textbox(label="Comment (optional)", scale=3)
        fb_btn = gr.Button("Send feedback")
    fb_status = gr.Markdown()

    def feedback(rating: str | None, comment: str, qid: str | None) -> str:
        if not qid:
            raise gr.Error("Ask a question first; feedback is about the last answer.")
        if rating not in ("up", "down"):
            raise gr.Error("Choose 'up' or 'down'.")
        try:
            fid = get_service().feedback(qid, rating, comment or None)
        except BotError as exc:
            raise gr.Error(str(exc)) from exc
        return f"Saved feedback #{fid} ({rating}) on question {qid}."

    fb_btn.click(feedback, inputs=[rating, comment, last_id], outputs=[fb_status], api_name="feedback")
    outputs = [answer_box, status, quotes, retrieved, reply, ref, last_id]
    return _AskTab(question, ask_btn, outputs, gr.State(None))


def _wire_ask(settings: Settings, get_service: Callable[[], "Service"], tab: _AskTab, panel: _CorrectionPanel) -> None:
    """Asking fills the answer and starts a fresh correction form for it."""
    import gradio as gr

    def ask(question: str, request: gr.Request) -> tuple[Any, ...]:
        service = get_service()
        try:
            qid, answer = service.ask(question or "", [], "agent")
        except BotError as exc:
            raise gr.Error(str(exc)) from exc
        documents = service.bot.index.documents
        cites = list(answer.citations) or ([answer.contact] if answer.refused and answer.contact else [])
        status = (
            f"Refused ({answer.reason}); confidence {answer.confidence:.2f}"
            if answer.refused
            else f"Answered with {len(answer.citations)} quote(s); confidence {answer.confidence:.2f}"
        )
        source, answered = answered_from(answer, documents)
        last = {"question": question, "source": source, "answered": answered}
        fresh_form = (
            gr.Dropdown(choices=section_choices(documents), value=None, interactive=True),
            gr.Dropdown(choices=[], value=None, interactive=True),
            False,
            "",
            "",
        )
        answer_parts = (highlighted_sections(documents, cites), retrieved_rows(answer))
        reply = customer_reply(answer, _base_url(settings, request))
        return (answer.answer, status, *answer_parts, reply, qid, qid, last, *fresh_form)

    outputs = [*tab.outputs, tab.last, *panel.reset()]
    tab.button.click(ask, inputs=[tab.question], outputs=outputs, api_name="ask")
    tab.question.submit(
        ask, inputs=[tab.question], outputs=outputs, api_name="ask_submit", api_visibility="undocumented"
    )


def _correction_panel(get_service: Callable[[], "Service"], last: Any) -> _CorrectionPanel:
    """The "Correct this answer" form: the section and sentence that answer, or "the policy does not say"."""
    import gradio as gr

    with gr.Accordion("Correct this answer", open=False):
        gr.Markdown("Where does the policy answer this question? A support lead reviews each correction.")
        section = gr.Dropdown(label="Section that answers", choices=[], value=None)
        sentence = gr.Dropdown(label="Sentence that answers (verbatim)", choices=[], value=None)
        not_covered = gr.Checkbox(label="The policy does not say")
        note = gr.Textbox(label="Note for the reviewer (optional)", max_lines=4)
        submit = gr.Button("Submit correction")
        status = gr.Markdown()

    def documents() -> dict[str, Document]:
        service = get_service()
        return service.bot.index.documents if service.state == "ready" else {}

    def sentences(key: str | None) -> Any:
        return gr.Dropdown(choices=sentence_choices(documents(), key), value=None)

    def toggle(none: bool) -> tuple[Any, Any]:
        return gr.Dropdown(interactive=not none), gr.Dropdown(interactive=not none)

    def correct(last: dict[str, Any] | None, key: str | None, index: int | None, none: bool, note: str) -> str:
        if not last:
            raise gr.Error("Ask a question first; a correction is about the last answer.")
        service = get_service()
        docs = documents()
        try:
            if none:
                doc = docs.get(last["source"]) or next(iter(docs.values()))
                cid = service.store.add_correction(doc, last["question"], last["answered"], not_covered=True, note=note)
            else:
                doc, title, quote = _chosen(docs, key, index)
                cid = service.store.add_correction(doc, last["question"], last["answered"], title, quote, note=note)
        except BotError as exc:
            raise gr.Error(str(exc)) from exc
        return f"Saved correction #{cid} (pending review). A support lead approves it under “Review corrections”."

    section.change(sentences, inputs=[section], outputs=[sentence], api_name="correction_sentences")
    not_covered.change(toggle, inputs=[not_covered], outputs=[section, sentence], api_name="correction_not_covered")
    submit.click(correct, inputs=[last, section, sentence, not_covered, note], outputs=[status], api_name="correct")
    return _CorrectionPanel(section, sentence, not_covered, note, status)


def _chosen(documents: dict[str, Document], key: str | None, index: int | None) -> tuple[Document, str, str]:
    """The document, section title and sentence the correction form names; ``gr.Error`` when incomplete."""
    import gradio as gr

    found = _section_of(documents, key)
    if found is None:
        raise gr.Error("Choose the section that answers, or tick “The policy does not say”.")
    doc, section = found
    if index is None or not 0 <= int(index) < len(doc.sentences) or doc.sentences[int(index)].section != section:
        raise gr.Error("Choose the sentence of that section that answers.")
    return doc, doc.sections[section].title, doc.sentences[int(index)].text


def _problems_tab(get_service: Callable[[], "Service"], console: "gr.Blocks") -> None:
    import gradio as gr

    refresh = gr.Button("Refresh")
    table = gr.Dataframe(headers=PROBLEM_HEADERS, interactive=False, wrap=True)

    def problems() -> list[list[str]]:
        rows = []
        for p in get_service().store.problems(limit=100):
            rows.append(
                [
                    p.time.strftime("%Y-%m-%d %H:%M"),
                    p.channel,
                    p.question,
                    "yes" if p.refused else "no",
                    p.reason or "",
                    p.top_section or "",
                    p.rating or "",
                    p.comment or "",
                ]
            )
        return rows

    refresh.click(problems, outputs=[table], api_name="problems")
    console.load(problems, outputs=[table], api_name="problems_on_load", api_visibility="undocumented")


def _review_tab(get_service: Callable[[], "Service"], console: "gr.Blocks") -> None:
    """Pending corrections, approved or rejected by id; `python -m bot examples export` takes the approved ones."""
    import gradio as gr

    gr.Markdown(
        "Corrections agents submitted, waiting for review. Approved ones reach the example bank with "
        "`python -m bot examples export` (then `python -m bot index`); rejected ones never do."
    )
    refresh = gr.Button("Refresh")
    table = gr.Dataframe(headers=CORRECTION_HEADERS, interactive=False, wrap=True)
    with gr.Row():
        chosen = gr.Number(label="Correction id", precision=0, minimum=1)
        approve = gr.Button("Approve", variant="primary")
        reject = gr.Button("Reject", variant="stop")
    status = gr.Markdown()

    def pending() -> list[list[str]]:
        return correction_rows(get_service().store.corrections("pending"))

    def pick(evt: gr.SelectData) -> Any:
        return int(evt.row_value[0]) if evt.row_value else gr.skip()

    def review(cid: float | None, ok: bool) -> tuple[str, list[list[str]]]:
        if cid is None:
            raise gr.Error("Enter the id of a correction (or click its row).")
        try:
            c = get_service().store.review_correction(int(cid), ok)
        except BotError as exc:
            raise gr.Error(str(exc)) from exc
        return f"Correction #{c.id} {c.status}.", pending()

    def approve_one(cid: float | None) -> tuple[str, list[list[str]]]:
        return review(cid, True)

    def reject_one(cid: float | None) -> tuple[str, list[list[str]]]:
        return review(cid, False)

    refresh.click(pending, outputs=[table], api_name="corrections")
    table.select(pick, outputs=[chosen], api_name="pick_correction", api_visibility="undocumented")
    approve.click(approve_one, inputs=[chosen], outputs=[status, table], api_name="approve")
    reject.click(reject_one, inputs=[chosen], outputs=[status, table], api_name="reject")
    console.load(pending, outputs=[table], api_name="corrections_on_load", api_visibility="undocumented")


def _policy_tab(get_service: Callable[[], "Service"], console: "gr.Blocks") -> None:
    import gradio as gr

    section = gr.Dropdown(label="Section", choices=[])
    section_text = gr.Markdown()

    def sections() -> Any:
        service = get_service()
        if service.state != "ready":
            return gr.Dropdown(choices=[], value=None, info="The bot is still starting; reload in a few seconds.")
        choices = [
            (f"{doc.title} — {sec.title}", f"{doc.source}#{sec.anchor}")
            for doc in service.bot.index.documents.values()
            for sec in doc.sections
        ]
        return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None, info=None)

    def show_section(key: str | None) -> str:
        if not key or "#" not in key:
            return ""
        source, anchor = key.rsplit("#", 1)
        doc = get_service().bot.index.documents.get(source)
        return section_markdown(doc, anchor) if doc else "No such document."

    section.change(show_section, inputs=[section], outputs=[section_text], api_name="section")
    console.load(sections, outputs=[section], api_name="sections")


def build_console(settings: Settings, get_service: Callable[[], "Service"]) -> "gr.Blocks":
    import gradio as gr

    with gr.Blocks(title="PolicyBot — agent console", analytics_enabled=False) as console:
        gr.Markdown("## PolicyBot agent console\nAsk as the customer would; every answer is quoted from the policy.")
        with gr.Tab("Ask"):
            ask_tab = _ask_tab(settings, get_service)
            panel = _correction_panel(get_service, ask_tab.last)
        with gr.Tab("Refused and disliked"):
            _problems_tab(get_service, console)
        with gr.Tab("Review corrections"):
            _review_tab(get_service, console)
        with gr.Tab("Policy"):
            _policy_tab(get_service, console)
        _wire_ask(settings, get_service, ask_tab, panel)
    return console


def mount_console(app: "FastAPI", settings: Settings, get_service: Callable[[], "Service"]) -> None:
    """Mount the console at /agent behind a login; gradio is imported here, not at module import."""
    import gradio as gr

    gr.mount_gradio_app(
        app,
        build_console(settings, get_service),
        path="/agent",
        auth=(USER, settings.agent_password.get_secret_value()),
        auth_message="PolicyBot agent console. Sign in as 'agent'.",
        footer_links=["api"],
        run_history=False,
        ssr_mode=False,
        enable_monitoring=False,
        mcp_server=False,
    )
