"""UN/EDIFACT messages in the XML syntax of ISO 20625 (M_<type>, S_<segment>, C_<composite>,
D_<data element>), read as the same segments the character syntax gives.

The XML leaves out empty data elements, so an element's position comes from a
directory: for the segments the EDIFACT adapter reads, which data elements
and composites a segment holds, in order, and which components a composite
holds.  A code repeated in a composite (C273 has 7008 twice) fills its
positions in order.  Segments the adapter does not read keep their elements in
document order; segment groups (G_SGn) are flattened in document order.
The message's UNT segment count is checked as in the character syntax; there
is no interchange envelope.
"""
from __future__ import annotations

from lxml import etree

from smart_gateway.domain.errors import InvalidRequest
from smart_gateway.messages import safe_xml

from .edi_edifact_syntax import Message, Segment

SEGMENTS = {
    "BGM": ("C002", "C106", "1225", "4343"),
    "DTM": ("C507",),
    "FTX": ("4451", "4453", "C107", "C108", "3453"),
    "RFF": ("C506",),
    "NAD": ("3035", "C082", "C058", "C080", "C059", "3164", "C819", "3251", "3207"),
    "CUX": ("C504", "C504", "5402", "6341"),
    "LIN": ("1082", "1229", "C212", "C829", "1222", "7083"),
    "PIA": ("4347", "C212", "C212", "C212", "C212", "C212"),
    "IMD": ("7077", "C272", "C273", "3453"),
    "QTY": ("C186",),
    "PRI": ("C509", "5213"),
    "CNT": ("C270",),
    "UNS": ("0081",),
}
COMPOSITES = {
    "C002": ("1001", "1131", "3055", "1000"), "C106": ("1004", "1056", "1060"),
    "C507": ("2005", "2380", "2379"), "C107": ("4441", "1131", "3055"),
    "C108": ("4440",) * 5, "C506": ("1153", "1154", "1156", "4000", "1060"),
    "C082": ("3039", "1131", "3055"), "C504": ("6347", "6345", "6343", "6348"),
    "C212": ("7140", "7143", "1131", "3055"),
    "C273": ("7009", "1131", "3055", "7008", "7008", "3453"),
    "C186": ("6063", "6060", "6411"), "C509": ("5125", "5118", "5375", "5387", "5284", "6411"),
    "C270": ("6069", "6066", "6411"),
}


def _code(el: etree._Element) -> str:
    return etree.QName(el).localname[2:]


def _place(children: list[etree._Element], layout: tuple[str, ...], where: str,
           value) -> list:
    """Children placed at the positions of ``layout`` by their codes, in order."""
    out: list = [""] * len(layout)
    pos = 0
    for child in children:
        code = _code(child)
        try:
            pos = layout.index(code, pos)
        except ValueError:
            raise InvalidRequest(f"{where}: {etree.QName(child).localname} is not where the "
                                 f"directory puts it") from None
        out[pos] = value(child)
        pos += 1
    while out and out[-1] in ("", ()):
        out.pop()
    return out


def _segment(el: etree._Element, position: int) -> Segment:
    tag = _code(el)
    where = f"segment {position} ({tag}, line {el.sourceline})"
    children = [c for c in el if isinstance(c.tag, str)]

    def value(child: etree._Element):
        if etree.QName(child).localname.startswith("C_"):
            comps = [c for c in child if isinstance(c.tag, str)]
            layout = COMPOSITES.get(_code(child))
            if layout is None:
                return tuple((c.text or "") for c in comps)
            return tuple(_place(comps, layout, where, lambda c: c.text or ""))
        return child.text or ""

    layout = SEGMENTS.get(tag)
    elements = _place(children, layout, where, value) if layout else [value(c) for c in children]
    return Segment(tag, tuple(elements), position)


def parse(data: bytes) -> list[Message]:
    root = safe_xml.parse(data)
    name = etree.QName(root).localname
    if not name.startswith("M_"):
        raise InvalidRequest(f"an EDIFACT XML message has an M_<type> root, not {name}")
    # Segments sit in segment groups (G_SGn) as well as directly under the message.
    segs = [_segment(el, i) for i, el in enumerate(
        (e for e in root.iter() if isinstance(e.tag, str)
         and etree.QName(e).localname.startswith("S_")), start=1)]
    if not segs or segs[0].tag != "UNH":
        raise InvalidRequest("segment 1: the message does not start with S_UNH")
    unh, unt = segs[0], segs[-1]
    if unt.tag != "UNT":
        raise InvalidRequest(f"{unt.where()}: the message does not end with S_UNT")
    count = unt.comp(1)
    if not count.isdigit() or int(count) != len(segs):
        raise InvalidRequest(f"{unt.where(1)}: says {count or 'nothing'} segments in the "
                             f"message, the message has {len(segs)}")
    if unt.comp(2) != unh.comp(1):
        raise InvalidRequest(f"{unt.where(2)}: reference {unt.comp(2)!r} does not match UNH's "
                             f"{unh.comp(1)!r}")
    mtype = unh.comp(2, 1) or name[2:]
    version = ":".join(c for c in (unh.comp(2, k) for k in range(2, 6)) if c)
    return [Message(type=mtype, version=version, reference=unh.comp(1), segments=segs[1:-1],
                    sender="", receiver="", charset="UNOW", unh=unh)]
