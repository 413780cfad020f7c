"""Redaction of personal data before anything is stored or logged."""

from __future__ import annotations

import pytest

from bot.redact import luhn_valid, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to john.doe+policy@example.co.uk please", "write to [email] please"),
        ("JANE@EXAMPLE.COM", "[email]"),
        ("card 4111 1111 1111 1111", "card [card]"),
        ("card 4111-1111-1111-1111", "card [card]"),
        ("amex 378282246310005", "amex [card]"),
        ("call +1 (555) 123-4567 now", "call [phone] now"),
        ("555-123-4567", "[phone]"),
        ("555.123.4567", "[phone]"),
        ("(555) 123 4567", "[phone]"),
        ("+44 20 7946 0958", "[phone]"),
        ("+33 1 23 45 67 89", "[phone]"),
        ("07700 900123", "[phone]"),
        ("5551234567", "[phone]"),
        ("555-1234", "[phone]"),
        ("020 7946 0958 ext 12", "[phone]"),
        ("from 192.168.1.20", "from [ip]"),
        ("from 2001:db8::8a2e:370:7334 and ::1", "from [ip] and [ip]"),
        ("fe80::1%eth0", "[ip]"),
    ],
)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Do you use cookies?",
        "Is it OK for my 12 year old to join?",
        "How long do you keep data? 30 days?",
        "revised on 2014-10-29 and 12/31/2020",
        "section 3.2 of version 1.2.3",
        "order 123456",
        "the years 2014 2015 and 2016",
        "at 10:30 or 12:30:45",
        "card 4111 1111 1111 1112",  # fails the Luhn check
        "300.1.2.3 is no address",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
