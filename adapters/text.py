"""LIA: which characters a native character set can carry, and what happens to the rest.

Canonical text is Unicode (gateway.xsd): a Korean, Thai or Chinese description
travels unchanged through the XML formats and through UTF-8 CSV.  EDI and flat
files often declare a narrower repertoire (EDIFACT UNOA/UNOB/UNOC, the X12
basic and extended sets, Latin-1 flat files).  Every adapter writes text through
``encode_text``, which either returns it unchanged, or, for a character the
charset cannot carry, applies the agreement's rule:

- ``TextRule.REFUSE``: raise Unrepresentable naming the field, the character,
  its code point and position;
- ``TextRule.TRANSLITERATE``: replace it by a documented ASCII form (below),
  record the change in ``notes`` (adapters pass ``AdapterContext.notes``) so
  the caller can say so, and log it as a warning.

Nothing is ever dropped or replaced silently.

Transliteration, character by character:
1. a character the charset carries stays;
2. a lower-case letter, where the charset has only capitals (UNOA, X12 basic),
   becomes its capital;
3. a Latin letter with diacritics becomes its base letter (NFKD decomposition
   without the combining marks: e -> e, U -> U), a few ligatures their letters
   (ß -> ss, Æ -> AE, Ø -> O, Œ -> OE, Ł -> L, Đ -> D, Þ -> TH);
4. anything else (Hangul, Thai, Han, symbols) becomes ``(U+XXXX)``, its code
   point in upper-case hex, which every charset here can carry.
"""
from __future__ import annotations

import logging
import re
import string
import unicodedata
from collections.abc import Callable

from smart_gateway.domain.errors import Unrepresentable

from .base import TextRule

_UPPER, _LOWER, _DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits

# EDIFACT syntax level A (ISO 9735 part 1, annex): capitals, digits, space and
# these punctuation marks (' + : ? are separators, escaped by the writer).
_UNOA = frozenset(_UPPER + _DIGITS + " .,-()/'+:=?!\"%&*;<>")
_UNOB = _UNOA | frozenset(_LOWER)
# X12 basic character set and the extended additions (X12.6).
_X12_BASIC = frozenset(_UPPER + _DIGITS + " !\"&'()*+,-./:;?=")
_X12_EXTENDED = _X12_BASIC | frozenset(_LOWER + "%@[]_{}\\|<>~^`#$")


def _not_in(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[^" + "".join(re.escape(c) for c in sorted(chars)) + "]")


# Charset name (as an agreement writes it, case-insensitive) -> a pattern that
# finds the first character it cannot carry (one regex search per value: every
# text field of every document passes here).
_UNICODE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0 Char
_LATIN1 = re.compile("[^\x20-\x7e\xa0-\xff]")
CHARSETS: dict[str, re.Pattern[str]] = {
    "utf-8": _UNICODE, "unow": _UNICODE, "unoy": _UNICODE,
    "iso-8859-1": _LATIN1, "latin-1": _LATIN1, "unoc": _LATIN1,
    "ascii": re.compile("[^\x20-\x7e]"),
    "unob": _not_in(_UNOB),
    "unoa": _not_in(_UNOA),
    "x12-basic": _not_in(_X12_BASIC),
    "x12-extended": _not_in(_X12_EXTENDED),
}

_log = logging.getLogger(__name__)

_LIGATURES = {"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
              "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th", "ẞ": "SS"}


def _bad(charset: str) -> re.Pattern[str]:
    try:
        return CHARSETS[charset.lower()]
    except KeyError:
        raise ValueError(f"unknown character set {charset!r}; known: "
                         f"{', '.join(sorted(CHARSETS))}") from None


def carries(charset: str) -> Callable[[str], bool]:
    """The predicate 'this charset can carry character ch'."""
    bad = _bad(charset)
    return lambda ch: bad.match(ch) is None


def _describe(ch: str) -> str:
    return f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')})"


def _transliterate_char(ch: str, ok: Callable[[str], bool]) -> str:
    candidates = []
    if ch in _LIGATURES:
        candidates.append(_LIGATURES[ch])
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and base != ch:
        candidates.append(base)
    candidates.append(ch)
    for candidate in candidates:
        if all(ok(c) for c in candidate):
            return candidate
        upper = candidate.upper()
        if all(ok(c) for c in upper):
            return upper
    return f"(U+{ord(ch):04X})"


def encode_text(value: str, charset: str, rule: TextRule, field: str,
                notes: list[str] | None = None) -> str:
    """``value`` as the charset can carry it, by the agreement's rule.

    ``field`` names where the text goes (e.g. "line 2 description") so the fault
    says where; ``notes`` collects one sentence per transliterated value."""
    found = _bad(charset).search(value)
    if found is None:
        return value
    ok = carries(charset)
    bad = found.start()
    if rule is not TextRule.TRANSLITERATE:
        raise Unrepresentable(
            f"{field}: character {_describe(value[bad])} at position {bad + 1} cannot be "
            f"carried in character set {charset}; the agreement refuses such text (its "
            f"text rule may transliterate instead, or the partner may use a Unicode format)")
    out = "".join(ch if ok(ch) else _transliterate_char(ch, ok) for ch in value)
    note = f"{field}: transliterated for {charset}: {value!r} -> {out!r}"
    if notes is not None:
        notes.append(note)
    _log.warning(note)   # said in the gateway's log too, whoever called
    return out


def check_text(value: str, charset: str, field: str) -> str:
    """Text read from a native document: refuse characters its charset cannot hold
    (a control character in a fixed-width record, for one)."""
    return encode_text(value, charset, TextRule.REFUSE, field)


def decode_bytes(data: bytes, fallback: str = "iso-8859-1") -> str:
    """Native bytes as text: UTF-8 (with or without a byte-order mark) when they
    are valid UTF-8, which the declared charset often is not ("UNOC" files that
    are really UTF-8); otherwise the declared single-byte charset."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(fallback)
