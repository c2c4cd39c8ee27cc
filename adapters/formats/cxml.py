"""cXML, as SAP Ariba's network and procurement suites speak it (kind "cxml").

    canonical                         cXML request (Header From = the document's company,
                                      To = its partner, by the agreement's party ids;
                                      a confirmation comes From the supplier)
    PurchaseOrder Original/Change/    OrderRequest, OrderRequestHeader type new/update/delete,
      Cancellation                      lines ItemOut
    PurchaseOrder Response            ConfirmationRequest, ConfirmationHeader type
                                        accept/detail/reject, confirmID = the supplier's number,
                                        lines ConfirmationItem/ConfirmationStatus/ItemIn
    Delivery Original/Change/Cancel.  ShipNoticeRequest, operation new/update/delete,
                                        lines ShipNoticePortion/ShipNoticeItem
    AccountReceivable Original/Cancel. InvoiceDetailRequest, operation new/delete,
                                        lines InvoiceDetailOrder/InvoiceDetailItem
    Payment Original                  PaymentRemittanceRequest, lines RemittanceDetail
                                        paying the referenced invoice, with their amounts

cXML has no message for the other canonical types (a Receipt is not a
remittance, a SalesOrder not an OrderRequest); writing one is refused with
InvalidRequest rather than dressed up as a message the partner would book
wrongly.  Part codes are the partner's SupplierPartID (through the CIA).
What cXML has no attribute for travels in Extrinsic elements, which cXML
defines for exactly that: the requested date of a ship-notice or invoice line
(``requestedDeliveryDate``), references to preceding documents
(``reference``: company, type, number, quantity), the currency of a document
without prices (``currency``) and the item, quantity, unit, price and text a
remittance line pays for.

cXML documents carry a DOCTYPE naming the cXML DTD.  The gateway never loads
DTDs: a bare ``<!DOCTYPE cXML SYSTEM "...">`` line (no internal subset) is cut
before the document goes to the safe parser, which refuses any other DTD.
Timestamps are read as the calendar date in their own zone; dates are written
as midnight UTC.  A header Total is informational in cXML (Coupa's own sample
states one line's amount for a two-line order), so the lines' prices are what
the gateway carries and the Total is written, not checked.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from smart_gateway.domain.errors import InvalidRequest, SchemaInvalid, UnmappedCode, Unrepresentable
from smart_gateway.messages import safe_xml

from .. import canonical_doc as cd
from ..base import AdapterContext, Canonical, Purpose, Response
from ..registry import register
from ..text import check_text

_DOCTYPE = re.compile(rb'<!DOCTYPE\s+cXML\s+SYSTEM\s+"[^"<>\[\]]*"\s*>')
DTD_URL = "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_ORDER_TYPE = {Purpose.ORIGINAL: "new", Purpose.CHANGE: "update", Purpose.CANCELLATION: "delete"}
_CONFIRM = {Response.ACCEPTED: "accept", Response.CHANGED: "detail", Response.REJECTED: "reject"}
REQUESTS = {"PurchaseOrder": "OrderRequest", "Delivery": "ShipNoticeRequest",
            "AccountReceivable": "InvoiceDetailRequest", "Payment": "PaymentRemittanceRequest"}


# ---------------------------------------------------------------- reading
def parse(data: bytes) -> etree._Element:
    return safe_xml.parse(_DOCTYPE.sub(b"", data, count=1))


def _dec(value: str | None, where: str) -> Decimal | None:
    if value is None or not value.strip():
        return None
    return cd.parse_number(value.strip(), where, shown=value)


def _date(value: str | None, where: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise InvalidRequest(f"{where}: {value!r} is not a cXML timestamp") from None


def _party(root: etree._Element, side: str, context: AdapterContext) -> str | None:
    identity = root.findtext(f"Header/{side}/Credential/Identity")
    if identity is None or not identity.strip():
        return None
    try:
        return context.company_of(identity.strip())
    except UnmappedCode as exc:
        raise UnmappedCode(f"/cXML/Header/{side}: {exc.message}") from None


def _extrinsic(el: etree._Element, name: str) -> str | None:
    for x in el.iterfind("Extrinsic"):
        if x.get("name") == name:
            return x.text or ""
    return None


@dataclass(frozen=True)
class _Read:
    """Where a request keeps what the canonical document needs."""
    doc_type: str
    header: str
    holder: str                      # the element with number and date (header, OrderReference)
    number: str                      # attributes of the holder
    date: str
    operation: str | None            # header attribute giving the purpose (None: Original only)
    purposes: dict[str, Purpose]
    requested: str | None            # header attribute of the requested date
    items: str                       # path from the request element
    line_number: str                 # item attribute
    description: str                 # paths from the item element
    unit: str
    price: str
    part: str
    total: str | None                # path from the request element
    quantity: str = "@quantity"      # where an item keeps its quantity
    response: bool = False           # the supplier's answer to an order


_BY_OPERATION = {v: k for k, v in _ORDER_TYPE.items()}
_READS = {
    "OrderRequest": _Read(
        "PurchaseOrder", "OrderRequestHeader", "OrderRequestHeader", "orderID", "orderDate",
        "type", _BY_OPERATION, "requestedDeliveryDate", "ItemOut", "lineNumber",
        "ItemDetail/Description", "ItemDetail/UnitOfMeasure", "ItemDetail/UnitPrice/Money",
        "ItemID/SupplierPartID", "OrderRequestHeader/Total/Money"),
    "ConfirmationRequest": _Read(
        "PurchaseOrder", "ConfirmationHeader", "OrderReference", "orderID", "orderDate",
        None, {}, None, "ConfirmationItem/ConfirmationStatus/ItemIn", "lineNumber",
        "ItemDetail/Description", "ItemDetail/UnitOfMeasure", "ItemDetail/UnitPrice/Money",
        "ItemID/SupplierPartID", "ConfirmationHeader/Total/Money", response=True),
    "ShipNoticeRequest": _Read(
        "Delivery", "ShipNoticeHeader", "ShipNoticeHeader", "shipmentID", "noticeDate",
        "operation", _BY_OPERATION, "deliveryDate", "ShipNoticePortion/ShipNoticeItem",
        "lineNumber", "ShipNoticeItemDetail/Description", "UnitOfMeasure",
        "ShipNoticeItemDetail/UnitPrice/Money", "ItemID/SupplierPartID", None),
    "InvoiceDetailRequest": _Read(
        "AccountReceivable", "InvoiceDetailRequestHeader", "InvoiceDetailRequestHeader",
        "invoiceID", "invoiceDate", "operation",
        {"new": Purpose.ORIGINAL, "delete": Purpose.CANCELLATION}, None,
        "InvoiceDetailOrder/InvoiceDetailItem", "invoiceLineNumber",
        "InvoiceDetailItemReference/Description", "UnitOfMeasure", "UnitPrice/Money",
        "InvoiceDetailItemReference/ItemID/SupplierPartID",
        "InvoiceDetailSummary/SubtotalAmount/Money"),
    # A remittance pays invoices (PayableInfo, amounts); the items it pays for
    # are not standard cXML there, so they travel in the detail's Extrinsics.
    "PaymentRemittanceRequest": _Read(
        "Payment", "PaymentRemittanceRequestHeader", "PaymentRemittanceRequestHeader",
        "paymentRemittanceID", "paymentDate", None, {}, None, "RemittanceDetail", "lineNumber",
        "Extrinsic:description", "Extrinsic:unit", "Extrinsic:unitPrice", "Extrinsic:item",
        "PaymentRemittanceSummary/NetAmount/Money", quantity="Extrinsic:quantity"),
}


def _value(el: etree._Element, path: str) -> str | None:
    """An item's value: ``@name`` an attribute, ``Extrinsic:name`` an Extrinsic, else a path."""
    if path.startswith("@"):
        return el.get(path[1:])
    if path.startswith("Extrinsic:"):
        return _extrinsic(el, path[len("Extrinsic:"):])
    return el.findtext(path)


def _line(item: etree._Element, where: str, spec: _Read,
          context: AdapterContext) -> tuple[cd.DocLine, str | None]:
    number = item.get(spec.line_number, "")
    if not number.isdigit():
        raise InvalidRequest(f"{where}: {spec.line_number} {number!r} is no line number")
    part = _value(item, spec.part)
    if part is None or not part.strip():
        raise InvalidRequest(f"{where}: line {number} names no item (ItemID/SupplierPartID); "
                             f"an invoice or notice line the gateway cannot map to a part "
                             f"is refused rather than guessed")
    try:
        code = context.items.network_code(part.strip())
    except UnmappedCode as exc:
        raise UnmappedCode(f"{where}: line {number}: {exc.message}") from None
    quantity = _dec(_value(item, spec.quantity), f"{where}/{spec.quantity}")
    if quantity is None or quantity <= 0:
        raise InvalidRequest(f"{where}: line {number} has no positive quantity")
    unit = (_value(item, spec.unit) or "").strip()
    if not unit:
        raise InvalidRequest(f"{where}: line {number} has no UnitOfMeasure")
    money = item.find(spec.price) if "/" in spec.price else None
    price = _dec(money.text if money is not None else _value(item, spec.price),
                 f"{where}/{spec.price}")
    description = _value(item, spec.description)
    if description is not None:
        description = check_text(description, "utf-8", f"{where}/{spec.description}")
    requested = _date(item.get("requestedDeliveryDate"), f"{where}/@requestedDeliveryDate")
    for holder in (item, *item.iterfind("ShipNoticeItemDetail")):
        text = _extrinsic(holder, "requestedDeliveryDate")
        if text is not None:
            requested = _date(text, f"{where}/Extrinsic")
    if money is None:                    # a remittance detail states its amount
        money = item.find("NetAmount/Money")
    currency = money.get("currency") if money is not None else None
    return cd.DocLine(int(number), code, quantity, unit, description, price, requested,
                      _item_ids(item, part_holder(item, spec))), currency


def part_holder(item: etree._Element, spec: _Read) -> etree._Element:
    """The element holding ItemID (an item, or its InvoiceDetailItemReference)."""
    if "/" in spec.part and spec.part.split("/")[0] != "ItemID":
        found = item.find(spec.part.split("/")[0])
        return item if found is None else found
    return item


def _item_ids(item: etree._Element, holder: etree._Element) -> tuple[cd.Ident, ...]:
    """The item's ids besides SupplierPartID (which gives ``item`` through the CIA):
    ItemID/BuyerPartID, ItemID/IdReference (domain, identifier), ManufacturerPartID of
    the item detail; a remittance line's Extrinsics itemId:<scheme>."""
    out: list[cd.Ident] = []
    item_id = holder.find("ItemID")
    if item_id is not None:
        if (buyer := item_id.findtext("BuyerPartID")) is not None:
            out.append(("Buyer", buyer.strip()))
        out += [(r.get("domain", ""), r.get("identifier", ""))
                for r in item_id.iterfind("IdReference")]
    for path in ("ItemDetail/ManufacturerPartID", "ShipNoticeItemDetail/ManufacturerPartID",
                 "ManufacturerPartID"):
        if (mfr := holder.findtext(path)) is not None:
            out.append((MANUFACTURER, mfr.strip()))
    out += [(x.get("name", "")[len("itemId:"):], x.text or "") for x in item.iterfind("Extrinsic")
            if x.get("name", "").startswith("itemId:")]
    return tuple(out)


def _references(header: etree._Element, context: AdapterContext) -> list[cd.DocRef]:
    refs = []
    for x in header.iterfind("Extrinsic"):
        if x.get("name") == "reference":
            try:
                company = context.company_of(x.findtext("Company") or "")
            except UnmappedCode as exc:
                raise UnmappedCode(f"Extrinsic reference: {exc.message}") from None
            refs.append(cd.DocRef(company, x.findtext("DocumentType") or "",
                                  x.findtext("Number") or "",
                                  _dec(x.findtext("Quantity"), "Extrinsic reference")))
    return refs


def to_canonical(root: etree._Element, context: AdapterContext) -> Canonical:
    if root.tag != "cXML":
        raise SchemaInvalid(f"root element {root.tag!r}: a cXML document has root cXML")
    request = root.find("Request")
    kids = [k for k in request if isinstance(k.tag, str)] if request is not None else []
    if len(kids) != 1:
        raise SchemaInvalid("/cXML/Request: expected one request element")
    req = kids[0]
    where = f"/cXML/Request/{req.tag}"
    if req.tag == "StatusUpdateRequest":
        return _status_update(root, req, where, context)
    spec = _READS.get(req.tag)
    if spec is None:
        raise InvalidRequest(f"{where}: the gateway maps {', '.join(_READS)}; a {req.tag} "
                             f"carries no document it can forward")
    company, partner = _party(root, "From", context), _party(root, "To", context)
    head = _need(req, spec.header, where)
    holder = _need(req, spec.holder, where)
    response = response_number = None
    if spec.response:   # a confirmation: sent by the supplier about the buyer's order
        company, partner = partner, company
        purpose = Purpose.RESPONSE
        response = _purpose({v: k for k, v in _CONFIRM.items()}, head.get("type", ""),
                            f"{where}/{spec.header}/@type")
        response_number = head.get("confirmID") or None
    elif spec.operation is None:
        purpose = Purpose.ORIGINAL
    else:
        purpose = _purpose(spec.purposes, head.get(spec.operation, "new"),
                           f"{where}/{spec.header}/@{spec.operation}")
    if company is None:
        raise InvalidRequest("/cXML/Header: no identity of the document's company")
    number = holder.get(spec.number)
    if not number:
        raise InvalidRequest(f"{where}/{spec.holder}/@{spec.number}: the document has no number")
    issue_date = _date(holder.get(spec.date), f"{where} document date")
    if issue_date is None:
        raise InvalidRequest(f"{where}/{spec.holder}/@{spec.date}: the document has no date")
    items = req.findall(spec.items)
    if not items:
        raise InvalidRequest(f"{where}: {number} lists no items; a canonical {spec.doc_type} "
                             f"has lines, and the gateway does not guess them from the order")
    lines, currency = [], None
    for i, el in enumerate(items, start=1):
        line, line_currency = _line(el, f"{where}/{spec.items}[{i}]", spec, context)
        lines.append(line)
        currency = currency or line_currency
    total = req.find(spec.total) if spec.total else None
    if total is not None and total.get("currency"):
        currency = currency or total.get("currency")
    currency = currency or _extrinsic(head, "currency")
    comments = [c.text for c in head.findall("Comments") if c.text]   # several: one note
    note = check_text("\n".join(comments), "utf-8", f"{where} Comments") if comments else None
    refs = _references(head, context)
    requested = (head.get(spec.requested) if spec.requested else None) \
        or _extrinsic(head, "requestedDeliveryDate")
    if not refs and spec.doc_type != "PurchaseOrder":
        for ref in req.iterfind(".//OrderReference"):
            if ref.get("orderID") and partner:   # the buyer's order this answers
                refs.append(cd.DocRef(partner, "PurchaseOrder", ref.get("orderID")))
    parties = _credential_parties(root, _from_role(spec.doc_type, spec.response)) + \
        _header_parties(head, where)
    doc = cd.Doc(type=spec.doc_type, number=number, company=company, partner=partner,
                 issue_date=issue_date, requested_date=_date(requested, f"{where} delivery date"),
                 currency=currency, note=note, lines=tuple(lines), references=tuple(refs),
                 parties=tuple(parties))
    return Canonical(purpose, cd.checked(doc, where, purpose), response, response_number)


# ---------------------------------------------------------------- parties
# cXML Contact/@role <-> canonical role (read also the synonyms cXML documents use)
CONTACT_ROLE = {"soldTo": "Buyer", "buyer": "Buyer", "buyerCorporate": "Buyer",
                "supplierCorporate": "Seller", "supplier": "Seller", "invoiceFrom": "Seller",
                "issuerOfInvoice": "Seller", "shipTo": "ShipTo", "shipFrom": "ShipFrom",
                "billTo": "BillTo", "payer": "Payer", "remitTo": "Payee", "payee": "Payee"}
ROLE_CONTACT = {"Buyer": "soldTo", "Seller": "supplierCorporate", "ShipTo": "shipTo",
                "ShipFrom": "shipFrom", "BillTo": "billTo", "Payer": "payer", "Payee": "remitTo",
                "Other": "other"}
ADDRESS_ID = "addressID"      # the id scheme of Address/@addressID and Contact/@addressID
MANUFACTURER = "Manufacturer"  # the item id scheme of ManufacturerPartID
# which header holds the partner contacts, and in which wrapper (None: directly)
_PARTNER_WRAPPER = {"InvoiceDetailRequestHeader": "InvoicePartner",
                    "PaymentRemittanceRequestHeader": "PaymentPartner"}


SUPPLIER_SENT = frozenset({"Delivery", "AccountReceivable"})   # From is the supplier


def _from_role(doc_type: str, response: bool) -> str:
    return "Seller" if response or doc_type in SUPPLIER_SENT else "Buyer"


def _credential_parties(root: etree._Element, from_role: str) -> list[cd.Party]:
    """Credentials of From and To beyond the first (which names the company or
    partner): a Buyer or Seller party with those ids.  The Sender is the network
    hop that transmits (with its shared secret) and is not a party of the document."""
    out = []
    other = "Seller" if from_role == "Buyer" else "Buyer"
    for side, role in (("From", from_role), ("To", other)):
        creds = root.findall(f"Header/{side}/Credential")[1:]
        if creds:
            out.append(cd.Party(role, tuple((c.get("domain", ""),
                                             (c.findtext("Identity") or "").strip())
                                            for c in creds)))
    return out


def _address_party(role: str, address: etree._Element, ids: list[cd.Ident],
                   where: str) -> cd.Party:
    if address.get("addressID"):
        ids.insert(0, (ADDRESS_ID, address.get("addressID")))
    postal = address.find("PostalAddress")
    street: tuple[str, ...] = ()
    city = postcode = region = country = None
    if postal is not None:
        street = tuple(s.text or "" for s in postal.iterfind("Street"))
        city, postcode = postal.findtext("City"), postal.findtext("PostalCode")
        region = postal.findtext("State")
        c = postal.find("Country")
        country = c.get("isoCountryCode") if c is not None else None
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidRequest(f"{where}: isoCountryCode {country!r} is not ISO 3166-1 alpha-2")
    name = address.findtext("Name")
    return cd.Party(role, tuple(ids), name or None,
                    cd.Address(street, city or None, postcode or None, region or None, country))


def _header_parties(head: etree._Element, where: str) -> list[cd.Party]:
    out = []
    for tag, role in (("ShipTo", "ShipTo"), ("BillTo", "BillTo")):
        address = head.find(f"{tag}/Address")
        if address is not None:
            out.append(_address_party(role, address, [], f"{where}/{tag}"))
    wrapper = _PARTNER_WRAPPER.get(head.tag)
    holders = head.findall(wrapper) if wrapper else [head]
    for holder in holders:
        for contact in (holder.findall("Contact") if wrapper else holder.iterfind("Contact")):
            ids = [(r.get("domain", ""), r.get("identifier", ""))
                   for r in contact.iterfind("IdReference")]
            if wrapper:
                ids += [(r.get("domain", ""), r.get("identifier", ""))
                        for r in holder.iterfind("IdReference")]
            out.append(_address_party(CONTACT_ROLE.get(contact.get("role", ""), "Other"),
                                      contact, ids, f"{where}/Contact"))
    return out


# A StatusUpdate answers an order when it names it: DocumentStatus/DocumentInfo of
# documentType OrderRequest (cXML 1.2.014 and later).  2xx accepts, anything else rejects.
def _status_update(root: etree._Element, req: etree._Element, where: str,
                   context: AdapterContext) -> Canonical:
    info = next((i for i in req.iterfind("DocumentStatus/DocumentInfo")
                 if i.get("documentType", "OrderRequest") == "OrderRequest"
                 and i.get("documentID")), None)
    if info is None:
        raise InvalidRequest(f"{where}: the status update names no order it answers (no "
                             f"DocumentStatus/DocumentInfo with a documentID of an "
                             f"OrderRequest; DocumentReference gives only the payloadID of "
                             f"a message), so it cannot be applied to one")
    status = req.find("Status")
    code = status.get("code", "") if status is not None else ""
    if not code.isdigit():
        raise InvalidRequest(f"{where}/Status/@code: {code!r} is no status code")
    buyer, supplier = _party(root, "To", context), _party(root, "From", context)
    if buyer is None:
        raise InvalidRequest("/cXML/Header/To: no identity of the buyer the update answers")
    issue = _date(info.get("documentDate") or root.get("timestamp"), f"{where} date")
    text = (status.text or "").strip() if status is not None else ""
    doc = cd.Doc(type="PurchaseOrder", number=info.get("documentID"), company=buyer,
                 partner=supplier, issue_date=issue, lines=(),
                 note=check_text(text, "utf-8", f"{where}/Status") if text else None,
                 parties=tuple(_credential_parties(root, "Seller")))
    response = Response.ACCEPTED if code.startswith("2") else Response.REJECTED
    return Canonical(Purpose.RESPONSE, cd.checked(doc, where, Purpose.RESPONSE), response, None)


def _need(el: etree._Element, name: str, where: str) -> etree._Element:
    found = el.find(name)
    if found is None:
        raise SchemaInvalid(f"{where}: no {name}")
    return found


def _purpose(table: dict, value: str, where: str):
    try:
        return table[value]
    except KeyError:
        raise InvalidRequest(f"{where}: {value!r} is none of {', '.join(table)}") from None


# ---------------------------------------------------------------- writing
def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+00:00"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _money(parent: etree._Element, tag: str, value: Decimal, currency: str | None,
           where: str) -> None:
    if not currency:
        raise InvalidRequest(f"{where}: cXML money needs a currency; the document has none")
    _sub(_sub(parent, tag), "Money", cd.decimal_text(value), currency=currency)


def _extrinsics(head: etree._Element, doc: cd.Doc, context: AdapterContext,
                date_too: bool = False) -> None:
    if doc.currency and all(ln.unit_price is None for ln in doc.lines):
        _sub(head, "Extrinsic", doc.currency, name="currency")   # no Money to carry it
    if date_too and doc.requested_date:   # the header has no attribute for it
        _sub(head, "Extrinsic", doc.requested_date.isoformat(), name="requestedDeliveryDate")
    for ref in doc.references:
        x = _sub(head, "Extrinsic", name="reference")
        _sub(x, "Company", context.native_party(ref.company))
        _sub(x, "DocumentType", ref.type)
        _sub(x, "Number", ref.number)
        if ref.quantity is not None:
            _sub(x, "Quantity", cd.decimal_text(ref.quantity))


def _comments(head: etree._Element, doc: cd.Doc) -> None:
    if doc.note is not None:
        c = _sub(head, "Comments", doc.note)
        c.set(XML_LANG, "und")


def _item_detail(parent: etree._Element, tag: str, line: cd.DocLine, doc: cd.Doc, where: str,
                 with_unit: bool = True) -> etree._Element:
    detail = _sub(parent, tag)
    if line.unit_price is not None:
        _money(detail, "UnitPrice", line.unit_price, doc.currency, where)
    if line.description is not None:
        _sub(detail, "Description", line.description).set(XML_LANG, "und")
    if with_unit:
        _sub(detail, "UnitOfMeasure", line.unit)
    return detail


def _item_id(parent: etree._Element, line: cd.DocLine, context: AdapterContext) -> None:
    """ItemID: SupplierPartID (the CIA's partner code), BuyerPartID, IdReference per
    other id; a ManufacturerPartID goes into the item detail (``_manufacturer``)."""
    item_id = _sub(parent, "ItemID")
    _sub(item_id, "SupplierPartID", context.items.partner_code(line.item))
    buyer = [v for k, v in line.item_ids if k == "Buyer"]
    if len(buyer) > 1:
        raise Unrepresentable(f"line {line.number}: {len(buyer)} buyer's part ids; cXML "
                              f"ItemID holds one BuyerPartID")
    if buyer:
        _sub(item_id, "BuyerPartID", buyer[0])
    for scheme, value in line.item_ids:
        if scheme not in ("Buyer", MANUFACTURER):
            _sub(item_id, "IdReference", domain=scheme, identifier=value)


def _manufacturer(detail: etree._Element, line: cd.DocLine) -> None:
    mfr = [v for k, v in line.item_ids if k == MANUFACTURER]
    if len(mfr) > 1:
        raise Unrepresentable(f"line {line.number}: {len(mfr)} manufacturer part ids; cXML "
                              f"holds one ManufacturerPartID")
    if mfr:
        # ItemDetail: UnitPrice, Description, UnitOfMeasure, Classification, ManufacturerPartID
        _sub(detail, "ManufacturerPartID", mfr[0])


def _parties(head: etree._Element, doc: cd.Doc, sides: dict[str, etree._Element],
             where: str) -> None:
    """Every party: a Buyer or Seller with ids only as further credentials of From/To;
    an order's first ship-to and bill-to as ShipTo/BillTo Address; any other as a
    Contact (in InvoicePartner/PaymentPartner where the header keeps them there),
    before the header's Comments and Extrinsics."""
    anchor = next((c for c in head if c.tag in ("Comments", "Extrinsic")), None)
    wrapper = _PARTNER_WRAPPER.get(head.tag)
    placed_address: set[str] = set()
    contacts: list[etree._Element] = []
    addresses: list[etree._Element] = []
    for p in doc.parties:
        if p.name is None and not p.address and p.role in sides:
            kind = "credential"
        elif head.tag == "OrderRequestHeader" and p.role in ("ShipTo", "BillTo") and \
                p.role not in placed_address and all(k == ADDRESS_ID for k, _ in p.ids) and \
                len(p.ids) <= 1:
            kind = "address"
        else:
            kind = "contact"
        if kind == "credential":
            for scheme, value in p.ids:
                cred = _sub(sides[p.role], "Credential", domain=scheme)
                _sub(cred, "Identity", value)
            continue
        if kind == "address":
            placed_address.add(p.role)
            holder = etree.Element("ShipTo" if p.role == "ShipTo" else "BillTo")
            el = _sub(holder, "Address", addressID=p.ids[0][1] if p.ids else None)
            _address_body(el, p)
            addresses.append(holder)
            continue
        el = etree.Element("Contact", role=ROLE_CONTACT[p.role])
        ids = list(p.ids)
        if ids and ids[0][0] == ADDRESS_ID:
            el.set("addressID", ids.pop(0)[1])
        if any(k == ADDRESS_ID for k, _ in ids):
            raise Unrepresentable(f"{where}: party {p.role} has a second {ADDRESS_ID}")
        _address_body(el, p)
        if wrapper:
            partner = etree.Element(wrapper)
            partner.append(el)
            for scheme, value in ids:
                _sub(partner, "IdReference", domain=scheme, identifier=value)
            contacts.append(partner)
        else:
            for scheme, value in ids:
                _sub(el, "IdReference", domain=scheme, identifier=value)
            contacts.append(el)
    for el in addresses + contacts:
        if anchor is not None:
            anchor.addprevious(el)
        else:
            head.append(el)


def _address_body(el: etree._Element, p: cd.Party) -> None:
    _sub(el, "Name", p.name or "").set(XML_LANG, "und")
    a = p.address
    if a:
        postal = _sub(el, "PostalAddress")
        for street in a.street:
            _sub(postal, "Street", street)
        _sub(postal, "City", a.city or "")
        if a.region is not None:
            _sub(postal, "State", a.region)
        if a.postal_code is not None:
            _sub(postal, "PostalCode", a.postal_code)
        _sub(postal, "Country", a.country or "", isoCountryCode=a.country)


def _date_extrinsic(parent: etree._Element, line: cd.DocLine) -> None:
    if line.requested_date:
        _sub(parent, "Extrinsic", line.requested_date.isoformat(), name="requestedDeliveryDate")


def _request(msg: Canonical, doc: cd.Doc, context: AdapterContext,
             body: etree._Element) -> etree._Element:
    """The request element; returns its header (where the parties go)."""
    where = f"{doc.type} {doc.number}"
    if doc.type not in REQUESTS:
        raise InvalidRequest(f"{where}: cXML has no request for a {doc.type} (only "
                             f"{', '.join(REQUESTS)}); the agreement needs another format")
    if not doc.lines and msg.purpose in cd.LINES_REQUIRED:
        raise InvalidRequest(f"{where}: the {msg.purpose.value} has no lines; only a response "
                             f"or a cancellation may name its document without lines")
    delivery = _stamp(doc.requested_date) if doc.requested_date else None
    if msg.purpose is Purpose.RESPONSE:
        if doc.type != "PurchaseOrder" or msg.response is None:
            raise InvalidRequest(f"{where}: a cXML ConfirmationRequest answers a purchase order "
                                 f"with accept, detail or reject")
        if not doc.lines:
            return _status_update_request(msg, doc, body, where)
        req = _sub(body, "ConfirmationRequest")
        head = _sub(req, "ConfirmationHeader", type=_CONFIRM[msg.response], operation="new",
                    noticeDate=_stamp(doc.issue_date), confirmID=msg.response_number)
        _comments(head, doc)
        _extrinsics(head, doc, context, date_too=True)
        order_ref = _sub(req, "OrderReference", orderID=doc.number,
                         orderDate=_stamp(doc.issue_date))
        _sub(order_ref, "DocumentReference", payloadID="")   # the DTD asks for one
        for line in doc.lines:
            item = _sub(req, "ConfirmationItem", lineNumber=str(line.number),
                        quantity=cd.decimal_text(line.quantity))
            _sub(item, "UnitOfMeasure", line.unit)
            status = _sub(item, "ConfirmationStatus", type=_CONFIRM[msg.response],
                          quantity=cd.decimal_text(line.quantity))
            _sub(status, "UnitOfMeasure", line.unit)
            item_in = _sub(status, "ItemIn", quantity=cd.decimal_text(line.quantity),
                           lineNumber=str(line.number),
                           requestedDeliveryDate=_stamp(line.requested_date)
                           if line.requested_date else None)
            _item_id(item_in, line, context)
            _manufacturer(_item_detail(item_in, "ItemDetail", line, doc, where), line)
        return head
    if doc.type == "PurchaseOrder":
        req = _sub(body, "OrderRequest")
        head = _sub(req, "OrderRequestHeader", orderID=doc.number, orderDate=_stamp(doc.issue_date),
                    type=_ORDER_TYPE[msg.purpose], requestedDeliveryDate=delivery)
        _comments(head, doc)
        _extrinsics(head, doc, context)
        for line in doc.lines:
            item = _sub(req, "ItemOut", quantity=cd.decimal_text(line.quantity),
                        lineNumber=str(line.number),
                        requestedDeliveryDate=_stamp(line.requested_date)
                        if line.requested_date else None)
            _item_id(item, line, context)
            _manufacturer(_item_detail(item, "ItemDetail", line, doc, where), line)
    elif doc.type == "Delivery":
        req = _sub(body, "ShipNoticeRequest")
        head = _sub(req, "ShipNoticeHeader", shipmentID=doc.number,
                    operation=_ORDER_TYPE[msg.purpose],
                    noticeDate=_stamp(doc.issue_date), deliveryDate=delivery)
        _comments(head, doc)
        _extrinsics(head, doc, context)
        portion = _sub(req, "ShipNoticePortion")
        order = next((r for r in doc.references if r.type == "PurchaseOrder"), None)
        order_ref = _sub(portion, "OrderReference", orderID=order.number if order else None)
        _sub(order_ref, "DocumentReference", payloadID="")
        for line in doc.lines:
            item = _sub(portion, "ShipNoticeItem", quantity=cd.decimal_text(line.quantity),
                        lineNumber=str(line.number))
            _item_id(item, line, context)
            detail = _item_detail(item, "ShipNoticeItemDetail", line, doc, where, with_unit=False)
            _manufacturer(detail, line)
            _date_extrinsic(detail, line)
            _sub(item, "UnitOfMeasure", line.unit)
    elif doc.type == "Payment":
        return _remittance(msg, doc, context, body, where)
    else:  # AccountReceivable
        if msg.purpose is Purpose.CHANGE:
            raise InvalidRequest(f"{where}: a cXML invoice is cancelled and sent anew, never "
                                 f"changed (operation is new or delete)")
        req = _sub(body, "InvoiceDetailRequest")
        head = _sub(req, "InvoiceDetailRequestHeader", invoiceID=doc.number, purpose="standard",
                    operation="new" if msg.purpose is Purpose.ORIGINAL else "delete",
                    invoiceDate=_stamp(doc.issue_date))
        _sub(head, "InvoiceDetailHeaderIndicator")
        _sub(head, "InvoiceDetailLineIndicator")
        _comments(head, doc)
        _extrinsics(head, doc, context, date_too=True)
        order = _sub(req, "InvoiceDetailOrder")
        info = _sub(_sub(order, "InvoiceDetailOrderInfo"), "OrderReference")
        first = next((r for r in doc.references if r.type == "PurchaseOrder"), None)
        if first:
            info.set("orderID", first.number)
        _sub(info, "DocumentReference", payloadID="")
        for line in doc.lines:
            item = _sub(order, "InvoiceDetailItem", invoiceLineNumber=str(line.number),
                        quantity=cd.decimal_text(line.quantity))
            _sub(item, "UnitOfMeasure", line.unit)
            if line.unit_price is not None:
                _money(item, "UnitPrice", line.unit_price, doc.currency, where)
            ref = _sub(item, "InvoiceDetailItemReference", lineNumber=str(line.number))
            _item_id(ref, line, context)
            if line.description is not None:
                _sub(ref, "Description", line.description).set(XML_LANG, "und")
            _manufacturer(ref, line)
            _date_extrinsic(item, line)
    if doc.currency and msg.purpose is not Purpose.RESPONSE and doc.type == "PurchaseOrder" \
            and all(ln.unit_price is not None for ln in doc.lines):
        total = sum(ln.quantity * ln.unit_price for ln in doc.lines)  # type: ignore[operator]
        head.insert(0, etree.Element("Total"))
        _sub(head[0], "Money", cd.decimal_text(total), currency=doc.currency)
    return head


STATUS_CODE = {Response.ACCEPTED: ("200", "OK"), Response.REJECTED: ("406", "Not Acceptable")}


def _status_update_request(msg: Canonical, doc: cd.Doc, body: etree._Element,
                           where: str) -> etree._Element:
    """A response naming its order and no line: the StatusUpdateRequest an order
    acknowledgement is in cXML (200 accepted, 406 rejected), the order named in
    DocumentStatus/DocumentInfo.  It has no room for the supplier's own number."""
    if msg.response not in STATUS_CODE or msg.response_number or doc.references \
            or doc.requested_date or doc.currency:
        raise Unrepresentable(f"{where}: a cXML status update says accepted or rejected with "
                              f"a text; a response without lines that changes the order, or "
                              f"carries the supplier's number, a date, currency or references, "
                              f"needs its lines (ConfirmationRequest)")
    if any(p.name is not None or p.address or p.role not in ("Buyer", "Seller")
           for p in doc.parties):
        raise Unrepresentable(f"{where}: a cXML status update names its parties by their "
                              f"credentials only; names and addresses need a ConfirmationRequest "
                              f"with lines")
    req = _sub(body, "StatusUpdateRequest")
    _sub(req, "DocumentReference", payloadID="")
    code, text = STATUS_CODE[msg.response]
    status = etree.SubElement(req, "Status", code=code, text=text)
    status.text = doc.note
    status.set(XML_LANG, "und")
    _sub(_sub(req, "DocumentStatus", type="processing"), "DocumentInfo",
         documentID=doc.number, documentType="OrderRequest", documentDate=_stamp(doc.issue_date))
    return req


def _remittance(msg: Canonical, doc: cd.Doc, context: AdapterContext, body: etree._Element,
                where: str) -> etree._Element:
    """A Payment as the remittance advice a buyer's payables system sends through Ariba:
    each line a RemittanceDetail paying the invoice the payment references, with its
    amount, and the item, quantity, unit and price in Extrinsics."""
    if msg.purpose is not Purpose.ORIGINAL:
        raise InvalidRequest(f"{where}: a cXML remittance is sent once; it has no change or "
                             f"cancellation")
    req = _sub(body, "PaymentRemittanceRequest")
    head = _sub(req, "PaymentRemittanceRequestHeader", paymentRemittanceID=doc.number,
                paymentDate=_stamp(doc.issue_date))
    _sub(head, "PaymentMethod", type="other")
    _comments(head, doc)
    _extrinsics(head, doc, context, date_too=True)
    invoice = next((r.number for r in doc.references
                    if r.type in ("AccountPayable", "AccountReceivable")), None)
    priced = doc.currency and all(ln.unit_price is not None for ln in doc.lines)
    if priced:
        total = sum(ln.quantity * ln.unit_price for ln in doc.lines)  # type: ignore[operator]
        _money(_sub(req, "PaymentRemittanceSummary"), "NetAmount", total, doc.currency, where)
    for line in doc.lines:
        detail = _sub(req, "RemittanceDetail", lineNumber=str(line.number))
        info = _sub(_sub(detail, "PayableInfo"), "PayableInvoiceInfo")
        _sub(info, "InvoiceIDInfo", invoiceID=invoice or "")
        if line.unit_price is not None:
            _money(detail, "NetAmount", line.quantity * line.unit_price, doc.currency, where)
        for name, value in (("item", context.items.partner_code(line.item)),
                            ("quantity", cd.decimal_text(line.quantity)), ("unit", line.unit),
                            ("unitPrice", cd.decimal_text(line.unit_price)
                             if line.unit_price is not None else None),
                            ("description", line.description),
                            ("requestedDeliveryDate", line.requested_date.isoformat()
                             if line.requested_date else None)):
            if value is not None:
                _sub(detail, "Extrinsic", value, name=name)
        for scheme, value in line.item_ids:
            _sub(detail, "Extrinsic", value, name=f"itemId:{scheme}")
    return head


def from_canonical(msg: Canonical, context: AdapterContext, payload_id: str) -> etree._Element:
    doc = cd.from_element(msg.document)
    root = etree.Element("cXML", payloadID=payload_id, timestamp=_stamp(doc.issue_date))
    root.set(XML_LANG, "en")
    header = _sub(root, "Header")
    # From is who sends the request: the document's company, except for a
    # confirmation, which the supplier (the order's partner) sends.
    sides = (("From", doc.company), ("To", doc.partner))
    if msg.purpose is Purpose.RESPONSE:
        sides = (("From", doc.partner), ("To", doc.company))
    from_role = _from_role(doc.type, msg.purpose is Purpose.RESPONSE)
    roles = {"From": from_role, "To": "Seller" if from_role == "Buyer" else "Buyer"}
    side_of: dict[str, etree._Element] = {}
    for side, code in sides:
        if code is None:
            continue
        side_el = _sub(header, side)
        side_of[roles[side]] = side_el
        cred = _sub(side_el, "Credential", domain="NetworkId")
        _sub(cred, "Identity", context.native_party(code))
    sender = _sub(_sub(header, "Sender"), "Credential", domain="NetworkId")
    _sub(sender, "Identity", context.native_party(context.sender))
    _sub(header[-1], "UserAgent", "SMART gateway")
    head = _request(msg, doc, context, _sub(root, "Request", deploymentMode="production"))
    _parties(head, doc, side_of, f"{doc.type} {doc.number}")
    return root


class CxmlAdapter:
    kind = "cxml"
    media_type = "application/xml"
    file_suffix = ".xml"

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        return [to_canonical(parse(data), context)]

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        if len(messages) != 1:
            raise InvalidRequest(f"a cXML document carries one request, not {len(messages)}")
        msg = messages[0]
        doc = cd.from_element(msg.document)
        # Ariba drops a second request with a payloadID it has seen: the same
        # message sent again keeps its id, a change of the document gets a new one.
        digest = hashlib.sha256(etree.tostring(msg.document, method="c14n")).hexdigest()[:12]
        payload_id = f"{doc.number}.{msg.purpose.value}.{digest}@{context.sender}"
        root = from_canonical(msg, context, re.sub(r"\s", "_", payload_id))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                              doctype=f'<!DOCTYPE cXML SYSTEM "{DTD_URL}">')


register(CxmlAdapter())
