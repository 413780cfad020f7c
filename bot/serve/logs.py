"""The server's log: the app's own INFO lines reach the output, and every line is redacted.

``bot.redact.install_log_redaction`` puts one filter on the root logger, the server's loggers (uvicorn's,
slowapi's, FastAPI's, ours) and their handlers: no log line holds an IP address (slowapi's "ratelimit exceeded"
names the client), an e-mail, a phone or a card number, whichever library wrote it.
"""

from __future__ import annotations

import logging

from ..redact import install_log_redaction


def configure_logging() -> None:
    """Let the app's own INFO lines (questions, redacted; purges; readiness) reach the server's output, redacted.

    ``python -m bot serve`` leaves the root logger at WARNING and uvicorn configures only its own loggers, so
    without this the ``bot`` loggers' INFO records are dropped. A handler is added only when none would print.
    Redaction is installed last, so it covers that handler too.
    """
    bot_log = logging.getLogger("bot")
    if bot_log.level == logging.NOTSET or bot_log.level > logging.INFO:
        bot_log.setLevel(logging.INFO)
    if not logging.getLogger().handlers and not bot_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        bot_log.addHandler(handler)
    install_log_redaction()
