"""Redact personal data from free text before it is stored or logged, and from every log line.

Replaces e-mail addresses (internationalised, full-width, spelled out with "at" and "dot"), payment card numbers
(Luhn-valid, 13-19 digits, any separators), IPv4 and IPv6 addresses (checked by ``ipaddress``) and phone numbers
(``phonenumbers``, see ``bot.redact_contacts``) with fixed tokens. Conservative on purpose: a question keeps its
words, dates and small numbers ("kept for 30 days", "2015-03-17", "under 13"); only values that identify a
person or a card go. ``RedactingFilter`` does the same to log records, ``install_log_redaction`` puts it on the
server's loggers.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .redact_contacts import EMAIL, PHONE, is_date_or_years, redact_emails, redact_phones

__all__ = [
    "CARD",
    "EMAIL",
    "IP",
    "PHONE",
    "SERVER_LOGGERS",
    "RedactingFilter",
    "install_log_redaction",
    "luhn_valid",
    "redact",
]

CARD = "[card]"
IP = "[ip]"

# 13-19 digits, each pair separated by up to three spaces, dots, slashes, underscores or hyphens.
_CARD = re.compile(r"(?<![\w+])\d(?:(?:[^\S\n]|[._/\\-]){0,3}\d){12,18}(?!\w)")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
# Anything made of hex groups and colons that the ipaddress module accepts (::1, fe80::1%eth0, 2001:db8::8a2e:370:7334),
# and the IPv4-mapped form (::ffff:192.0.2.128): its dotted tail is tried first, so it goes whole.
_IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:%\w+)?(?![\w:])"
)


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check that every payment card number passes."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    """A 13-19 digit, Luhn-valid number that no issuer would start with 0."""
    return 13 <= len(digits) <= 19 and digits[0] != "0" and luhn_valid(digits)


def _card(m: re.Match[str]) -> str:
    """``CARD`` for the card number in a run of digit groups: the whole run, or its longest Luhn-valid stretch
    of whole groups (``order 12 4111 1111 1111 1111``); the run itself when none is a card."""
    run = m.group()
    if is_date_or_years(run):
        return run
    groups = [(g.start(), g.end()) for g in re.finditer(r"\d+", run)]
    stretches = sorted(
        ((i, j) for i in range(len(groups)) for j in range(i + 1, len(groups) + 1)), key=lambda s: s[0] - s[1]
    )
    for i, j in stretches:
        start, end = groups[i][0], groups[j - 1][1]
        if _is_card(re.sub(r"\D", "", run[start:end])):
            return run[:start] + CARD + run[end:]
    return run


def _ipv4(m: re.Match[str]) -> str:
    try:
        ipaddress.IPv4Address(m.group())
    except ValueError:
        return m.group()
    return IP


def _ipv6(m: re.Match[str]) -> str:
    try:
        ipaddress.IPv6Address(m.group().split("%", 1)[0])
    except ValueError:
        return m.group()
    return IP


def redact(text: str) -> str:
    """``text`` with e-mails, card numbers, IP addresses and phone numbers replaced by tokens."""
    text = redact_emails(text)
    text = _CARD.sub(_card, text)
    text = _IPV6.sub(_ipv6, text)
    text = _IPV4.sub(_ipv4, text)
    return redact_phones(text)


# -- log records -------------------------------------------------------------------------------------
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "slowapi", "bot", "fastapi")
_DONE = "_policybot_redacted"  # set on a record once redacted, so a second filter on its way costs nothing


def _redact_arg(arg: object) -> object:
    """A ``%`` argument redacted, kept as it was (an ``int`` for ``%d``) when it holds nothing to redact."""
    text = str(arg)
    clean = redact(text)
    return arg if clean == text else clean


def _redact_args(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(_redact_arg(a) for a in args)
    if isinstance(args, Mapping):
        return {k: _redact_arg(v) for k, v in args.items()}
    return args


def _redact_message(record: logging.LogRecord) -> None:
    """Redact the message, keeping ``msg`` and ``args`` apart where that is safe (uvicorn's access formatter
    unpacks ``args``); otherwise the whole redacted message becomes ``msg``."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: logging reports it, with msg and args, so make both safe
        record.msg, record.args = redact(str(record.msg)), _redact_args(record.args)
        return
    clean = redact(message)
    if clean == message:
        return
    if isinstance(record.msg, str):
        record.msg, record.args = redact(record.msg), _redact_args(record.args)
        try:
            rebuilt = record.getMessage()
        except Exception:  # a %d whose int was a phone number, now "[phone]"
            rebuilt = message
        if redact(rebuilt) == rebuilt:
            return
    record.msg, record.args = clean, ()


class RedactingFilter(logging.Filter):
    """Redacts each record that passes: its message and arguments, exception and stack text. No log line then
    holds an e-mail address, a card number, an IP address (slowapi's "ratelimit exceeded" names the client's)
    or a phone number."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _DONE, False):
            return True
        _redact_message(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Formatters print the cached text; without exc_info none can format the exception again, unredacted.
            record.exc_text, record.exc_info = redact(record.exc_text), None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        setattr(record, _DONE, True)
        return True


def install_log_redaction(names: Iterable[str] = SERVER_LOGGERS) -> None:
    """Put one ``RedactingFilter`` on the root logger and its handlers, on Python's last-resort handler, on each
    named logger, its handlers and its existing descendants. Idempotent.

    A logger's filter sees only the records logged on that very logger, and a handler's filter every record that
    reaches it: hence both. Call it after the handlers are set up (uvicorn sets up its own before the app starts).
    """
    root = logging.getLogger()
    names = tuple(names)
    loggers: list[logging.Logger] = [root, *(logging.getLogger(n) for n in names)]
    for name, logger in list(root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.startswith(tuple(f"{n}." for n in names)):
            loggers.append(logger)
    targets: list[logging.Filterer] = [*loggers, *(h for lg in loggers for h in lg.handlers)]
    if logging.lastResort is not None:
        targets.append(logging.lastResort)
    shared = RedactingFilter()
    for target in targets:
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(shared)
