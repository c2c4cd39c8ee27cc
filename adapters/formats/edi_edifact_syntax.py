"""UN/EDIFACT interchanges as segments: pydifact's tokenizer, the gateway's envelope checks.

pydifact reads the UNA service string advice (separators, release character,
decimal mark), release characters (``?'``, ``?+``) and line breaks between
segments.  It does not check envelopes, so this module does: every UNH has
its UNT with the segment count (UNT01) and the message reference (UNT02),
every UNG its UNE (message count, group reference), the UNB its UNZ
(message or group count, interchange reference).  A broken envelope is
refused with InvalidRequest naming the segment by its position.

The character set named in UNB (UNOA, UNOB, UNOC ...) is often not what the
bytes are: the reader takes UTF-8 where the bytes are UTF-8 and Latin-1 (what
UNOC declares) otherwise.  The writer declares the syntax identifier it is
given and writes its encoding (Latin-1 for UNOC, UTF-8 for UNOW).
"""
from __future__ import annotations

import datetime as dt
import warnings
import zlib
from dataclasses import dataclass

from pydifact.control import Characters
from pydifact.exceptions import EDISyntaxError, ValidationError
from pydifact.parser import Parser

from smart_gateway.domain.errors import InvalidRequest

from ..text import decode_bytes

Element = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    tag: str
    elements: tuple[Element, ...]
    position: int                  # 1-based position in the interchange, UNA not counted

    def comp(self, i: int, j: int = 1) -> str:
        """Component j of data element i (both 1-based); a simple element is its own
        first component."""
        if not 0 < i <= len(self.elements):
            return ""
        el = self.elements[i - 1]
        if isinstance(el, str):
            return el if j == 1 else ""
        return el[j - 1] if 0 < j <= len(el) else ""

    def where(self, i: int | None = None) -> str:
        return f"segment {self.position} ({self.tag}{'' if i is None else f' element {i}'})"


@dataclass
class Message:
    type: str                      # ORDERS, INVOIC ...
    version: str                   # D:96A:UN[:EAN008]
    reference: str                 # UNH01
    segments: list[Segment]        # between UNH and UNT, both excluded
    sender: str                    # UNB02 id
    receiver: str                  # UNB03 id
    charset: str                   # UNB01 syntax identifier: UNOA, UNOC ...
    unh: Segment

    def where(self) -> str:
        return f"message {self.type} {self.reference} ({self.unh.where()})"


def decode(data: bytes) -> str:
    return decode_bytes(data, "iso-8859-1")


# ISO 9735's default service characters (used when there is no UNA): the full stop is
# the default decimal mark, where pydifact's own default is the comma.
_DEFAULT = Characters(component_separator=":", data_separator="+", decimal_point=".",
                      escape_character="?", reserved=" ", segment_terminator="'")


def tokenize(data: bytes) -> list[Segment]:
    text = decode(data).lstrip()
    if not text.startswith(("UNA", "UNB")):
        raise InvalidRequest("segment 1: an EDIFACT interchange starts with UNA or UNB")
    with warnings.catch_warnings():
        # pydifact warns that it has no segment directory for the syntax version;
        # the gateway validates segments itself.
        warnings.simplefilter("ignore")
        try:
            raw = list(Parser(characters=_DEFAULT).parse(text, characters=_DEFAULT))
        except (EDISyntaxError, ValidationError, ValueError) as exc:
            # The tokenizer's own words: they say what is wrong, though not at which segment.
            raise InvalidRequest(f"the EDIFACT interchange cannot be tokenized: {exc}") from None
    out: list[Segment] = []
    for seg in raw:
        if seg.tag == "UNA":
            continue
        elements = tuple(e if isinstance(e, str) else tuple(e) for e in seg.elements)
        out.append(Segment(seg.tag.strip(), elements, len(out) + 1))
    return out


def _count(seg: Segment, i: int, expected: int, what: str) -> None:
    value = seg.comp(i).strip()
    if not value.isdigit() or int(value) != expected:
        raise InvalidRequest(f"{seg.where(i)}: says {value or 'nothing'} {what}, the interchange "
                             f"has {expected}")


def _same(seg: Segment, i: int, expected: str, opener: str) -> None:
    value = seg.comp(i).strip()
    if value != expected.strip():
        raise InvalidRequest(f"{seg.where(i)}: reference {value!r} does not match {opener}'s "
                             f"{expected.strip()!r}")


def parse(data: bytes, *, strict: bool = True) -> list[Message]:
    """The messages of one interchange, envelopes and control counts checked.

    ``strict=False`` forgives a wrong segment count or reference in UNT, a wrong
    reference in UNZ and a missing UNZ at the end of the file (published samples
    have all of these); every other check holds."""
    segs = tokenize(data)
    if not segs or segs[0].tag != "UNB":
        raise InvalidRequest("segment 1: the interchange header UNB is missing")
    unb = segs[0]
    charset, sender, receiver = unb.comp(1), unb.comp(2), unb.comp(3)
    messages: list[Message] = []
    i, n = 1, len(segs)
    groups = 0

    def read_messages(i: int) -> tuple[int, int]:
        count = 0
        while i < n and segs[i].tag == "UNH":
            unh = segs[i]
            j = i + 1
            while j < n and segs[j].tag not in ("UNT", "UNH", "UNE", "UNZ"):
                j += 1
            if j >= n or segs[j].tag != "UNT":
                raise InvalidRequest(f"{unh.where()}: message {unh.comp(1)} has no UNT trailer")
            unt = segs[j]
            if strict:
                _count(unt, 1, j - i + 1, "segments in the message")
            if strict:
                _same(unt, 2, unh.comp(1), "UNH")
            version = ":".join(c for c in (unh.comp(2, k) for k in range(2, 6)) if c)
            messages.append(Message(type=unh.comp(2, 1), version=version, reference=unh.comp(1),
                                    segments=segs[i + 1:j], sender=sender, receiver=receiver,
                                    charset=charset, unh=unh))
            count += 1
            i = j + 1
        return i, count

    if i < n and segs[i].tag == "UNG":
        while i < n and segs[i].tag == "UNG":
            ung = segs[i]
            groups += 1
            i, count = read_messages(i + 1)
            if i >= n or segs[i].tag != "UNE":
                where = segs[i].where() if i < n else f"segment {n + 1}"
                raise InvalidRequest(f"{where}: group {ung.comp(5)} ({ung.where()}) has no UNE "
                                     f"trailer")
            _count(segs[i], 1, count, "messages in the group")
            _same(segs[i], 2, ung.comp(5), "UNG")
            i += 1
        expected, what = groups, "groups in the interchange"
    else:
        i, expected = read_messages(i)
        what = "messages in the interchange"
    if i == n and not strict and messages:
        return messages
    if i >= n or segs[i].tag != "UNZ":
        where = segs[i].where() if i < n else f"segment {n + 1}"
        raise InvalidRequest(f"{where}: expected UNH or the UNZ trailer of the interchange")
    _count(segs[i], 1, expected, what)
    if strict:
        _same(segs[i], 2, unb.comp(5), "UNB")
    if i + 1 < n:
        raise InvalidRequest(f"{segs[i + 1].where()}: data after the UNZ trailer")
    if not messages:
        raise InvalidRequest("segment 2: the interchange holds no message")
    return messages


# ------------------------------------------------------------------ writing

UNA = "UNA:+.? '"
_RELEASE = {c: "?" + c for c in ":+?'"}


def escape(value: str) -> str:
    return "".join(_RELEASE.get(c, c) for c in value)


def segment(tag: str, *elements: Element) -> str:
    """One segment; a tuple element is a composite.  Trailing empty elements are left out."""
    parts = []
    for el in elements:
        if isinstance(el, tuple):
            comps = list(el)
            while comps and comps[-1] == "":
                comps.pop()
            parts.append(":".join(escape(c) for c in comps))
        else:
            parts.append(escape(el))
    while parts and parts[-1] == "":
        parts.pop()
    return "+".join([tag, *parts]) + "'"


@dataclass(frozen=True)
class OutMessage:
    type: str                 # ORDERS ...
    body: list[str]           # segments between UNH and UNT, already written


def write(messages: list[OutMessage], sender: str, receiver: str,
          now: dt.datetime | None = None,
          syntax: tuple[str, str, str] = ("UNOC", "3", "latin-1")) -> bytes:
    """One interchange (messages D:96A:UN), one line per segment; ``syntax`` is the
    syntax identifier, its version and the byte encoding it declares."""
    now = now or dt.datetime.now(dt.timezone.utc)
    control = str(zlib.crc32("".join("".join(m.body) for m in messages).encode()) or 1)
    out = [UNA, segment("UNB", syntax[:2], (sender, "ZZZ"), (receiver, "ZZZ"),
                        (now.strftime("%y%m%d"), now.strftime("%H%M")), control)]
    for number, m in enumerate(messages, start=1):
        ref = str(number)
        out.append(segment("UNH", ref, (m.type, "D", "96A", "UN")))
        out.extend(m.body)
        out.append(segment("UNT", str(len(m.body) + 2), ref))
    out.append(segment("UNZ", str(len(messages)), control))
    return ("\n".join(out) + "\n").encode(syntax[2])
