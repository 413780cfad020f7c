"""The console's "Ask" tab: the question, the answer with its quotes and scores, feedback, and the "Correct this
answer" form. Gradio is imported inside the functions: it takes seconds to import."""

# No `from __future__ import annotations` here: Gradio reads the handlers' annotations (gr.Request) at runtime.
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import BotError
from ...policy import Document
from ...settings import Settings
from .views import (
    QUOTE_COLORS,
    RETRIEVED_HEADERS,
    answered_from,
    customer_reply,
    highlighted_sections,
    label,
    retrieved_rows,
    section_choices,
    section_of,
    sentence_choices,
)

if TYPE_CHECKING:
    import gradio as gr

    from ..service import Service


def _base_url(settings: Settings, request: "gr.Request | None") -> str:
    if settings.public_url:
        return settings.public_url
    if request is None:
        return f"http://{settings.host}:{settings.port}"
    headers = request.headers
    scheme = headers.get("x-forwarded-proto") or request.url.scheme
    host = headers.get("x-forwarded-host") or headers.get("host") or request.url.netloc
    return f"{scheme}://{host}"


def document_choices(settings: Settings) -> list[tuple[str, str]]:
    """The console's document picker: any document (the best-matching company answers), or one of the corpus."""
    from ...lifecycle import source_name

    sources = [source_name(settings.root, p) for p in settings.resolved_corpus()]
    return [("Any document (the best-matching company answers)", ""), *((s, s) for s in sources)]


@dataclass
class AskTab:
    question: Any
    document: Any  # the document picker: "" for any
    button: Any
    outputs: list[Any]  # what an answer fills: answer, status, quotes, retrieved, reply, question id, last id
    last: Any  # State: {"question", "source", "answered"} of the last answer, for a correction


@dataclass
class CorrectionPanel:
    section: Any
    sentence: Any
    not_covered: Any
    note: Any
    status: Any

    def reset(self) -> list[Any]:
        return [self.section, self.sentence, self.not_covered, self.note, self.status]


def ask_tab(settings: Settings, get_service: Callable[[], "Service"]) -> AskTab:
    """The question box and everything an answer shows, with feedback on it."""
    import gradio as gr

    n_labels = settings.max_quotes + 1  # the chosen quotes, and the Contact address when a quote points to it
    color_map = {label(i): QUOTE_COLORS[(i - 1) % len(QUOTE_COLORS)] for i in range(1, n_labels + 1)}
    last_id = gr.State(None)
    with gr.Row():
        question = gr.Textbox(
            label="Customer question",
            placeholder="Do you use cookies?",
            scale=5,
            max_length=settings.max_question_chars,
            submit_btn=False,
        )
        document = gr.Dropdown(label="Document", choices=document_choices(settings), value="", scale=2)
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
    return AskTab(question, document, ask_btn, outputs, gr.State(None))


def wire_ask(settings: Settings, get_service: Callable[[], "Service"], tab: AskTab, panel: CorrectionPanel) -> None:
    """Asking fills the answer and starts a fresh correction form for it."""
    import gradio as gr

    def ask(question: str, document: str | None, request: gr.Request) -> tuple[Any, ...]:
        service = get_service()
        try:
            qid, answer = service.ask(question or "", [], "agent", document or None)
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
    tab.button.click(ask, inputs=[tab.question, tab.document], outputs=outputs, api_name="ask")
    tab.question.submit(
        ask, inputs=[tab.question, tab.document], outputs=outputs, api_name="ask_submit", api_visibility="undocumented"
    )


def correction_panel(get_service: Callable[[], "Service"], last: Any) -> CorrectionPanel:
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
    return CorrectionPanel(section, sentence, not_covered, note, status)


def _chosen(documents: dict[str, Document], key: str | None, index: int | None) -> tuple[Document, str, str]:
    """The document, section title and sentence the correction form names; ``gr.Error`` when incomplete."""
    import gradio as gr

    found = section_of(documents, key)
    if found is None:
        raise gr.Error("Choose the section that answers, or tick “The policy does not say”.")
    doc, section = found
    if index is None or not 0 <= int(index) < len(doc.sentences) or doc.sentences[int(index)].section != section:
        raise gr.Error("Choose the sentence of that section that answers.")
    return doc, doc.sections[section].title, doc.sentences[int(index)].text
