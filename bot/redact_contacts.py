"""Find e-mail addresses and phone numbers in free text: the contact half of ``bot.redact``.

E-mails: internationalised addresses (``josé@exämple.com``, IDN and punycode domains), the full-width at sign
and dot (``mary＠example．com``) and the spelled-out forms (``john dot doe at example dot com``,
``john [at] example [dot] com``). Phones: Google's libphonenumber (the ``phonenumbers`` package) finds the
numbers that are valid in one of a set of countries, written nationally or with a ``+`` country code; a small
fallback catches the shapes it does not know (an unassigned range, a bare run of 7 or more digits). Dates,
years, prices and version numbers are left alone.
"""

from __future__ import annotations

import re

from phonenumbers import Leniency, PhoneNumberMatcher

EMAIL = "[email]"
PHONE = "[phone]"

# -- e-mail addresses --------------------------------------------------------------------------------
_AT = "[@＠﹫]"  # ASCII, full-width and small commercial at
_DOT = "[.．。｡]"  # the separators IDNA accepts between labels
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"  # a letter or digit of any script at each end
# RFC 5322 also allows / = ? in a local part; none seen in the wild, and URLs (?mail=a@b.c) read better without.
_LOCAL = r"(?:\"[^\"\n]{1,64}\"|[\w.．!#$%&'*+^`{|}~-]+)"
_EMAIL = re.compile(
    r"(?<![\w.．!#$%&'*+^`{|}~-])" + _LOCAL + _AT + r"(?:" + _LABEL + r"(?:" + _DOT + _LABEL + r")+|\[[^\]\s]+\])"
)

_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_AT_WORD = rf"(?:\s*{_OPEN}\s*(?:at|@)\s*{_CLOSE}\s*|\s+at\s+)"
_DOT_WORD = rf"(?:\s*{_OPEN}\s*dot\s*{_CLOSE}\s*|\s+dot\s+|{_DOT})"
_WORD = r"[\w'+-]+"
# local part, "at", domain (a few labels each: linear time); no address runs on into another "at"
# (``me at john dot doe at example dot com``).
_SPELLED = re.compile(
    rf"(?<![\w.'+-])({_WORD}(?:{_DOT_WORD}{_WORD}){{0,3}})({_AT_WORD})"
    rf"({_LABEL}(?:{_DOT_WORD}{_LABEL}){{1,4}})(?![\w-]|{_AT_WORD})",
    re.IGNORECASE,
)
_TLD = re.compile(r"[^\W\d_]{2,6}")  # com, de, co.uk, info, online: a spelled-out address ends in one
# "look at the dot matrix", "at this dot com", "I work at Google dot com": a function word, or a verb that is
# followed by a place, is neither half of a bare-word address.
_NOT_A_DOMAIN = frozenset(
    "a all an any each every first her his home its last least my no noon night one our school some that the "
    "their these this those work your".split()
)
_NOT_A_MAILBOX = frozenset(
    "am are be been he her him i in is it live lived look looked me on out shop shopped she stay stayed them "
    "there they up us was we were work worked working works you".split()
)


def _spelled_email(m: re.Match[str]) -> str:
    """``EMAIL`` for a spelled-out address; the text itself when it reads as an ordinary sentence."""
    at, domain = m.group(2), m.group(3)
    labels = re.split(_DOT_WORD, domain, flags=re.IGNORECASE)
    if not _TLD.fullmatch(labels[-1]):
        return m.group()
    bracketed = bool(re.search(_OPEN, m.group()))
    if at.strip().lower() == "at" and not bracketed:
        # Bare words: only a spelled-out "dot" makes it an address, and not after a function word.
        mailbox = re.split(_DOT_WORD, m.group(1), flags=re.IGNORECASE)[-1].lower()
        if (
            not re.search(r"\sdot\s", m.group(), re.IGNORECASE)
            or labels[0].lower() in _NOT_A_DOMAIN
            or mailbox in _NOT_A_MAILBOX
        ):
            return m.group()
    return EMAIL


def redact_emails(text: str) -> str:
    """``text`` with each e-mail address, written out or spelled with "at" and "dot", replaced by ``EMAIL``."""
    return _SPELLED.sub(_spelled_email, _EMAIL.sub(EMAIL, text))


# -- phone numbers -----------------------------------------------------------------------------------
# Where a national number (no +CC) is tried: these countries' numbering plans, as libphonenumber knows them.
REGIONS = (
    "US", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "ES", "PT", "IT", "PL", "SE",
    "IN", "JP", "CN", "KR", "BR", "MX", "AU", "NZ", "ZA",
)  # fmt: skip
_ENOUGH_DIGITS = re.compile(r"(?:\d\D{0,4}){6}")  # no phone number has fewer than 6 digits
# Candidates the library parses per country: a question's few numbers fit, and 2,000 characters of digit groups
# cost tens of ms instead of ~0.5 s (past the budget, the fallback alone applies).
_MAX_TRIES = 32
# +CC and an optional (area) code, then digit groups separated by spaces, dots or hyphens; or a bare run of digits.
_PHONE = re.compile(
    r"(?<![\w+])(?<!\w-)(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?(?:\d{1,6}(?:[ .-]\d{1,6}){0,6}|\d{7,15})"
    r"(?:\s*(?:x|ext\.?)\s*\d{1,5})?(?![\w-])"
)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_YEARS = re.compile(r"(?:19|20)\d\d(?:\s*[\s,/–-]\s*(?:19|20)\d\d)+")  # 2014, 2015 / 1998-2003
_COMPACT_DATE = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_THOUSANDS = re.compile(r"\d{1,3}(?:([., ])\d{3})(?:\1\d{3})*")


def is_date_or_years(text: str) -> bool:
    """Whether ``text`` is a date (``2015-03-17``, ``17.03.2015``, ``20150317``) or a list of years."""
    return bool(_DATE.fullmatch(text) or _YEARS.fullmatch(text) or _COMPACT_DATE.fullmatch(text))


def _phone_shaped(text: str) -> bool:
    """Whether a digit run libphonenumber did not claim still reads as a phone number (the fallback)."""
    if is_date_or_years(text):
        return False
    number = re.split(r"\s*(?:x|ext)", text, maxsplit=1)[0]
    digits = re.sub(r"\D", "", number)
    groups = re.findall(r"\d+", number)
    if not 7 <= len(digits) <= 15:
        return False
    if "+" in number or "(" in number or len(digits) >= 10:
        return True
    if len(groups) == 1:  # 1234567: a bare run of 7-9 digits
        return True
    # 7-9 digits without a country or area code: the local shape 555-1234 / 555.1234, not 1.299.000.
    return bool(re.search(r"[.-]", number)) and len(groups[-1]) >= 3 and not _THOUSANDS.fullmatch(number)


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each phone number in ``text``, overlaps merged, in order."""
    spans = [m.span() for m in _PHONE.finditer(text) if _phone_shaped(m.group())]
    if _ENOUGH_DIGITS.search(text):
        for region in REGIONS:
            for match in PhoneNumberMatcher(text, region, leniency=Leniency.VALID, max_tries=_MAX_TRIES):
                if not is_date_or_years(match.raw_string):
                    spans.append((match.start, match.end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact_phones(text: str) -> str:
    """``text`` with each phone number replaced by ``PHONE``."""
    out, last = [], 0
    for start, end in _phone_spans(text):
        out += [text[last:start], PHONE]
        last = end
    return "".join([*out, text[last:]])
