"""The console's other tabs: refused and disliked questions, corrections to review, the policy by section."""

# No `from __future__ import annotations` here: Gradio reads the handlers' annotations at runtime.
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...errors import BotError
from .views import CORRECTION_HEADERS, PROBLEM_HEADERS, correction_rows, section_markdown

if TYPE_CHECKING:
    import gradio as gr

    from ..service import Service


def problems_tab(get_service: Callable[[], "Service"], console: "gr.Blocks") -> None:
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


def review_tab(get_service: Callable[[], "Service"], console: "gr.Blocks") -> None:
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


def policy_tab(get_service: Callable[[], "Service"], console: "gr.Blocks") -> None:
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
