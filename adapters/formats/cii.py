"""UN/CEFACT Cross Industry Invoice adapter (CII D16B, the XML syntax of EN 16931).

Canonical document <-> rsm:CrossIndustryInvoice, for the two types an invoice is:

    AccountReceivable / Payable  TypeCode 380 (read also 383 debit note, 389 self-billed
                                 invoice): Original; 381 credit note (read also 261
                                 self-billed credit note): the invoice cancelled as a
                                 whole, as UBL's CreditNote

Every other document type is refused with InvalidRequest: CII has no order or despatch
advice, and one dressed up as an invoice would be booked as one.  The canonical type
travels in BusinessProcessSpecifiedDocumentContextParameter (urn:smart-gateway:v1:<type>),
so a payable reads back as a payable; a partner's invoice without it is a receivable.

Parties and product ids: ``cii_parties``.  Part codes are the receiving ERP's own
(Seller- or BuyerAssignedID, by its role); a line naming its item only by name is read
only where the agreement maps that name, as in UBL.  A line is its quantity and net unit
price (ChargeAmount per BasisQuantity), so its LineTotalAmount must be that product, and
the header LineTotalAmount the lines' sum: a line amount that says otherwise (a line
allowance or charge, a credited return) cannot be carried and is refused.  References
travel as AdditionalReferencedDocument (TypeCode 916, Name = the canonical type,
Information = the quantity carried); the first order, despatch advice, receiving advice
and invoice also go in the element CII has for them, which is what the partner's ERP
matches on.  The canonical requested date is the delivery date (ActualDelivery
SupplyChainEvent, header and line).  Taxes, allowances and charges of the header, payment
means and terms are not carried, as in the UBL adapter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from lxml import etree

from smart_gateway.domain.documents import DocType
from smart_gateway.domain.errors import InvalidRequest, Unrepresentable
from smart_gateway.messages import safe_xml

from ..base import AdapterContext, Canonical, Purpose
from ..canonical_doc import Doc, DocLine, DocRef, from_element
from ..registry import register
from . import cii_parties as CP
from . import edi_doc as E

D = DocType
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = CP.RAM
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT}
ROOT = "{%s}CrossIndustryInvoice" % RSM
PROFILE = "urn:smart-gateway:v1:"
# What the gateway's CII follows: D16B with EN 16931's element layout, but without the
# taxes and totals EN 16931 requires, so it does not claim the EN 16931 guideline.
GUIDELINE = "urn:smart-gateway:v1:cii-d16b"
DEFAULT_UNIT = "C62"
TYPES = (D.ACCOUNT_RECEIVABLE, D.ACCOUNT_PAYABLE)
PURPOSE_OF = {"380": Purpose.ORIGINAL, "383": Purpose.ORIGINAL, "389": Purpose.ORIGINAL,
              "381": Purpose.CANCELLATION, "261": Purpose.CANCELLATION}
TYPE_CODE = {Purpose.ORIGINAL: "380", Purpose.CANCELLATION: "381"}
RELATED = "916"     # UNCL 1001 "related document": what an AdditionalReferencedDocument is
# CII's own element for a referenced document of each type (header level).
TYPED_REFS = ((D.PURCHASE_ORDER, CP.AGREEMENT, "BuyerOrderReferencedDocument"),
              (D.DELIVERY, CP.DELIVERY, "DespatchAdviceReferencedDocument"),
              (D.RECEIVING, CP.DELIVERY, "ReceivingAdviceReferencedDocument"),
              (D.ACCOUNT_RECEIVABLE, CP.SETTLEMENT, "InvoiceReferencedDocument"))

_XPATHS: dict[str, etree.XPath] = {}


def _x(el: etree._Element, path: str) -> list:
    xp = _XPATHS.get(path)
    if xp is None:  # compiled once: the reader asks the same paths of every line
        xp = _XPATHS[path] = etree.XPath(path, namespaces=NSMAP)
    return xp(el)


def _t(el: etree._Element, path: str) -> str | None:
    found = _x(el, path)
    return None if not found else found[0].text


def _s(el: etree._Element, path: str) -> str | None:
    value = _t(el, path)
    return value.strip() or None if value else None


def _date(el: etree._Element, path: str, where: str) -> dt.date | None:
    """A CII date (udt:DateTimeString with its UNTDID 2379 format, or udt:DateTime)."""
    found = _x(el, path)
    if not found:
        return None
    s = found[0].find(f"{{{UDT}}}DateTimeString")
    if s is not None:
        return E.edi_date(s.text or "", f"{where} (XML line {s.sourceline})",
                          (s.get("format") or "102").strip())
    d = found[0].find(f"{{{UDT}}}DateTime")
    if d is not None:
        return E.iso_date(d.text or "", f"{where} (XML line {d.sourceline})")
    raise InvalidRequest(f"{where} (XML line {found[0].sourceline}): the date has no "
                         f"udt:DateTimeString")


def _agrees(expected: Decimal, stated: Decimal) -> bool:
    """``stated`` is ``expected`` rounded to the decimals it is written with."""
    exponent = stated.as_tuple().exponent
    half = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0) / 2
    return abs(expected - stated) <= half


# ------------------------------------------------------------------ reading

def read_document(root: etree._Element, context: AdapterContext) -> Canonical:
    if root.tag != ROOT:
        raise InvalidRequest(f"{root.tag} is not a CII CrossIndustryInvoice ({ROOT})")
    where = f"CII CrossIndustryInvoice {_t(root, 'rsm:ExchangedDocument/ram:ID')!r}"
    number = E.number(_t(root, "rsm:ExchangedDocument/ram:ID"), f"{where} ExchangedDocument/ID")
    code = _s(root, "rsm:ExchangedDocument/ram:TypeCode")
    if code not in PURPOSE_OF:
        # The root is the same for an invoice and a credit note: a guess would book the
        # amount the wrong way.
        raise InvalidRequest(f"{where}: ExchangedDocument/TypeCode {code!r} is not an invoice "
                             f"type the gateway reads ({', '.join(PURPOSE_OF)})")
    purpose = PURPOSE_OF[code]
    profile = _s(root, "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecified"
                       "DocumentContextParameter/ram:ID") or ""
    doc_type = next((t for t in TYPES if PROFILE + t.value == profile), TYPES[0])
    issue = _date(root, "rsm:ExchangedDocument/ram:IssueDateTime", f"{where} IssueDateTime")
    if issue is None:
        raise InvalidRequest(f"{where}: the document has no IssueDateTime")
    notes = [c.text or "" for c in _x(root, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content")]

    tx = _x(root, "rsm:SupplyChainTradeTransaction")
    if not tx:
        raise InvalidRequest(f"{where}: the document has no SupplyChainTradeTransaction")
    tx = tx[0]

    # the ids owner_and_partner resolves: mapped ids, and the codes of unmapped companies
    known = set(context.party_ids.values()) | \
        ({context.sender, context.receiver} - set(context.party_ids))

    def party_id(element: str) -> str | None:
        # the id the agreement knows, else the first: a CII party may carry several
        found = _x(tx, f"ram:{CP.AGREEMENT}/ram:{element}")
        ids = CP.party_ids(found[0]) if found else []
        return next((i for i in ids if i in known), ids[0] if ids else None)

    company, partner = E.owner_and_partner(
        doc_type,
        E.Parties(buyer=party_id("BuyerTradeParty"), seller=party_id("SellerTradeParty")),
        context, where, sent_by_owner=doc_type in (D.ACCOUNT_RECEIVABLE,))
    sender_role = E.OWNER_ROLE[doc_type] if company == context.sender else \
        E.other(E.OWNER_ROLE[doc_type])
    first, second = ("BuyerAssignedID", "SellerAssignedID") if sender_role == E.BUYER else \
        ("SellerAssignedID", "BuyerAssignedID")
    item_order = (first, second, "GlobalID", "ManufacturerAssignedID", "ID")

    lines, item_ids, amounts = [], [], []
    for el in _x(tx, "ram:IncludedSupplyChainTradeLineItem"):
        line, ids, amount = _read_line(el, context, item_order, where)
        lines.append(line)
        item_ids.append(ids)
        amounts.append(amount)
    if not lines:
        # A credit note without lines may credit an amount rather than the whole invoice.
        raise InvalidRequest(f"{where}: the document has no IncludedSupplyChainTradeLineItem")
    header_total = _x(tx, f"ram:{CP.SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetary"
                          f"Summation/ram:LineTotalAmount")
    if header_total:
        stated = E.decimal(header_total[0].text or "", f"{where} header LineTotalAmount")
        if not _agrees(sum(amounts, Decimal(0)), stated):
            raise InvalidRequest(f"{where}: the header LineTotalAmount {stated} is not the sum "
                                 f"{sum(amounts, Decimal(0))} of the lines' amounts")
    numbers = [ln.number for ln in lines]
    if 0 in numbers or len(set(numbers)) != len(numbers):
        lines = [replace(ln, number=i) for i, ln in enumerate(lines, start=1)]

    doc = Doc(type=doc_type.value, number=number, company=company, partner=partner,
              issue_date=issue,
              requested_date=_date(tx, f"ram:{CP.DELIVERY}/ram:ActualDeliverySupplyChainEvent/"
                                       f"ram:OccurrenceDateTime", f"{where} delivery date"),
              currency=_s(tx, f"ram:{CP.SETTLEMENT}/ram:InvoiceCurrencyCode"),
              note="\n".join(notes) if notes else None, lines=tuple(lines),
              references=_references(tx, doc_type, number, company, partner, where))
    identity = E.identity_ids(context)
    parties = [p for role, holder, element in CP.PARTY_ELEMENTS
               for found in _x(tx, f"ram:{holder}/ram:{element}")
               if (p := CP.read_party(found, role, identity)) is not None]
    return E.canonical(purpose, doc, where, parties=parties, item_ids=item_ids)


def _read_line(el: etree._Element, context: AdapterContext, item_order: tuple[str, ...],
               where: str) -> tuple[DocLine, tuple, Decimal]:
    """One line item, its item ids besides the one that became the item, and its amount."""
    raw = (_t(el, "ram:AssociatedDocumentLineDocument/ram:LineID") or "").strip()
    lw = f"{where} line {raw or '(no LineID)'} (XML line {el.sourceline})"
    found = CP.product_ids(el.find(f"{{{RAM}}}SpecifiedTradeProduct"))
    picked = next((i for tag in item_order for i in found if i[0] == tag), None)
    name = _s(el, "ram:SpecifiedTradeProduct/ram:Name")
    if picked is None and name is None:
        raise InvalidRequest(f"{lw}: the line names no item (no product id, no Name)")
    item = E.item_code(picked[2] if picked else name, context, lw,  # type: ignore[arg-type]
                       by_name=picked is None)
    q = _x(el, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
    if not q:
        raise InvalidRequest(f"{lw}: the line has no BilledQuantity")
    quantity = E.quantity(q[0].text or "", f"{lw} BilledQuantity")
    unit = (q[0].get("unitCode") or "").strip() or DEFAULT_UNIT
    price = None
    if net := _x(el, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice"):
        amount = _t(net[0], "ram:ChargeAmount")
        if amount is None:
            raise InvalidRequest(f"{lw}: NetPriceProductTradePrice has no ChargeAmount")
        price = E.decimal(amount, f"{lw} ChargeAmount")
        if price < 0:
            raise InvalidRequest(f"{lw}: net price {amount!r} is negative")
        if basis := _x(net[0], "ram:BasisQuantity"):
            per = E.quantity(basis[0].text or "", f"{lw} BasisQuantity")
            per_unit = (basis[0].get("unitCode") or "").strip()
            if per_unit and per_unit != unit:
                raise InvalidRequest(f"{lw}: the price is per {per} {per_unit}, the quantity in "
                                     f"{unit}; the gateway does not convert units")
            price = price / per if per != 1 else price
        if price.normalize().as_tuple().exponent < -6:  # type: ignore[operator]
            raise Unrepresentable(f"{lw}: unit price {price} has more than 6 decimals")
    amount_due = quantity * (price or 0)
    total = _t(el, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetary"
                   "Summation/ram:LineTotalAmount")
    if total is not None:
        stated = E.decimal(total, f"{lw} LineTotalAmount")
        if not _agrees(amount_due, stated):
            raise InvalidRequest(
                f"{lw}: LineTotalAmount {stated} is not BilledQuantity {quantity} x net price "
                f"{price if price is not None else '(none)'} = {amount_due}; a canonical line "
                f"is its quantity and unit price only, so a line amount with allowances, "
                f"charges or a sign of its own (a credited return) cannot be carried")
        amount_due = stated
    line = DocLine(
        number=int(raw) if raw.isdigit() and 0 < int(raw) <= 999999 else 0, item=item,
        quantity=quantity, unit=unit,
        description=_t(el, "ram:SpecifiedTradeProduct/ram:Description") or
        _t(el, "ram:SpecifiedTradeProduct/ram:Name"),
        unit_price=price,
        requested_date=_date(el, "ram:SpecifiedLineTradeDelivery/ram:ActualDelivery"
                                 "SupplyChainEvent/ram:OccurrenceDateTime", f"{lw} delivery date"))
    return line, tuple((s, v) for tag, s, v in found if (tag, s, v) != picked), amount_due


def _references(tx: etree._Element, doc_type: DocType, number: str, company: str,
                partner: str | None, where: str) -> tuple[DocRef, ...]:
    refs: list[tuple[DocType, str, Decimal | None]] = []
    types = {t.value for t in DocType}
    for ref in _x(tx, f"ram:{CP.AGREEMENT}/ram:AdditionalReferencedDocument"):
        rtype, rid = _s(ref, "ram:Name"), _s(ref, "ram:IssuerAssignedID")
        if rtype in types and rid:
            qty = _s(ref, "ram:Information")
            refs.append((DocType(rtype), rid, E.quantity(qty, f"{where} XML line {ref.sourceline}")
                         if qty else None))
    for rtype, holder, element in TYPED_REFS:
        for rid in _x(tx, f"ram:{holder}/ram:{element}/ram:IssuerAssignedID"):
            if (rid.text or "").strip():
                refs.append((rtype, rid.text.strip(), None))
    seen, out = set(), []
    for t, n, q in refs:
        if (t, n) in seen or (t == doc_type and n == number):
            continue    # the typed copy of an additional reference, or the document itself
        seen.add((t, n))
        out.append(DocRef(company=E.reference_company(doc_type.value, t.value, company, partner),
                          type=t.value, number=E.number(n, where), quantity=q))
    return tuple(out)


# ------------------------------------------------------------------ writing

def _add(parent: etree._Element, path: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    """Append the elements of ``path`` (ram:A/ram:B) under ``parent``; the last gets the text."""
    el = parent
    for step in path.split("/"):
        prefix, name = step.split(":")
        el = etree.SubElement(el, "{%s}%s" % (NSMAP[prefix], name))
    el.text = text
    for k, v in attrs.items():
        el.set(k, v)
    return el


def _add_date(parent: etree._Element, path: str, value: dt.date) -> None:
    _add(parent, f"{path}/udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def write_document(message: Canonical, context: AdapterContext) -> etree._Element:
    doc = from_element(message.document)
    where = f"{doc.type} {doc.number}"
    if doc.type not in {t.value for t in TYPES}:
        raise InvalidRequest(f"{where}: CII (cii-d16b) carries invoices only "
                             f"(AccountReceivable, AccountPayable); it has no document for a "
                             f"{doc.type}, so the agreement needs another ERP kind for it")
    if message.purpose not in TYPE_CODE:
        raise Unrepresentable(f"{where}: CII has no {message.purpose.value} of an invoice; an "
                              f"invoice is sent, or cancelled by a credit note")
    E.lines_required(message.purpose, len(doc.lines), where)
    if not doc.lines:
        raise Unrepresentable(f"{where}: a CII credit note cancels an invoice line by line; "
                              f"this cancellation names no line")
    doc_type = DocType(doc.type)
    root = etree.Element(ROOT, nsmap=NSMAP)
    ctx = _add(root, "rsm:ExchangedDocumentContext")
    _add(ctx, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", PROFILE + doc.type)
    _add(ctx, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", GUIDELINE)
    head = _add(root, "rsm:ExchangedDocument")
    _add(head, "ram:ID", doc.number)
    _add(head, "ram:TypeCode", TYPE_CODE[message.purpose])
    _add_date(head, "ram:IssueDateTime", doc.issue_date)
    if doc.note is not None:
        _add(head, "ram:IncludedNote/ram:Content", doc.note)
    tx = _add(root, "rsm:SupplyChainTradeTransaction")
    receiver_role = E.OWNER_ROLE[doc_type] if doc.company == context.receiver else \
        E.other(E.OWNER_ROLE[doc_type])
    id_el = "BuyerAssignedID" if receiver_role == E.BUYER else "SellerAssignedID"
    for ln in doc.lines:
        _write_line(tx, doc, ln, id_el, context)
    ids = E.parties_of(doc, context)
    own = {"Buyer": ids.buyer, "Seller": ids.seller}
    parties = CP.placed(doc.parties, where)
    for ref in doc.references:
        E.check_reference(doc, ref, where)
    headers = {h: _add(tx, f"ram:{h}") for h in (CP.AGREEMENT, CP.DELIVERY, CP.SETTLEMENT)}
    typed = {}
    for ref in doc.references:  # the first of each type in CII's own element
        typed.setdefault(ref.type, ref.number)
    for role, holder, element in CP.PARTY_ELEMENTS[:2]:
        CP.write_party(_add(headers[holder], f"ram:{element}"), own[role], parties.get(role),
                       where)
    _typed_ref(headers, typed, D.PURCHASE_ORDER)
    for ref in doc.references:
        r = _add(headers[CP.AGREEMENT], "ram:AdditionalReferencedDocument")
        _add(r, "ram:IssuerAssignedID", ref.number)
        _add(r, "ram:TypeCode", RELATED)
        _add(r, "ram:Name", ref.type)
        if ref.quantity is not None:
            _add(r, "ram:Information", E.plain(ref.quantity))
    _write_parties(headers, parties, CP.DELIVERY, where)
    if doc.requested_date:
        _add_date(headers[CP.DELIVERY],
                  "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime", doc.requested_date)
    _typed_ref(headers, typed, D.DELIVERY)
    _typed_ref(headers, typed, D.RECEIVING)
    settlement = headers[CP.SETTLEMENT]
    if doc.currency:
        _add(settlement, "ram:InvoiceCurrencyCode", doc.currency)
    _write_parties(headers, parties, CP.SETTLEMENT, where)
    total = sum((ln.quantity * (ln.unit_price or 0) for ln in doc.lines), Decimal(0))
    _add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount",
         E.plain(total))
    _typed_ref(headers, typed, D.ACCOUNT_RECEIVABLE)
    return root


def _write_parties(headers: dict[str, etree._Element], parties: dict, holder: str,
                   where: str) -> None:
    for role, h, element in CP.PARTY_ELEMENTS[2:]:
        if h == holder and role in parties:
            CP.write_party(_add(headers[h], f"ram:{element}"), None, parties[role], where)


def _typed_ref(headers: dict[str, etree._Element], typed: dict[str, str], rtype: DocType) -> None:
    for t, holder, element in TYPED_REFS:
        if t == rtype and rtype.value in typed:
            _add(headers[holder], f"ram:{element}/ram:IssuerAssignedID", typed[rtype.value])


def _write_line(tx: etree._Element, doc: Doc, ln: DocLine, id_el: str,
                context: AdapterContext) -> None:
    lw = f"{doc.type} {doc.number} line {ln.number}"
    el = _add(tx, "ram:IncludedSupplyChainTradeLineItem")
    _add(el, "ram:AssociatedDocumentLineDocument/ram:LineID", str(ln.number))
    product = _add(el, "ram:SpecifiedTradeProduct")
    CP.write_product_ids(product, id_el, context.items.partner_code(ln.item), ln.item_ids, lw)
    if ln.description is not None:
        _add(product, "ram:Name", ln.description)   # EN 16931's item name (BT-153)
    agreement = _add(el, "ram:SpecifiedLineTradeAgreement")
    if ln.unit_price is not None:
        _add(agreement, "ram:NetPriceProductTradePrice/ram:ChargeAmount", E.plain(ln.unit_price))
    delivery = _add(el, "ram:SpecifiedLineTradeDelivery")
    _add(delivery, "ram:BilledQuantity", E.plain(ln.quantity), unitCode=ln.unit)
    if ln.requested_date:
        _add_date(delivery, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime",
                  ln.requested_date)
    _add(el, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation"
             "/ram:LineTotalAmount", E.plain(ln.quantity * (ln.unit_price or 0)))


class CiiAdapter:
    kind = "cii-d16b"
    media_type = "application/xml"
    file_suffix = ".xml"

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        return [read_document(safe_xml.parse(data), context)]

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        if len(messages) != 1:
            raise Unrepresentable(f"a CII file holds one invoice; {len(messages)} were given "
                                  f"(send them one by one)")
        root = write_document(messages[0], context)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


register(CiiAdapter())
