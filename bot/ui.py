"""The agent console: a Gradio app at /agent (user ``agent``, password from ``BOT_AGENT_PASSWORD``).

Support agents ask as a customer would, see each quote highlighted inside its section and the retrieval
scores behind it, copy a customer-ready reply, rate answers, review refused and disliked questions and
browse the policy. Gradio is imported inside the functions here: it takes seconds to import.
"""

# No `from __future__ import annotations` here: Gradio reads the handlers' annotations (gr.Request) at runtime.
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from .answer import Answer, Citation
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


# -- the Gradio app -----------------------------------------------------------------------------------
def build_console(settings: Settings, get_service: Callable[[], "Service"]) -> "gr.Blocks":
    import gradio as gr

    def base_url(request: gr.Request | None) -> str:
        if settings.public_url:
            return settings.public_url
        if request is None:
            return f"http://{settings.host}:{settings.port}"
        headers = request.headers
        scheme = headers.get("x-forwarded-proto") or request.url.scheme
        host = headers.get("x-forwarded-host") or headers.get("host") or request.url.netloc
        return f"{scheme}://{host}"

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
        return (
            answer.answer,
            status,
            highlighted_sections(documents, cites),
            retrieved_rows(answer),
            customer_reply(answer, base_url(request)),
            qid,
            qid,
        )

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

    n_labels = settings.max_quotes + 1  # the chosen quotes, and the Contact address when a quote points to it
    color_map = {_label(i): QUOTE_COLORS[(i - 1) % len(QUOTE_COLORS)] for i in range(1, n_labels + 1)}
    with gr.Blocks(title="PolicyBot — agent console", analytics_enabled=False) as console:
        gr.Markdown("## PolicyBot agent console\nAsk as the customer would; every answer is quoted from the policy.")
        last_id = gr.State(None)
        with gr.Tab("Ask"):
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
        with gr.Tab("Refused and disliked"):
            refresh = gr.Button("Refresh")
            table = gr.Dataframe(headers=PROBLEM_HEADERS, interactive=False, wrap=True)
        with gr.Tab("Policy"):
            section = gr.Dropdown(label="Section", choices=[])
            section_text = gr.Markdown()

        outputs = [answer_box, status, quotes, retrieved, reply, ref, last_id]
        ask_btn.click(ask, inputs=[question], outputs=outputs, api_name="ask")
        question.submit(ask, inputs=[question], outputs=outputs, api_name="ask_submit", api_visibility="undocumented")
        fb_btn.click(feedback, inputs=[rating, comment, last_id], outputs=[fb_status], api_name="feedback")
        refresh.click(problems, outputs=[table], api_name="problems")
        section.change(show_section, inputs=[section], outputs=[section_text], api_name="section")
        console.load(sections, outputs=[section], api_name="sections")
        console.load(problems, outputs=[table], api_name="problems_on_load", api_visibility="undocumented")
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
