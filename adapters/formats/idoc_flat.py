"""SAP IDoc in the fixed-length flat-file form of file ports (kind "sap-idoc-flat").

A file holds one or more IDocs, one record a line: the control record EDI_DC40
(524 characters) and data records of 63 characters of administration (segment
name 30, client 3, IDoc number 16, segment number 6, parent segment number 6,
hierarchy level 2) followed by the segment's fields at fixed positions (up to
1000 characters).  Segment names carry the external form: E2 instead of E1
and, for most, a three-digit segment version (E2EDK01003 is version 003 of
E1EDK01); both spellings are read.  Positions are counted in characters.

The records are mapped to canonical documents by idoc.py, like the XML form.
Checks that only the flat form needs: records in order (segment numbers
1, 2, 3 ...), every record of the IDoc named in its control record, a child
segment right after its parent, and no value that fixed-width padding would
change (a value ending in a blank, a line break).

Character set: the agreement's (``AdapterContext.charset``), ISO 8859-1 if it
names none, as a non-Unicode SAP system writes its files; text it cannot carry
is refused or transliterated by adapters/text.py.  Files are read as UTF-8 when
they are valid UTF-8 and as ISO 8859-1 otherwise.
"""
from __future__ import annotations

from smart_gateway.domain.errors import SchemaInvalid, Unrepresentable

from ..base import AdapterContext, Canonical
from ..registry import register
from ..text import decode_bytes
from .idoc import CONTROL, PARENT, SEGMENTS, Idoc, Segment, check_tree, from_canonical, \
    to_canonical

HEADER = 63          # administration part of a data record
DATA = 1000          # the segment's data part

# The external names the gateway writes (versions as SAP release 6.20 files carry them).
FLAT_NAMES = {"E1EDK01": "E2EDK01003", "E1EDKA1": "E2EDKA1002", "E1EDP01": "E2EDP01003",
              "E1EDP19": "E2EDP19001"}

_CODECS = {"utf-8": "utf-8", "unow": "utf-8", "unoy": "utf-8",
           "iso-8859-1": "latin-1", "latin-1": "latin-1", "unoc": "latin-1"}


def _offsets(layout: tuple[tuple[str, int], ...]) -> list[tuple[str, int, int]]:
    out, at = [], 0
    for name, length in layout:
        out.append((name, at, at + length))
        at += length
    return out


_CONTROL_AT = _offsets(CONTROL)
_SEGMENT_AT = {name: _offsets(layout) for name, layout in SEGMENTS.items()}


def internal_name(external: str) -> str | None:
    """E2EDK01003 / E2EDK01 -> E1EDK01; None for a segment the gateway does not know."""
    if len(external) < 3 or external[1] != "2":
        return None
    name = external[0] + "1" + external[2:]
    for candidate in (name, name[:-3] if name[-3:].isdigit() else None):
        if candidate in SEGMENTS:
            return candidate
    return None


def parse_flat(data: bytes) -> list[Idoc]:
    text = decode_bytes(data)
    idocs: list[Idoc] = []
    stack: list[Segment] = []
    count = 0  # data records of the current IDoc
    for n, raw in enumerate(text.split("\n"), start=1):
        record = raw[:-1] if raw.endswith("\r") else raw
        if not record.strip():
            continue
        where = f"record {n}"
        if record.startswith("EDI_DC40"):
            control = {name: record[a:b].strip() for name, a, b in _CONTROL_AT}
            idocs.append(Idoc({k: v for k, v in control.items() if v}, [],
                              f"IDoc {len(idocs) + 1} ({where})"))
            stack, count = [], 0
            continue
        if not idocs:
            raise SchemaInvalid(f"{where}: a data record before any control record EDI_DC40; "
                                f"an IDoc file starts with one")
        idoc = idocs[-1]
        external = record[:30].strip()
        name = internal_name(external)
        if name is None:
            raise SchemaInvalid(f"{where}: segment {external!r} is not part of the gateway's "
                                f"IDoc types (ORDERS05/INVOIC02 with extension ZSMARTGW)")
        docnum, segnum = record[33:49].strip(), record[49:55].strip()
        if docnum != idoc.control.get("DOCNUM", ""):
            raise SchemaInvalid(f"{where} {external}: IDoc number {docnum!r} differs from its "
                                f"control record's {idoc.control.get('DOCNUM', '')!r}")
        count += 1
        expected = count
        if not segnum.isdigit() or int(segnum) != expected:
            raise SchemaInvalid(f"{where} {external}: segment number {segnum!r}, expected "
                                f"{expected:06d}: a record is missing or out of order")
        sdata = record[HEADER:]
        fields = {f: sdata[a:b].rstrip() for f, a, b in _SEGMENT_AT[name] if sdata[a:b].strip()}
        seg = Segment(name, fields, f"{where} {external}")
        parent = PARENT.get(name)
        while stack and stack[-1].name != parent:
            stack.pop()
        if parent is None:
            check_tree(None, name, seg.where)
            idoc.segments.append(seg)
        elif not stack:
            raise SchemaInvalid(f"{seg.where}: segment {name} must follow its parent {parent}")
        else:
            stack[-1].children.append(seg)
        stack.append(seg)
    if not idocs:
        raise SchemaInvalid("the file holds no IDoc: no control record EDI_DC40")
    return idocs


def _field(value: str, length: int, where: str) -> str:
    if value != value.rstrip(" ") or "\n" in value or "\r" in value:
        raise Unrepresentable(f"{where}: {value!r} ends in a blank or holds a line break, "
                              f"which a fixed-width record cannot carry")
    return value.ljust(length)


def format_flat(idocs: list[Idoc]) -> str:
    out = []
    for idoc in idocs:
        out.append("".join(_field(idoc.control.get(name, ""), length,
                                  f"{idoc.where} EDI_DC40-{name}") for name, length in CONTROL))
        docnum = idoc.control.get("DOCNUM", "").ljust(16)
        counter = 0

        def emit(seg: Segment, parent_num: int, level: int) -> None:
            nonlocal counter
            counter += 1
            own = counter
            external = FLAT_NAMES.get(seg.name, seg.name[0] + "2" + seg.name[2:])
            sdata = "".join(_field(seg.fields.get(f, ""), length, f"{seg.where} {seg.name}-{f}")
                            for f, length in SEGMENTS[seg.name])
            out.append(f"{external:<30}{'':3}{docnum}{own:06d}{parent_num:06d}{level:02d}"
                       f"{sdata:<{DATA}}")
            for child in seg.children:
                emit(child, own, level + 1)

        for seg in idoc.segments:
            emit(seg, 0, 2)
    return "\n".join(out) + "\n"


class IdocFlatAdapter:
    kind = "sap-idoc-flat"
    media_type = "text/plain"
    file_suffix = ".idoc"

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        return [to_canonical(i, context, "utf-8") for i in parse_flat(data)]

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        charset = (context.charset or "iso-8859-1").lower()
        idocs = [from_canonical(m, context, n, charset) for n, m in enumerate(messages, start=1)]
        return format_flat(idocs).encode(_CODECS.get(charset, "ascii"))


register(IdocFlatAdapter())
