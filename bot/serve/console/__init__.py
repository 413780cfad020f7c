"""The agent console: a Gradio app at /agent (user ``agent``, password from ``BOT_AGENT_PASSWORD``).

Support agents ask as a customer would, see each quote highlighted inside its section and the retrieval
scores behind it, copy a customer-ready reply, rate answers, correct an answer (the section and sentence that
answer, or "the policy does not say"), review refused and disliked questions, approve or reject corrections
(a support lead) and browse the policy. Gradio is imported inside the functions here: it takes seconds to import.

``views`` holds the pure functions behind what the console shows; ``ask`` the "Ask" tab and its correction form;
``tabs`` the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...settings import Settings
from .ask import ask_tab, correction_panel, wire_ask
from .tabs import policy_tab, problems_tab, review_tab

if TYPE_CHECKING:
    import gradio as gr
    from fastapi import FastAPI

    from ..service import Service

USER = "agent"


def build_console(settings: Settings, get_service: Callable[[], Service]) -> gr.Blocks:
    import gradio as gr

    with gr.Blocks(title="PolicyBot — agent console", analytics_enabled=False) as console:
        gr.Markdown("## PolicyBot agent console\nAsk as the customer would; every answer is quoted from the policy.")
        with gr.Tab("Ask"):
            asking = ask_tab(settings, get_service)
            panel = correction_panel(get_service, asking.last)
        with gr.Tab("Refused and disliked"):
            problems_tab(get_service, console)
        with gr.Tab("Review corrections"):
            review_tab(get_service, console)
        with gr.Tab("Policy"):
            policy_tab(get_service, console)
        wire_ask(settings, get_service, asking, panel)
    return console


def mount_console(app: FastAPI, settings: Settings, get_service: Callable[[], Service]) -> Any:
    """Mount the console at /agent behind a login and return the mounted Gradio app (its sessions are what
    ``gate.ConsoleGate`` checks); gradio is imported here, not at module import."""
    import gradio as gr
    from starlette.routing import Mount

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
    return next(r.app for r in app.routes if isinstance(r, Mount) and r.path == "/agent")
