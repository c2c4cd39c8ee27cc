"""ANSI X12 interchanges as segments: a small, strict tokenizer and writer.

Separators are read from the ISA header, never assumed: the element separator
is the character after "ISA", the component separator ISA16, the segment
terminator the character after it.  Headers that are not fixed-width (blanks
trimmed, non-ASCII padding) are read element by element; a header that lost
its ISA16 (the terminator follows ISA15 directly) is recognised by the next
segment ending with the same character.  Line breaks after terminators and
indentation are layout; a line break also ends a segment whose terminator is
missing.

Envelopes are checked as the standard says: every ST has its SE with the
segment count (SE01) and control number (SE02) of the set, every GS its GE
with the number of sets (GE01) and the group control number (GE02), the ISA
its IEA with the number of groups (IEA01).  A broken envelope is refused with
InvalidRequest naming the segment by its position in the interchange.
"""
from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

from smart_gateway.domain.errors import InvalidRequest, Unrepresentable

from ..text import decode_bytes

_LINE_BREAKS = "\r\n"


@dataclass(frozen=True, slots=True)
class Segment:
    tag: str
    elements: tuple[str, ...]     # elements[0] is XX01
    position: int                 # 1-based position in the interchange

    def get(self, i: int, default: str = "") -> str:
        """Data element XXnn (1-based), '' when absent."""
        return self.elements[i - 1] if 0 < i <= len(self.elements) else default

    def where(self, i: int | None = None) -> str:
        name = f"{self.tag}{i:02d}" if i else self.tag
        return f"segment {self.position} ({name})"


@dataclass
class TransactionSet:
    code: str                     # ST01: 850, 810 ...
    control: str                  # ST02
    segments: list[Segment]       # between ST and SE, both excluded
    functional_id: str            # GS01
    version: str                  # GS08
    group_date: str               # GS04
    sender: str                   # ISA06, trimmed
    receiver: str                 # ISA08, trimmed
    component: str                # ISA16
    st: Segment = field(repr=False, default=None)  # type: ignore[assignment]

    def where(self) -> str:
        return f"transaction set {self.code} {self.control} ({self.st.where()})"


def decode(data: bytes) -> str:
    """The interchange as text: UTF-8 (a byte-order mark dropped), else Latin-1."""
    return decode_bytes(data, "iso-8859-1")


def _split_isa(text: str, start: int) -> tuple[list[str], str, str, str, int]:
    """ISA elements, element separator, component separator, terminator, and where data starts."""
    sep = text[start + 3:start + 4]
    if not sep or sep.isalnum() or sep.isspace():
        raise InvalidRequest("segment 1 (ISA): no element separator after 'ISA'")
    pos, elements = start + 4, []
    for _ in range(15):
        nxt = text.find(sep, pos)
        if nxt < 0:
            raise InvalidRequest("segment 1 (ISA): the interchange header has fewer than 16 "
                                 "elements")
        elements.append(text[pos:nxt])
        pos = nxt + 1
    component, after = text[pos:pos + 1], text[pos + 1:pos + 2]
    if after in _LINE_BREAKS or after == "":
        # Either the terminator is a line break, or ISA16 is missing and the
        # character read as ISA16 is the terminator: the next segment says which.
        rest = text[pos + 1:].lstrip()
        line = rest.split("\n", 1)[0].rstrip("\r ")
        if line.endswith(component) and not component.isalnum():
            return elements + [""], sep, "", component, pos + 1
        return elements + [component], sep, component, "\n", pos + 1
    return elements + [component], sep, component, after, pos + 2


def tokenize(data: bytes) -> tuple[list[Segment], str, str]:
    """Every segment of the interchange, with the element and component separators."""
    text = decode(data)
    start = text.find("ISA")
    if start < 0 or text[:start].strip():
        raise InvalidRequest("segment 1: an X12 interchange starts with an ISA segment")
    isa, sep, component, terminator, pos = _split_isa(text, start)
    segments = [Segment("ISA", tuple(isa), 1)]
    body = text[pos:]
    if terminator == "\n":
        body = body.replace("\r", "\n")
        chunks = body.split("\n")
    else:
        chunks = []
        for chunk in body.split(terminator):
            # A line break inside a chunk ends a segment whose terminator is missing.
            chunks.extend(chunk.replace("\r", "\n").split("\n"))
    for chunk in chunks:
        raw = chunk.strip(" \t\x00")
        if not raw:
            continue
        parts = raw.split(sep)
        tag = parts[0]
        if not (2 <= len(tag) <= 3 and tag.isalnum() and tag.upper() == tag):
            raise InvalidRequest(f"segment {len(segments) + 1}: {raw[:20]!r} does not start with "
                                 f"a segment identifier")
        segments.append(Segment(tag, tuple(p.rstrip() for p in parts[1:]), len(segments) + 1))
    return segments, sep, component


def _count(seg: Segment, i: int, expected: int, what: str) -> None:
    value = seg.get(i).strip()
    if not value.isdigit() or int(value) != expected:
        raise InvalidRequest(f"{seg.where(i)}: says {value or 'nothing'} {what}, the interchange "
                             f"has {expected}")


def _control(seg: Segment, i: int, expected: str, opener: str) -> None:
    value = seg.get(i).strip()
    if value.lstrip("0") != expected.strip().lstrip("0"):
        raise InvalidRequest(f"{seg.where(i)}: control number {value!r} does not match "
                             f"{opener}'s {expected.strip()!r}")


def parse(data: bytes) -> list[TransactionSet]:
    """The transaction sets of one interchange, envelopes and control counts checked."""
    segments, _sep, component = tokenize(data)
    isa = segments[0]
    sender, receiver = isa.get(6).strip(), isa.get(8).strip()
    sets: list[TransactionSet] = []
    groups = 0
    i, n = 1, len(segments)
    while i < n and segments[i].tag == "GS":
        gs = segments[i]
        groups += 1
        i += 1
        in_group = 0
        while i < n and segments[i].tag == "ST":
            st = segments[i]
            j = i + 1
            while j < n and segments[j].tag not in ("SE", "ST", "GE", "IEA"):
                j += 1
            if j >= n or segments[j].tag != "SE":
                raise InvalidRequest(f"{st.where()}: transaction set {st.get(1)} {st.get(2)} has "
                                     f"no SE trailer")
            se = segments[j]
            _count(se, 1, j - i + 1, "segments in the transaction set")
            _control(se, 2, st.get(2), "ST02")
            sets.append(TransactionSet(
                code=st.get(1).strip(), control=st.get(2).strip(), segments=segments[i + 1:j],
                functional_id=gs.get(1), version=gs.get(8).strip(),
                group_date=gs.get(4).strip(), sender=sender,
                receiver=receiver, component=component, st=st))
            in_group += 1
            i = j + 1
        if i >= n or segments[i].tag != "GE":
            where = segments[i].where() if i < n else f"segment {n + 1}"
            raise InvalidRequest(f"{where}: functional group {gs.get(6)} ({gs.where()}) has no "
                                 f"GE trailer")
        ge = segments[i]
        _count(ge, 1, in_group, "transaction sets in the group")
        _control(ge, 2, gs.get(6), "GS06")
        i += 1
    if i >= n or segments[i].tag != "IEA":
        where = segments[i].where() if i < n else f"segment {n + 1}"
        raise InvalidRequest(f"{where}: expected GS or the IEA trailer of the interchange")
    iea = segments[i]
    _count(iea, 1, groups, "functional groups in the interchange")
    if i + 1 < n:
        raise InvalidRequest(f"{segments[i + 1].where()}: data after the IEA trailer")
    if not sets:
        raise InvalidRequest("segment 2: the interchange holds no transaction set")
    return sets


# ------------------------------------------------------------------ writing

ELEMENT, COMPONENT, TERMINATOR = "*", ">", "~"
_SEPARATORS = frozenset(ELEMENT + COMPONENT + TERMINATOR)


def check_value(value: str, where: str) -> str:
    """X12 has no release character: a separator inside a value cannot be sent."""
    bad = sorted(set(value) & _SEPARATORS)
    if bad:
        raise Unrepresentable(f"{where}: {value!r} holds {''.join(bad)!r}, a separator of the "
                              f"interchange; X12 has no way to escape it")
    return value


def segment(tag: str, *elements: str) -> str:
    values = list(elements)
    while values and values[-1] == "":
        values.pop()
    return ELEMENT.join([tag, *values]) + TERMINATOR


@dataclass(frozen=True)
class OutSet:
    code: str                 # 850 ...
    functional_id: str        # PO ...
    body: list[str]           # segments between ST and SE, already written


def write(sets: list[OutSet], sender: str, receiver: str,
          now: dt.datetime | None = None) -> bytes:
    """One interchange, version 00401 / 004010, a functional group per run of the same GS01."""
    now = now or dt.datetime.now(dt.timezone.utc)
    payload = "".join("".join(s.body) for s in sets).encode()
    control = zlib.crc32(payload) % 1_000_000_000 or 1
    for name, value in (("sender", sender), ("receiver", receiver)):
        if len(value) > 15:
            raise Unrepresentable(f"ISA: the {name} id {value!r} is longer than the 15 characters "
                                  f"of ISA06/ISA08")
        check_value(value, f"ISA {name} id")
    out = [segment("ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ",
                   receiver.ljust(15), now.strftime("%y%m%d"), now.strftime("%H%M"), "U", "00401",
                   f"{control:09d}", "0", "P", COMPONENT)]
    groups: list[list[OutSet]] = []
    for s in sets:
        if groups and groups[-1][0].functional_id == s.functional_id:
            groups[-1].append(s)
        else:
            groups.append([s])
    st_number = 0
    for g, group in enumerate(groups, start=1):
        out.append(segment("GS", group[0].functional_id, sender, receiver, now.strftime("%Y%m%d"),
                           now.strftime("%H%M"), str(g), "X", "004010"))
        for s in group:
            st_number += 1
            ctl = f"{st_number:04d}"
            out.append(segment("ST", s.code, ctl))
            out.extend(s.body)
            out.append(segment("SE", str(len(s.body) + 2), ctl))
        out.append(segment("GE", str(len(group)), str(g)))
    out.append(segment("IEA", str(len(groups)), f"{control:09d}"))
    return "\n".join(out).encode("ascii") + b"\n"
