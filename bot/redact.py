"""Redact personal data from free text before it is stored or logged.

Replaces e-mail addresses, payment card numbers (Luhn-valid, 13-19 digits), IPv4 and IPv6 addresses and
phone numbers with fixed tokens. Conservative on purpose: a question keeps its words, dates and small
numbers ("kept for 30 days", "2015-03-17"); only values that identify a person or a card go.
"""

from __future__ import annotations

import ipaddress
import re

EMAIL = "[email]"
CARD = "[card]"
IP = "[ip]"
PHONE = "[phone]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
# 13-19 digits, optionally grouped by single spaces or hyphens.
_CARD = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
# Anything made of hex groups and colons that the ipaddress module accepts (::1, fe80::1%eth0, 2001:db8::8a2e:370:7334),
# and the IPv4-mapped form (::ffff:192.0.2.128): its dotted tail is tried first, so it goes whole.
_IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:%\w+)?(?![\w:])"
)
# +CC and an optional (area) code, then digit groups separated by spaces, dots or hyphens; or a bare run of digits.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?(?:\d{1,6}(?:[ .-]\d{1,6}){0,6}|\d{7,15})"
    r"(?:\s*(?:x|ext\.?)\s*\d{1,5})?(?![\w-])"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group())
    return CARD if 13 <= len(digits) <= 19 and luhn_valid(digits) else m.group()


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


def _phone(m: re.Match[str]) -> str:
    text = m.group()
    if _ISO_DATE.fullmatch(text):
        return text
    number = re.split(r"\s*(?:x|ext)", text, maxsplit=1)[0]
    digits = re.sub(r"\D", "", number)
    groups = re.findall(r"\d+", number)
    if not 7 <= len(digits) <= 15:
        return text
    if "+" in number or "(" in number or len(digits) >= 10:
        return PHONE
    # 7-9 digits without a country or area code: only the local shape 555-1234 / 555.1234 / 12-34-567.
    if re.search(r"[.-]", number) and len(groups[-1]) >= 3 and len(groups) >= 2:
        return PHONE
    return text


def redact(text: str) -> str:
    """``text`` with e-mails, card numbers, IP addresses and phone numbers replaced by tokens."""
    text = _EMAIL.sub(EMAIL, text)
    text = _CARD.sub(_card, text)
    text = _IPV6.sub(_ipv6, text)
    text = _IPV4.sub(_ipv4, text)
    return _PHONE.sub(_phone, text)
