"""The canonical side of every adapter: a tns:document element, as plain values.

Adapters map native documents to ``Doc`` values and back; ``to_element`` and
``from_element`` are the only places that know the element layout of
gateway.xsd's Document type, and ``differences`` compares two documents the way
a round-trip test needs (numbers by value, so 10 == 10.000; text exactly,
character for character).

Besides ``company`` and ``partner`` (the network's codes of the two companies a
document travels between) a document carries every party its native file names
(``Party``: role, ids, name, address) and each line every identifier of its item
besides the network's ``item`` (``DocLine.item_ids``), each id a ``(scheme,
value)`` pair.  Both default to empty, so a document built without them is what
it was before.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from lxml import etree

from smart_gateway.domain.errors import InvalidRequest
from smart_gateway.messages import schema

from .base import Purpose

NS = schema.NS
_Q = "{%s}" % NS
DOCUMENT = _Q + "document"

DOC_TYPES = ("PurchaseOrder", "SalesOrder", "Delivery", "Receiving", "AccountReceivable",
             "AccountPayable", "Payment", "Receipt", "Return", "ReturnReceiving")


PARTY_ROLES = ("Buyer", "Seller", "ShipTo", "ShipFrom", "BillTo", "Payer", "Payee", "Other")
# Purposes whose document must hold a line: a partner's order response or
# cancellation may name its document and no line.
LINES_REQUIRED = (Purpose.ORIGINAL, Purpose.CHANGE)

Ident = tuple[str, str]     # (scheme, value): Buyer, Seller, GTIN, GLN, DUNS, an EDI qualifier ...


@dataclass(frozen=True)
class Address:
    street: tuple[str, ...] = ()
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None          # ISO 3166-1 alpha-2

    def __bool__(self) -> bool:
        return bool(self.street or self.city or self.postal_code or self.region or self.country)


@dataclass(frozen=True)
class Party:
    role: str                           # one of PARTY_ROLES
    ids: tuple[Ident, ...] = ()
    name: str | None = None
    address: Address = field(default_factory=Address)


@dataclass(frozen=True)
class DocLine:
    number: int
    item: str
    quantity: Decimal
    unit: str
    description: str | None = None
    unit_price: Decimal | None = None
    requested_date: dt.date | None = None
    item_ids: tuple[Ident, ...] = ()


@dataclass(frozen=True)
class DocRef:
    company: str
    type: str
    number: str
    quantity: Decimal | None = None


@dataclass(frozen=True)
class Doc:
    type: str
    number: str
    company: str
    issue_date: dt.date
    lines: tuple[DocLine, ...]
    partner: str | None = None
    requested_date: dt.date | None = None
    currency: str | None = None
    note: str | None = None
    references: tuple[DocRef, ...] = field(default=())
    parties: tuple[Party, ...] = field(default=())


# Numbers beyond any canonical quantity or amount (19 digits) are refused as they
# are read: arithmetic on them (a price per basis quantity, a round to
# millionths) would overflow the decimal context before the schema saw them.
_MOST_DIGITS_BEFORE_POINT = 19


def parse_number(text: str, where: str, *, shown: str | None = None,
                 hint: str = "") -> Decimal:
    """A native number as a finite Decimal, or InvalidRequest naming ``where``;
    ``shown`` is the text as the file has it (before a decimal comma is replaced),
    ``hint`` what to add when it is no number at all."""
    shown = text if shown is None else shown
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidRequest(f"{where}: {shown!r} is not a number{hint}") from None
    if not value.is_finite():
        raise InvalidRequest(f"{where}: {shown!r} is not a number")
    if value and value.adjusted() >= _MOST_DIGITS_BEFORE_POINT:
        raise InvalidRequest(f"{where}: {shown!r} is too large; the gateway carries numbers of "
                             f"at most {_MOST_DIGITS_BEFORE_POINT} digits")
    return value


def decimal_text(value: Decimal) -> str:
    """xs:decimal text without exponent and without trailing zeros (10, 2.5)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _sub(parent: etree._Element, name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, Decimal):
        text = decimal_text(value)
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    etree.SubElement(parent, _Q + name).text = text


def _ident(parent: etree._Element, name: str, ident: Ident) -> None:
    el = etree.SubElement(parent, _Q + name)
    _sub(el, "scheme", ident[0])
    _sub(el, "value", ident[1])


def party_element(party: Party) -> etree._Element:
    """A tns:party element (gateway.xsd's Party, in its element order)."""
    el = etree.Element(_Q + "party", nsmap={"tns": NS})
    _sub(el, "role", party.role)
    for ident in party.ids:
        _ident(el, "id", ident)
    _sub(el, "name", party.name)
    if party.address:
        a = etree.SubElement(el, _Q + "address")
        for street in party.address.street:
            _sub(a, "street", street)
        for name, value in (("city", party.address.city),
                            ("postalCode", party.address.postal_code),
                            ("region", party.address.region), ("country", party.address.country)):
            _sub(a, name, value)
    return el


def to_element(doc: Doc) -> etree._Element:
    el = etree.Element(DOCUMENT, nsmap={"tns": NS})
    for name, value in (("type", doc.type), ("number", doc.number), ("company", doc.company),
                        ("partner", doc.partner), ("issueDate", doc.issue_date),
                        ("requestedDate", doc.requested_date), ("currency", doc.currency),
                        ("note", doc.note)):
        _sub(el, name, value)
    for party in doc.parties:
        el.append(party_element(party))
    for line in doc.lines:
        ln = etree.SubElement(el, _Q + "line")
        for name, value in (("lineNumber", line.number), ("item", line.item),
                            ("description", line.description), ("quantity", line.quantity),
                            ("unit", line.unit), ("unitPrice", line.unit_price),
                            ("requestedDate", line.requested_date)):
            _sub(ln, name, value)
        for ident in line.item_ids:
            _ident(ln, "itemId", ident)
    for ref in doc.references:
        r = etree.SubElement(el, _Q + "reference")
        for name, value in (("company", ref.company), ("type", ref.type),
                            ("number", ref.number), ("quantity", ref.quantity)):
            _sub(r, name, value)
    return el


def _children(el: etree._Element) -> dict[str, str]:
    return {etree.QName(c).localname: (c.text or "") for c in el if isinstance(c.tag, str)}


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _dec(text: str | None) -> Decimal | None:
    return Decimal(text.strip()) if text else None


def _idents(el: etree._Element, name: str) -> tuple[Ident, ...]:
    return tuple((i.findtext(_Q + "scheme") or "", i.findtext(_Q + "value") or "")
                 for i in el.iterchildren(_Q + name))


def party_from(el: etree._Element) -> Party:
    """A tns:party element as values."""
    a = el.find(_Q + "address")
    address = Address() if a is None else Address(
        street=tuple(s.text or "" for s in a.iterchildren(_Q + "street")),
        city=a.findtext(_Q + "city"), postal_code=a.findtext(_Q + "postalCode"),
        region=a.findtext(_Q + "region"), country=a.findtext(_Q + "country"))
    return Party(role=el.findtext(_Q + "role") or "Other", ids=_idents(el, "id"),
                 name=el.findtext(_Q + "name"), address=address)


def from_element(el: etree._Element) -> Doc:
    """A tns:document element (already valid against gateway.xsd) as values."""
    f = _children(el)
    lines, refs, parties = [], [], []
    for child in el:
        if child.tag == _Q + "party":
            parties.append(party_from(child))
        elif child.tag == _Q + "line":
            c = _children(child)
            lines.append(DocLine(
                number=int(c["lineNumber"]), item=c["item"], quantity=Decimal(c["quantity"]),
                unit=c["unit"], description=c.get("description"),
                unit_price=_dec(c.get("unitPrice")), requested_date=_date(c.get("requestedDate")),
                item_ids=_idents(child, "itemId")))
        elif child.tag == _Q + "reference":
            c = _children(child)
            refs.append(DocRef(company=c["company"], type=c["type"], number=c["number"],
                               quantity=_dec(c.get("quantity"))))
    return Doc(type=f["type"], number=f["number"], company=f["company"],
               issue_date=dt.date.fromisoformat(f["issueDate"][:10]), lines=tuple(lines),
               partner=f.get("partner"), requested_date=_date(f.get("requestedDate")),
               currency=f.get("currency"), note=f.get("note"), references=tuple(refs),
               parties=tuple(parties))


def problems(el: etree._Element) -> list[str]:
    """Schema violations of a tns:document element (checked inside a SubmitTransaction,
    the smallest global element of gateway.xsd that holds one)."""
    if el.getparent() is not None:  # an element of another tree: check a copy
        el = etree.fromstring(etree.tostring(el))
    wrapper = etree.Element(_Q + "SubmitTransaction", nsmap={"tns": NS})
    etree.SubElement(wrapper, _Q + "messageId").text = "check"
    wrapper.append(el)      # borrowed for the check, then handed back standalone
    try:
        return schema.problems(wrapper)
    finally:
        wrapper.remove(el)


def checked(doc: Doc, where: str, purpose: Purpose | str | None = None) -> etree._Element:
    """``doc`` as an element, refused with InvalidRequest naming ``where`` (the native
    document) if a value read from it does not fit the canonical schema, or if it has
    no line and ``purpose`` is Original or Change (the schema lets a partner's response
    or cancellation name its document without lines; nothing else may)."""
    if not doc.lines and purpose is not None and Purpose(purpose) in LINES_REQUIRED:
        raise InvalidRequest(f"{where}: the document has no line items; only a response or a "
                             f"cancellation may name its document without lines")
    try:
        el = to_element(doc)
    except ValueError as exc:   # lxml: a control character in a value
        raise InvalidRequest(f"{where}: a value is not XML text: {exc}") from None
    if found := problems(el):
        raise InvalidRequest(f"{where}: the document does not fit the canonical schema "
                             f"({len(found)} problem(s)); first: {found[0]}", found)
    return el


def differences(a: Doc | etree._Element, b: Doc | etree._Element) -> list[str]:
    """What differs between two canonical documents; [] when they carry the same content."""
    da = a if isinstance(a, Doc) else from_element(a)
    db = b if isinstance(b, Doc) else from_element(b)
    out: list[str] = []
    for name in ("type", "number", "company", "partner", "issue_date", "requested_date",
                 "currency", "note"):
        if getattr(da, name) != getattr(db, name):
            out.append(f"{name}: {getattr(da, name)!r} != {getattr(db, name)!r}")
    if len(da.lines) != len(db.lines):
        out.append(f"line count: {len(da.lines)} != {len(db.lines)}")
    for la, lb in zip(da.lines, db.lines):
        # Decimal equality is by value; a format keeps item ids in its own places
        if replace(la, item_ids=()) != replace(lb, item_ids=()) or \
                sorted(la.item_ids) != sorted(lb.item_ids):
            out.append(f"line {la.number}: {la} != {lb}")
    if da.references != db.references:
        out.append(f"references: {da.references} != {db.references}")
    if len(da.parties) != len(db.parties):
        out.append(f"party count: {len(da.parties)} != {len(db.parties)}")
    # Parties by content, not position: a role says what a party is, and each
    # format keeps its parties in fixed places (cXML's ShipTo before its Contacts).
    for pa, pb in zip(sorted(da.parties, key=repr), sorted(db.parties, key=repr)):
        if pa != pb:
            out.append(f"party {pa.role}: {pa} != {pb}")
    return out
