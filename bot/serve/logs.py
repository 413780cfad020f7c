"""The server's log: the app's own INFO lines reach the output, and third-party lines are redacted."""

from __future__ import annotations

import logging

from ..redact import redact


class RedactFilter(logging.Filter):
    """Redacts a third-party logger's records (slowapi's "ratelimit exceeded" names the client's address): no log
    line holds an IP address, an e-mail or a phone number."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        return True


def configure_logging() -> None:
    """Let the app's own INFO lines (questions, redacted; purges; readiness) reach the server's output.

    ``python -m bot serve`` leaves the root logger at WARNING and uvicorn configures only its own loggers, so
    without this the ``bot`` loggers' INFO records are dropped. A handler is added only when none would print.
    """
    limiter_log = logging.getLogger("slowapi")
    if not any(isinstance(f, RedactFilter) for f in limiter_log.filters):
        limiter_log.addFilter(RedactFilter())
    bot_log = logging.getLogger("bot")
    if bot_log.level == logging.NOTSET or bot_log.level > logging.INFO:
        bot_log.setLevel(logging.INFO)
    if not logging.getLogger().handlers and not bot_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        bot_log.addHandler(handler)
