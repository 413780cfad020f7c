"""Redaction across formats: phone numbers of many countries, card numbers with any separator, internationalised,
full-width and spelled-out e-mail addresses; ordinary text left alone; and every log line redacted (slowapi's
"ratelimit exceeded" included), through real loggers, handlers and a real slowapi limiter."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from uvicorn.logging import AccessFormatter

from bot.redact import (
    CARD,
    EMAIL,
    PHONE,
    SERVER_LOGGERS,
    RedactingFilter,
    install_log_redaction,
    luhn_valid,
    redact,
)

# (country, value, token): each value is written as people write it.
FORMATS = [
    ("DE", "+49 30 12345678", PHONE),
    ("DE", "030 12345678", PHONE),
    ("DE", "+49 1512 3456789", PHONE),
    ("DE", "01512 3456789", PHONE),
    ("DE", "(030) 1234 5678", PHONE),
    ("DE", "0049 30 12345678", PHONE),
    ("DE", "+49 (0)30 12345678", PHONE),
    ("DE", "030/12345678", PHONE),
    ("DE", "+49-89-1234567", PHONE),
    ("GB", "+44 20 7946 0958", PHONE),
    ("GB", "020 7946 0958", PHONE),
    ("GB", "07700 900123", PHONE),
    ("GB", "+44 7700 900123", PHONE),
    ("GB", "0161 496 0000", PHONE),
    ("FR", "+33 1 23 45 67 89", PHONE),
    ("FR", "01 23 45 67 89", PHONE),
    ("FR", "06 12 34 56 78", PHONE),
    ("FR", "06.12.34.56.78", PHONE),
    ("FR", "0033 6 12 34 56 78", PHONE),
    ("IN", "+91 98765 43210", PHONE),
    ("IN", "98765 43210", PHONE),
    ("IN", "098765-43210", PHONE),
    ("IN", "022 2345 6789", PHONE),
    ("IN", "+91 22 2345 6789", PHONE),
    ("JP", "+81 3-1234-5678", PHONE),
    ("JP", "03-1234-5678", PHONE),
    ("JP", "090-1234-5678", PHONE),
    ("JP", "+81 90 1234 5678", PHONE),
    ("BR", "+55 11 91234-5678", PHONE),
    ("BR", "(11) 91234-5678", PHONE),
    ("BR", "(21) 2345-6789", PHONE),
    ("BR", "+55 (21) 2345-6789", PHONE),
    ("AU", "+61 2 9876 5432", PHONE),
    ("AU", "(02) 9876 5432", PHONE),
    ("AU", "0412 345 678", PHONE),
    ("AU", "+61 412 345 678", PHONE),
    ("US", "+1 (415) 555-0132", PHONE),
    ("US", "(415) 555-0132", PHONE),
    ("US", "415-555-0132", PHONE),
    ("US", "415.555.0132", PHONE),
    ("US", "1-800-555-0199", PHONE),
    ("US", "+1 202 555 0143", PHONE),
    ("US", "555-1234", PHONE),
    ("US", "4155550132", PHONE),
    ("CN", "+86 138 0013 8000", PHONE),
    ("CN", "138 0013 8000", PHONE),
    ("CN", "13800138000", PHONE),
    ("CN", "010 1234 5678", PHONE),
    ("CN", "+86 10 1234 5678", PHONE),
    ("ES", "+34 912 345 678", PHONE),
    ("ES", "912 345 678", PHONE),
    ("ES", "612 34 56 78", PHONE),
    ("ES", "91 234 56 78", PHONE),
    ("IT", "+39 06 6982 1234", PHONE),
    ("IT", "06 6982 1234", PHONE),
    ("IT", "333 123 4567", PHONE),
    ("IT", "+39 333 123 4567", PHONE),
    ("NL", "+31 20 123 4567", PHONE),
    ("NL", "020 123 4567", PHONE),
    ("NL", "06 1234 5678", PHONE),
    ("NL", "06-12345678", PHONE),
    ("MX", "+52 55 1234 5678", PHONE),
    ("MX", "55 1234 5678", PHONE),
    ("MX", "+52 1 55 1234 5678", PHONE),
    ("any", "1234567", PHONE),  # a bare run of 7+ digits
    ("any", "020 7946 0958 ext 12", PHONE),
    # cards: each separator, each network
    ("card", "4012 8888 8888 1881", CARD),
    ("card", "4012-8888-8888-1881", CARD),
    ("card", "4012.8888.8888.1881", CARD),
    ("card", "6011/1111/1111/1117", CARD),
    ("card", "4242  4242  4242  4242", CARD),
    ("card", "4242_4242_4242_4242", CARD),
    ("card", "4242 - 4242 - 4242 - 4242", CARD),
    ("card", "4242424242424242", CARD),
    ("card", "3782 822463 10005", CARD),
    ("card", "5555 5555 5555 4444", CARD),
    ("card", "2223 0031 2200 3222", CARD),
    ("card", "3530 1113 3330 0000", CARD),
    ("card", "6011 0009 9013 9424", CARD),
    # e-mail addresses: internationalised, full-width, spelled out
    ("e-mail", "jane.doe+billing@example.co.uk", EMAIL),
    ("e-mail", "josé@exämple.com", EMAIL),
    ("e-mail", "user@xn--exmple-cua.com", EMAIL),
    ("e-mail", "müller@bücher.de", EMAIL),
    ("e-mail", "用户@例子.广告", EMAIL),
    ("e-mail", "иван@пример.рф", EMAIL),
    ("e-mail", "mary＠example.com", EMAIL),
    ("e-mail", "mary＠example．com", EMAIL),
    ("e-mail", '"john doe"@example.com', EMAIL),
    ("e-mail", "john dot doe at example dot com", EMAIL),
    ("e-mail", "john at example dot com", EMAIL),
    ("e-mail", "john [at] example [dot] com", EMAIL),
    ("e-mail", "john(at)example(dot)com", EMAIL),
    ("e-mail", "john (at) example (dot) co (dot) uk", EMAIL),
    ("e-mail", "JOHN {AT} EXAMPLE {DOT} COM", EMAIL),
    ("e-mail", "john [at] example.com", EMAIL),
    ("e-mail", "john[@]example[dot]com", EMAIL),
]

UNCHANGED = [
    "Is my data kept for 30 days?",
    "The policy changed on 2015-03-17.",
    "It was revised on 17.03.2015 and again on 12/31/2020.",
    "Is the service for children under 13?",
    "See section 4 and section 3.2 of the policy.",
    "What changed in 2014, 2015 and 2016?",
    "the years 2014 2015 2016 2017",
    "Call us between 9:00 and 17:30, or at 12:30:45 UTC.",
    "My son is 12 years old.",
    "It costs $1,299.99 or 1.299,00 € a year.",
    "version 3.10.12 of the app, build 1.2.3",
    "Order 54321 never arrived.",
    "Look at the data you hold about me.",
    "What do you do at the end of the year?",
    "Look at the dot matrix printer.",
    "Is this like the dot com bubble?",
    "Is it stored at home or at work?",
    "card 4111 1111 1111 1112 fails the Luhn check",
    "Article 6(1)(f) GDPR",
    "10 000 users and 1 000 000 records",
    "at 9 am on 2024-01-05",
    "the export of 20240517",
    "300.1.2.3 is no address",
    "meet at 5 dot 30",
    "I work at Google dot com.",
    "We kept it from 1998-2003.",
]


def test_the_table_covers_many_formats_and_countries() -> None:
    countries = {c for c, _, token in FORMATS if token == PHONE and c != "any"}
    assert len(FORMATS) >= 60 and len(countries) >= 10, (len(FORMATS), sorted(countries))
    assert len(UNCHANGED) >= 15
    assert all(luhn_valid(re.sub(r"\D", "", v)) for _, v, token in FORMATS if token == CARD)


@pytest.mark.parametrize(("country", "value", "token"), FORMATS, ids=[f"{c}:{v}" for c, v, _ in FORMATS])
def test_the_value_goes_and_the_words_stay(country: str, value: str, token: str) -> None:
    text = f"Hi, reach me on {value} about my data, thanks."
    assert redact(text) == f"Hi, reach me on {token} about my data, thanks."
    assert redact(f"{value}") == token  # at the start and end of a text too


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_text_is_left_unchanged(text: str) -> None:
    assert redact(text) == text


def test_two_values_in_one_sentence_both_go() -> None:
    text = "write to me at john dot doe at example dot com or call 030 12345678, card 4012.8888.8888.1881"
    assert redact(text) == f"write to me at {EMAIL} or call {PHONE}, card {CARD}"


# -- log lines ---------------------------------------------------------------------------------------
IP4, IP6 = "203.0.113.42", "2001:db8::7"
SECRETS = [IP4, IP6, "+49 30 12345678", "4012 8888 8888 1881", "josé@exämple.com"]


def _leaks(text: str) -> list[str]:
    """The secrets, or the digit groups of 4+ of one, that ``text`` still holds."""
    return [s for s in SECRETS if s in text] + [
        g for s in SECRETS for g in re.findall(r"\d{4,}", s) if re.search(rf"(?<!\d){g}(?!\d)", text)
    ]


@pytest.fixture
def clean_logging() -> Iterator[None]:
    """Puts every logger's and handler's filters and handlers back as they were."""
    loggers = [
        logging.getLogger(),
        *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)),
    ]
    saved = {id(lg): (lg, list(lg.filters), list(lg.handlers), lg.propagate, lg.level) for lg in loggers}
    handler_filters = {id(h): (h, list(h.filters)) for lg in loggers for h in lg.handlers}
    last_resort = list(logging.lastResort.filters) if logging.lastResort else []
    yield
    for lg, filters, handlers, propagate, level in saved.values():
        lg.filters[:], lg.handlers[:], lg.propagate = filters, handlers, propagate
        lg.setLevel(level)
    for h, filters in handler_filters.values():
        h.filters[:] = filters
    if logging.lastResort:
        logging.lastResort.filters[:] = last_resort
    for new in logging.root.manager.loggerDict.values():  # loggers the test created
        if isinstance(new, logging.Logger) and id(new) not in saved:
            new.filters[:] = [f for f in new.filters if not isinstance(f, RedactingFilter)]


def _capture(logger: logging.Logger, fmt: logging.Formatter | None = None) -> io.StringIO:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(fmt or logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return out


def _log_everything(log: logging.Logger) -> None:
    ip4, ip6, phone, card, email = SECRETS
    log.warning(f"client {ip4} and {ip6} wrote from {email}")  # in the message itself
    log.warning("ratelimit %s (%s) exceeded at endpoint: %s", "5 per 1 minute", ip4, "/api/ask")  # %s args
    log.info("call %d or %s", 493012345678, phone)  # a %d whose int is a phone number
    log.info("card %(card)s for %(who)s", {"card": card, "who": email})  # a mapping of args
    try:
        raise ValueError(f"no such client {ip6}, card {card}")
    except ValueError:
        log.exception("failed for %s", phone)  # the exception's text


def test_without_the_filter_the_log_leaks() -> None:
    """The control: the same lines through the same kind of handler hold every secret."""
    log = logging.getLogger("test_redact_formats.control")
    log.propagate = False
    out = _capture(log)
    try:
        _log_everything(log)
    finally:
        log.handlers.clear()
    assert [s for s in SECRETS if s not in out.getvalue()] == []


def test_no_log_line_holds_personal_data(clean_logging: None) -> None:
    root_out = _capture(logging.getLogger())
    bot_out = _capture(logging.getLogger("bot"))
    install_log_redaction()
    install_log_redaction()  # idempotent
    for name in ("", *SERVER_LOGGERS):
        assert sum(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters) == 1
    # A logger created after installing: its records reach the filtered handlers of "bot" and the root.
    _log_everything(logging.getLogger("bot.created_later"))
    _log_everything(logging.getLogger("slowapi"))
    for out in (root_out, bot_out):
        text = out.getvalue()
        assert not _leaks(text), (_leaks(text), text)
        assert text.count("ratelimit 5 per 1 minute ([ip]) exceeded at endpoint: /api/ask") >= 1
        assert f"call {PHONE} or {PHONE}" in text
        assert f"ValueError: no such client [ip], card {CARD}" in text
        assert "Logging error" not in text


def test_uvicorn_access_lines_keep_their_shape(clean_logging: None) -> None:
    """uvicorn's access formatter unpacks the record's args: they stay a tuple, the client address redacted."""
    access = logging.getLogger("uvicorn.access")
    access.propagate = False
    out = _capture(access, AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    install_log_redaction()
    access.info('%s - "%s %s HTTP/%s" %d', f"{IP4}:50123", "GET", "/api/health?mail=josé@exämple.com", "1.1", 200)
    access.info('%s - "%s %s HTTP/%s" %d', f"[{IP6}]:50124", "GET", "/", "1.1", 404)
    assert out.getvalue().splitlines() == [
        '[ip]:50123 - "GET /api/health?mail=[email] HTTP/1.1" 200 OK',
        '[[ip]]:50124 - "GET / HTTP/1.1" 404 Not Found',
    ]


def _limited_app() -> Starlette:
    limiter = Limiter(key_func=get_remote_address)

    @limiter.limit("1/minute")
    async def ask(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/api/ask", ask)])
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)  # type: ignore[arg-type]
    return app


@pytest.mark.parametrize("client_ip", [IP4, IP6])
def test_slowapi_rate_limit_warning_names_no_client(clean_logging: None, client_ip: str) -> None:
    """slowapi's own "ratelimit exceeded" warning, from a real limiter, reaches the root's handler redacted."""
    out = _capture(logging.getLogger())
    install_log_redaction()
    with TestClient(_limited_app(), client=(client_ip, 50000)) as client:
        assert client.get("/api/ask").status_code == 200
        assert client.get("/api/ask").status_code == 429
    text = out.getvalue()
    assert "ratelimit 1 per 1 minute ([ip]) exceeded at endpoint: /api/ask" in text
    assert client_ip not in text
