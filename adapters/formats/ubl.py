"""OASIS UBL 2.1 adapter, validated against the UBL 2.4 runtime schemas in schemas/ubl/.

Canonical document <-> UBL document (written as UBL 2.1, read from 2.0 to 2.4):

    PurchaseOrder / SalesOrder   Order; OrderChange (purpose Change, and Cancellation:
                                 every line's LineStatusCode "Cancelled"); OrderResponse;
                                 without lines: OrderCancellation, OrderResponseSimple
                                 (accepted / rejected), numbered by the order they name
    Delivery                     DespatchAdvice; cancelled without lines: FulfilmentCancellation
    Receiving                    ReceiptAdvice (read also: PurchaseReceipt); cancelled without
                                 lines: FulfilmentCancellation
    AccountReceivable / Payable  Invoice; CreditNote (a receivable cancelled as a whole);
                                 read also DebitNote, SelfBilledCreditNote
    Payment / Receipt            RemittanceAdvice
    Return / ReturnReceiving     InstructionForReturns

UBL carries Unicode, so text (Korean, Thai, Chinese ...) passes unchanged.
The canonical type travels in ProfileID (urn:smart-gateway:v1:<type>), so a
sales order reads back as a sales order; a document without it is the
original type of its root.  The two companies are PartyIdentification/ID of the
buyer-side and seller-side parties; every party the document names (ids, name,
postal address) is a canonical party (see _parties), and every item
identification besides the one that becomes the item an item id; item codes the receiving ERP's own
(BuyersItemIdentification or SellersItemIdentification, by its role).
References travel as AdditionalDocumentReference (ID, DocumentType = the
canonical type, DocumentDescription = the quantity carried); on reading,
OrderReference, DespatchDocumentReference, ReceiptDocumentReference and
BillingReference are references too.  Where a UBL line has no slot for a
value (a price in a despatch, receipt or return line; a date in a return
line) it is an AdditionalItemProperty (UnitPrice with the currency as
ValueQualifier, RequestedDate).  A RemittanceAdviceLine has no item at all:
its values go in the line's UBLExtension as a canonical tns:line; a line
without one (a partner's own remittance) is read as one line per paid
document: its number as the item, the amount as the quantity, the currency
as the unit.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from lxml import etree

from smart_gateway.domain.documents import DocType
from smart_gateway.domain.errors import InvalidRequest, SchemaInvalid, Unrepresentable
from smart_gateway.messages import safe_xml
from smart_gateway.messages.schema import NS as GW

from ..base import AdapterContext, Canonical, Purpose, Response
from ..canonical_doc import (
    Doc,
    DocLine,
    DocRef,
    from_element,
    party_element,
    party_from,
)
from ..registry import register
from . import edi_doc as E
from . import edi_parties as P

D = DocType
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
NSMAP = {"cbc": CBC, "cac": CAC, "ext": EXT}
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "ubl" / "maindoc"
PROFILE = "urn:smart-gateway:v1:"
DEFAULT_UNIT = "C62"


def root_ns(name: str) -> str:
    return f"urn:oasis:names:specification:ubl:schema:xsd:{name}-2"


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    path = SCHEMAS / f"UBL-{name}-2.4.xsd"
    if not path.exists():
        raise InvalidRequest(f"{name} is not a UBL document type the gateway reads")
    return etree.XMLSchema(etree.parse(str(path)))


def validate(root: etree._Element, name: str) -> None:
    s = schema(name)
    if not s.validate(root):
        found = [f"line {e.line}: {e.path}: {e.message}" for e in s.error_log]
        raise SchemaInvalid(f"UBL {name} {root.findtext(f'{{{CBC}}}ID')!r} is not valid against "
                            f"UBL-{name}-2.4.xsd ({len(found)} problem(s)); first: {found[0]}",
                            found)


# What each root is: canonical types (the first without ProfileID), party paths,
# line element and its quantity element.
ROOTS = {
    "Order": ((D.PURCHASE_ORDER, D.SALES_ORDER), "OrderLine/cac:LineItem", "Quantity"),
    "OrderChange": ((D.PURCHASE_ORDER, D.SALES_ORDER), "OrderLine/cac:LineItem", "Quantity"),
    "OrderResponse": ((D.PURCHASE_ORDER, D.SALES_ORDER), "OrderLine/cac:LineItem", "Quantity"),
    "DespatchAdvice": ((D.DELIVERY,), "DespatchLine", "DeliveredQuantity"),
    "ReceiptAdvice": ((D.RECEIVING,), "ReceiptLine", "ReceivedQuantity"),
    "PurchaseReceipt": ((D.RECEIVING,), "PurchaseReceiptLine", "Quantity"),
    "Invoice": ((D.ACCOUNT_RECEIVABLE, D.ACCOUNT_PAYABLE), "InvoiceLine", "InvoicedQuantity"),
    "CreditNote": ((D.ACCOUNT_RECEIVABLE, D.ACCOUNT_PAYABLE), "CreditNoteLine",
                   "CreditedQuantity"),
    "DebitNote": ((D.ACCOUNT_RECEIVABLE, D.ACCOUNT_PAYABLE), "DebitNoteLine", "DebitedQuantity"),
    "SelfBilledCreditNote": ((D.ACCOUNT_RECEIVABLE, D.ACCOUNT_PAYABLE), "CreditNoteLine",
                             "CreditedQuantity"),
    "RemittanceAdvice": ((D.PAYMENT, D.RECEIPT), "RemittanceAdviceLine", ""),
    "InstructionForReturns": ((D.RETURN, D.RETURN_RECEIVING), "InstructionForReturnsLine",
                              "Quantity"),
}
# Documents without lines: they answer or cancel another document, which they name.
# The canonical message carries that document's number and no line.
LINELESS = {
    "OrderResponseSimple": (D.PURCHASE_ORDER, D.SALES_ORDER),     # the order it answers
    "OrderCancellation": (D.PURCHASE_ORDER, D.SALES_ORDER),       # the order it cancels
    "FulfilmentCancellation": (D.DELIVERY, D.RECEIVING),          # the despatch or receipt
}
NO_LINES = {
    "Statement": "a Statement is an account's balance, not a payment of named documents",
}
BUYER_PARTIES = ("BuyerCustomerParty", "DeliveryCustomerParty", "AccountingCustomerParty",
                 "RetailerCustomerParty")
SELLER_PARTIES = ("SellerSupplierParty", "DespatchSupplierParty", "AccountingSupplierParty",
                  "PayeeParty")
SENT_BY_OWNER = {D.PURCHASE_ORDER, D.DELIVERY, D.RECEIVING, D.ACCOUNT_RECEIVABLE, D.PAYMENT,
                 D.RETURN}
RESPONSE_CODE = {Response.ACCEPTED: "AP", Response.REJECTED: "RE", Response.CHANGED: "CA"}
RESPONSE_OF = {"AP": Response.ACCEPTED, "AB": Response.ACCEPTED, "29": Response.ACCEPTED,
               "RE": Response.REJECTED, "27": Response.REJECTED, "CA": Response.CHANGED,
               "4": Response.CHANGED, "3": Response.CHANGED}
# Typed UBL references read as canonical references (type by the owner's side).
TYPED_REFS = (("cac:OrderReference/cbc:ID", D.PURCHASE_ORDER),
              ("cac:DespatchDocumentReference/cbc:ID", D.DELIVERY),
              ("cac:ReceiptDocumentReference/cbc:ID", D.RECEIVING),
              ("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", None))


_XPATHS: dict[str, etree.XPath] = {}


def _x(el: etree._Element, path: str) -> list:
    # Compiled once per path: the reader asks a few dozen paths per line.
    xp = _XPATHS.get(path)
    if xp is None:
        xp = _XPATHS[path] = etree.XPath(path, namespaces=NSMAP)
    return xp(el)


def _t(el: etree._Element, path: str) -> str | None:
    found = _x(el, path)
    if not found:
        return None
    value = found[0] if isinstance(found[0], str) else found[0].text
    return value if value is None else str(value)


def _where(el: etree._Element) -> str:
    return f"line {el.sourceline} ({el.tag.rpartition('}')[2]})"


def _date(el: etree._Element, path: str) -> dt.date | None:
    found = _x(el, path)
    if not found:
        return None
    return E.iso_date(found[0].text or "", _where(found[0]))


# ------------------------------------------------------------------ reading

def read_document(root: etree._Element, context: AdapterContext) -> Canonical:
    name = etree.QName(root).localname
    if name in NO_LINES:
        raise InvalidRequest(f"UBL {name} {_t(root, 'cbc:ID')!r}: {NO_LINES[name]}; a canonical "
                             f"message carries every line of its document, so the order's own "
                             f"lines must come in an OrderChange (or OrderResponse) instead")
    if name not in ROOTS and name not in LINELESS:
        raise InvalidRequest(f"UBL {name} is not a document the gateway reads "
                             f"({', '.join(ROOTS)})")
    if etree.QName(root).namespace != root_ns(name):
        raise InvalidRequest(f"UBL {name}: namespace {etree.QName(root).namespace!r} is not "
                             f"{root_ns(name)!r}")
    validate(root, name)
    types, line_path, qty_name = ROOTS[name] if name in ROOTS else (LINELESS[name], "", "")
    where = f"UBL {name} {_t(root, 'cbc:ID')!r}"
    profile = _t(root, "cbc:ProfileID") or ""
    named = profile[len(PROFILE):] if profile.startswith(PROFILE) else ""
    doc_type = next((t for t in types if t.value == named), types[0])

    purpose, response, response_number = Purpose.ORIGINAL, None, None
    own = E.number(_t(root, "cbc:ID"), where) if _t(root, "cbc:ID") else None
    number = own
    if name == "OrderResponse":
        purpose = Purpose.RESPONSE
        code = (_t(root, "cbc:OrderResponseCode") or "").strip()
        response = RESPONSE_OF.get(code, Response.ACCEPTED)
        number = E.number(_t(root, "cac:OrderReference/cbc:ID"), f"{where} OrderReference")
        response_number = own if own != number else None
    elif name == "OrderChange":
        number = number or E.number(_t(root, "cac:OrderReference/cbc:ID"), where)
        statuses = [s.text for s in _x(root, "cac:OrderLine/cac:LineItem/cbc:LineStatusCode")]
        cancelled = bool(statuses) and all(s == "Cancelled" for s in statuses)
        purpose = Purpose.CANCELLATION if cancelled else Purpose.CHANGE
    elif name == "OrderResponseSimple":
        purpose = Purpose.RESPONSE
        accepted = (_t(root, "cbc:AcceptedIndicator") or "").strip() in ("true", "1")
        response = Response.ACCEPTED if accepted else Response.REJECTED
        number = _answered(root, "cac:OrderReference/cbc:ID", where)
        response_number = own if own != number else None
    elif name == "OrderCancellation":
        purpose = Purpose.CANCELLATION
        number = _answered(root, "cac:OrderReference/cbc:ID", where)
    elif name == "FulfilmentCancellation":
        purpose = Purpose.CANCELLATION
        # It cancels a despatch advice (the seller's Delivery) or a receipt advice
        # (the buyer's Receiving); the ProfileID the gateway writes says which.
        if not named and not _x(root, "cac:DespatchDocumentReference") \
                and _x(root, "cac:ReceiptDocumentReference"):
            doc_type = D.RECEIVING
        path = ("cac:ReceiptDocumentReference/cbc:ID" if doc_type == D.RECEIVING
                else "cac:DespatchDocumentReference/cbc:ID")
        number = _answered(root, path, where)
    elif name in ("CreditNote", "SelfBilledCreditNote"):
        purpose = Purpose.CANCELLATION
    elif (status := _t(root, "cbc:DocumentStatusCode")) in STATUS_OF:
        purpose = STATUS_OF[status]
    if number is None:
        raise InvalidRequest(f"{where}: the document has no ID")
    issue = _date(root, "cbc:IssueDate")
    requested = None
    for path in ("cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                 "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate",
                 "cac:Delivery/cbc:LatestDeliveryDate",
                 "cac:Shipment/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                 "cac:Delivery/cbc:ActualDeliveryDate",
                 "cac:Shipment/cac:Delivery/cbc:ActualDeliveryDate"):
        requested = _date(root, path)
        if requested:
            break
    carried = _x(root, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/*")
    if requested is None and carried and etree.QName(carried[0]).namespace == GW \
            and etree.QName(carried[0]).localname == "requestedDate":
        requested = E.iso_date(carried[0].text or "", _where(carried[0]))
    # A cancellation's CancellationNote is required; the gateway writes it empty when
    # the document has no note, so an empty one is no note.
    notes = [n.text or "" for n in _x(root, "cbc:Note")] + [
        n.text for n in _x(root, "cbc:CancellationNote | cbc:RejectionNote") if n.text]
    currency = _t(root, "cbc:DocumentCurrencyCode")

    def party(names: tuple[str, ...]) -> str | None:
        for n in names:
            for p in (f"cac:{n}/cac:Party/cac:PartyIdentification/cbc:ID",
                      f"cac:{n}/cac:Party/cbc:EndpointID",
                      f"cac:{n}/cbc:CustomerAssignedAccountID"):
                value = _t(root, p)
                if value and value.strip():
                    return value.strip()
        return None

    company, partner = E.owner_and_partner(
        doc_type, E.Parties(buyer=party(BUYER_PARTIES), seller=party(SELLER_PARTIES)), context,
        where, sent_by_owner=(doc_type in SENT_BY_OWNER) != (purpose is Purpose.RESPONSE))
    sender_role = E.OWNER_ROLE[doc_type] if company == context.sender else \
        E.other(E.OWNER_ROLE[doc_type])
    first_id = ("Buyers" if sender_role == E.BUYER else "Sellers")
    id_paths = [f"cac:Item/cac:{first_id}ItemIdentification/cbc:ID",
                f"cac:Item/cac:{'Sellers' if first_id == 'Buyers' else 'Buyers'}"
                f"ItemIdentification/cbc:ID",
                "cac:Item/cac:StandardItemIdentification/cbc:ID",
                "cac:Item/cac:ManufacturersItemIdentification/cbc:ID",
                "cac:Item/cac:CatalogueItemIdentification/cbc:ID",
                "cac:Item/cac:AdditionalItemIdentification/cbc:ID"]

    lines: list[DocLine] = []
    item_ids: list[tuple] = []
    prop_currencies: set[str] = set()
    for el in _x(root, f"cac:{line_path}") if line_path else ():
        if name == "RemittanceAdvice":
            lines.append(_remittance_line(el, context, currency))
            item_ids.append(())
            continue
        lw = _where(el)
        raw = (_t(el, "cbc:ID") or "").strip()
        item_path = next((p for p in id_paths if (v := _t(el, p)) and v.strip()), None)
        item = _t(el, item_path).strip() if item_path else None  # type: ignore[union-attr]
        item_ids.append(_item_ids(el, item_path))
        by_name = item is None
        if by_name:
            item = (_t(el, "cac:Item/cbc:Name") or "").strip() or None
        if item is None:
            raise InvalidRequest(f"{lw}: the line names no item")
        q = _x(el, f"cbc:{qty_name}")
        if not q:
            raise InvalidRequest(f"{lw}: the line has no {qty_name}")
        quantity = E.quantity(q[0].text or "", _where(q[0]))
        unit = (q[0].get("unitCode") or "").strip() or DEFAULT_UNIT
        price = None
        if (amount := _t(el, "cac:Price/cbc:PriceAmount")) is not None:
            price = E.decimal(amount, lw)
            base = _x(el, "cac:Price/cbc:BaseQuantity")
            if base and base[0].text and E.decimal(base[0].text, lw) not in (0, 1):
                price = price / E.decimal(base[0].text, lw)
        prop = _x(el, "cac:Item/cac:AdditionalItemProperty[cbc:Name='UnitPrice']")
        if prop and price is None:
            price = E.decimal(_t(prop[0], "cbc:Value") or "", _where(prop[0]))
            if q_cur := _t(prop[0], "cbc:ValueQualifier"):
                prop_currencies.add(q_cur)
        if price is not None and price.as_tuple().exponent < -6:  # type: ignore[operator]
            raise Unrepresentable(f"{lw}: unit price {price} has more than 6 decimals")
        line_date = None
        for path in ("cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                     "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate",
                     "cac:Delivery/cbc:LatestDeliveryDate",
                     "cac:Shipment/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                     "cac:Item/cac:AdditionalItemProperty[cbc:Name='RequestedDate']/cbc:Value"):
            line_date = _date(el, path)
            if line_date:
                break
        desc = _t(el, "cac:Item/cbc:Description") or _t(el, "cac:Item/cbc:Name")
        lines.append(DocLine(
            number=int(raw) if raw.isdigit() and 0 < int(raw) <= 999999 else 0,
            item=E.item_code(item, context, lw, by_name=by_name), quantity=quantity, unit=unit,
            description=desc, unit_price=price, requested_date=line_date))
    if not lines and name not in LINELESS:
        raise InvalidRequest(f"{where}: the document has no lines")
    if currency is None and len(prop_currencies) == 1:
        currency = prop_currencies.pop()
    count = _t(root, "cbc:LineCountNumeric")
    if count is not None and E.decimal(count, where) != len(lines):
        raise InvalidRequest(f"{where}: LineCountNumeric says {count} lines, the document has "
                             f"{len(lines)}")
    numbers = [ln.number for ln in lines]
    if 0 in numbers or len(set(numbers)) != len(numbers):
        lines = [replace(ln, number=i) for i, ln in enumerate(lines, start=1)]

    refs: list[tuple[DocType, str, Decimal | None]] = []
    for ref in _x(root, "cac:AdditionalDocumentReference | cac:DocumentReference"):
        rtype = _t(ref, "cbc:DocumentType")
        if rtype in {t.value for t in DocType} and _t(ref, "cbc:ID"):
            qty = _t(ref, "cbc:DocumentDescription")
            refs.append((DocType(rtype), _t(ref, "cbc:ID").strip(),  # type: ignore[union-attr]
                         E.quantity(qty, _where(ref)) if qty else None))
    for path, rtype in TYPED_REFS:
        if name in ("OrderResponse", "OrderChange", "OrderResponseSimple", "OrderCancellation") \
                and path.startswith("cac:OrderReference"):
            continue  # the order itself
        for value in _x(root, path):
            if value.text and value.text.strip():
                t = rtype or (D.ACCOUNT_PAYABLE if doc_type == D.PAYMENT else D.ACCOUNT_RECEIVABLE)
                refs.append((t, value.text.strip(), None))
    seen, references = set(), []
    for t, n, q in refs:
        if (t, n) in seen or (t == doc_type and n == number):
            continue
        seen.add((t, n))
        references.append(DocRef(company=E.reference_company(doc_type.value, t.value, company,
                                                             partner),
                                 type=t.value, number=E.number(n, where), quantity=q))
    if issue is None:
        raise InvalidRequest(f"{where}: the document has no IssueDate")
    doc = Doc(type=doc_type.value, number=number, company=company, partner=partner,
              issue_date=issue, requested_date=requested, currency=currency,
              note="\n".join(notes) if notes else None, lines=tuple(lines),
              references=tuple(references))
    return E.canonical(purpose, doc, where, response=response, response_number=response_number,
                       parties=_parties(root, name, context), item_ids=item_ids)


# An item's ids in UBL: each element and the scheme it stands for, in schema order.
ITEM_ID_ELEMENTS = (("BuyersItemIdentification", "Buyer"), ("SellersItemIdentification", "Seller"),
                    ("ManufacturersItemIdentification", "Manufacturer"),
                    ("StandardItemIdentification", "GTIN"),
                    ("CatalogueItemIdentification", "Catalogue"),
                    ("AdditionalItemIdentification", "Additional"))
_STANDARD = {"0160": "GTIN", "GTIN": "GTIN"}


def _item_ids(line: etree._Element, item_path: str | None) -> tuple:
    """Every id of a line's item but the one that became its network item."""
    out = []
    for element, scheme in ITEM_ID_ELEMENTS:
        for i, found in enumerate(_x(line, f"cac:Item/cac:{element}/cbc:ID")):
            if not (found.text or "").strip():
                continue
            if i == 0 and item_path == f"cac:Item/cac:{element}/cbc:ID":
                continue
            sid = (found.get("schemeID") or "").strip()
            if element == "StandardItemIdentification":
                scheme = _STANDARD.get(sid, sid or "GTIN")
            elif element == "AdditionalItemIdentification":
                scheme = sid or "Additional"
            out.append((P.ubl_id_scheme(scheme, _where(found)), found.text.strip()))
    return tuple(out)


# Party elements: the role each stands for where it is not the root's own buyer or
# seller element (PARTIES), which are the Buyer and the Seller.
PARTY_ROLE = (("BuyerCustomerParty", "Buyer"), ("SellerSupplierParty", "Seller"),
              ("AccountingCustomerParty", "BillTo"), ("AccountingSupplierParty", "Seller"),
              ("DeliveryCustomerParty", "ShipTo"), ("DespatchSupplierParty", "ShipFrom"),
              ("RetailerCustomerParty", "Buyer"), ("OriginatorCustomerParty", "Other"),
              ("PayeeParty", "Payee"), ("Delivery", "ShipTo"),
              ("Shipment/cac:Delivery", "ShipTo"))
# ids a customer or supplier party element holds beside its Party: the scheme says who
# assigned them
ACCOUNT_IDS = (("cbc:CustomerAssignedAccountID", "Buyer"),
               ("cbc:SupplierAssignedAccountID", "Seller"))


def _s(el: etree._Element, path: str) -> str | None:
    value = _t(el, path)
    return value.strip() or None if value else None


def _parties(root: etree._Element, name: str, context: AdapterContext) -> list[P.Party]:
    """Every party the document names, as it names it; the parties the gateway carries in
    its own extension (roles the root has no element for) after them."""
    own = dict(zip(PARTIES.get(name, ("BuyerCustomerParty", "SellerSupplierParty")),
                   ("Buyer", "Seller")))
    identity = E.identity_ids(context)
    out = []
    for path, role in PARTY_ROLE:
        for el in _x(root, f"cac:{path}"):
            delivery = path.endswith("Delivery")
            party_el = el.find(f"{{{CAC}}}{'DeliveryParty' if delivery else 'Party'}")
            role_here = own.get(path, role)
            ids = []
            found_ids = [] if party_el is None else \
                _x(party_el, "cbc:EndpointID | cac:PartyIdentification/cbc:ID")
            if delivery:
                found_ids += _x(el, "cac:DeliveryLocation/cbc:ID")
            for i, found in enumerate(found_ids):
                value = (found.text or "").strip()
                if i == 0 and path in own and not found.get("schemeID") and value in identity:
                    continue   # the company itself, as write names it (edi_doc.identity_ids)
                if value:
                    ids.append((P.ubl_id_scheme(found.get("schemeID"), _where(found)), value))
            for id_path, scheme in ACCOUNT_IDS:
                if value := _s(el, id_path):
                    ids.append((scheme, value))
            addr = [] if party_el is None else _x(party_el, "cac:PostalAddress")
            if not addr and delivery:
                addr = _x(el, "cac:DeliveryLocation/cac:Address") or _x(el, "cac:DeliveryAddress")
            address = _address(addr[0]) if addr else P.Address()
            pname = None if party_el is None else _s(party_el, "cac:PartyName/cbc:Name")
            if ids or pname or address:
                out.append(P.Party(role=role_here, ids=tuple(ids), name=pname,
                                         address=address))
    for carried in _x(root, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/*"):
        if etree.QName(carried).namespace == GW and etree.QName(carried).localname == "party":
            out.append(party_from(carried))
    return out


def _address(el: etree._Element) -> P.Address:
    street = [v for p in ("cbc:StreetName", "cbc:AdditionalStreetName")
              if (v := _s(el, p))] + [x.text.strip() for x in _x(el, "cac:AddressLine/cbc:Line")
                                      if x.text and x.text.strip()]
    return P.Address(street=tuple(street), city=_s(el, "cbc:CityName"),
                     postal_code=_s(el, "cbc:PostalZone"), region=_s(el, "cbc:CountrySubentity"),
                     country=P.country(_s(el, "cac:Country/cbc:IdentificationCode"), _where(el)))


def _answered(root: etree._Element, path: str, where: str) -> str:
    """The number of the one document a lineless document answers or cancels."""
    found = [v.text.strip() for v in _x(root, path) if v.text and v.text.strip()]
    if len(found) != 1:
        raise InvalidRequest(f"{where}: {path} names {len(found)} documents; the gateway reads "
                             f"a response or cancellation of exactly one")
    return E.number(found[0], f"{where} {path}")


def _remittance_line(el: etree._Element, context: AdapterContext,
                     currency: str | None) -> DocLine:
    lw = _where(el)
    carried = _x(el, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/*")
    if carried and etree.QName(carried[0]).namespace == GW:
        c = {etree.QName(x).localname: x.text or "" for x in carried[0]}
        return DocLine(number=int(c.get("lineNumber", "0") or 0),
                       item=E.item_code(c.get("item", ""), context, lw),
                       quantity=E.quantity(c.get("quantity", ""), lw), unit=c.get("unit") or "",
                       description=c.get("description"),
                       unit_price=E.decimal(c["unitPrice"], lw) if c.get("unitPrice") else None,
                       requested_date=E.iso_date(c["requestedDate"], lw)
                       if c.get("requestedDate") else None)
    paid = (_t(el, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
            or _t(el, "cac:DocumentReference/cbc:ID") or _t(el, "cbc:ID") or "").strip()
    amount = _x(el, "cbc:DebitLineAmount") or _x(el, "cbc:BalanceAmount")
    if not amount:
        raise InvalidRequest(f"{lw}: a remittance line without an amount")
    unit = amount[0].get("currencyID") or currency or DEFAULT_UNIT
    raw = (_t(el, "cbc:ID") or "").strip()
    return DocLine(number=int(raw) if raw.isdigit() else 0,
                   item=E.item_code(paid, context, lw),
                   quantity=E.quantity(amount[0].text or "", _where(amount[0])), unit=unit,
                   description=_t(el, "cbc:Note"))


# ------------------------------------------------------------------ writing

def _q(prefix: str, name: str) -> str:
    return "{%s}%s" % ({"cbc": CBC, "cac": CAC, "ext": EXT}[prefix], name)


@functools.cache
def _steps(path: str) -> tuple[str, ...]:
    return tuple(_q(*step.split(":")) for step in path.split("/"))


def _add(parent: etree._Element, path: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    """Append the elements of ``path`` (cac:A/cbc:B) under ``parent``; the last gets the text."""
    el = parent
    for tag in _steps(path):
        el = etree.SubElement(el, tag)
    if text is not None:
        el.text = text
    for k, v in attrs.items():
        el.set(k, v)
    return el


ROOT_OF = {
    D.PURCHASE_ORDER: {Purpose.ORIGINAL: "Order", Purpose.CHANGE: "OrderChange",
                       Purpose.CANCELLATION: "OrderChange", Purpose.RESPONSE: "OrderResponse"},
    D.DELIVERY: "DespatchAdvice", D.RECEIVING: "ReceiptAdvice",
    D.ACCOUNT_RECEIVABLE: {Purpose.ORIGINAL: "Invoice", Purpose.CANCELLATION: "CreditNote"},
    D.PAYMENT: "RemittanceAdvice", D.RETURN: "InstructionForReturns",
}
ROOT_OF[D.SALES_ORDER] = ROOT_OF[D.PURCHASE_ORDER]
ROOT_OF[D.ACCOUNT_PAYABLE] = ROOT_OF[D.ACCOUNT_RECEIVABLE]
ROOT_OF[D.RECEIPT] = ROOT_OF[D.PAYMENT]
ROOT_OF[D.RETURN_RECEIVING] = ROOT_OF[D.RETURN]

# Parties written per root: (buyer-side element, seller-side element), in schema order.
PARTIES = {
    "Order": ("BuyerCustomerParty", "SellerSupplierParty"),
    "OrderChange": ("BuyerCustomerParty", "SellerSupplierParty"),
    "OrderResponse": ("BuyerCustomerParty", "SellerSupplierParty"),  # seller first, see below
    "DespatchAdvice": ("DeliveryCustomerParty", "DespatchSupplierParty"),
    "ReceiptAdvice": ("DeliveryCustomerParty", "DespatchSupplierParty"),
    "Invoice": ("AccountingCustomerParty", "AccountingSupplierParty"),
    "CreditNote": ("AccountingCustomerParty", "AccountingSupplierParty"),
    "RemittanceAdvice": ("AccountingCustomerParty", "AccountingSupplierParty"),
    "InstructionForReturns": ("RetailerCustomerParty", "SellerSupplierParty"),
}
SELLER_FIRST = {"OrderResponse", "DespatchAdvice", "InstructionForReturns", "Invoice",
                "CreditNote"}
# DespatchAdvice and ReceiptAdvice say a change or a cancellation in DocumentStatusCode.
STATUS = {Purpose.CHANGE: "Revised", Purpose.CANCELLATION: "Cancelled"}
STATUS_OF = {v: k for k, v in STATUS.items()}
# Roots whose lines hold a price, a date and the currency in UBL elements of their own.
PRICED = {"Order", "OrderChange", "OrderResponse", "Invoice", "CreditNote"}
WITH_CURRENCY = PRICED | {"RemittanceAdvice"}


def write_document(message: Canonical, context: AdapterContext) -> etree._Element:
    doc = from_element(message.document)
    doc_type = DocType(doc.type)
    where = f"{doc.type} {doc.number}"
    target = ROOT_OF.get(doc_type)
    name = target.get(message.purpose) if isinstance(target, dict) else target
    E.lines_required(message.purpose, len(doc.lines), where)
    if not doc.lines and name is not None:
        return _write_lineless(doc, message, context, name, where)
    if name is None or (message.purpose is Purpose.RESPONSE and name != "OrderResponse"):
        raise Unrepresentable(f"{where}: UBL has no document for a {doc.type} with purpose "
                              f"{message.purpose.value}")
    if message.purpose in (Purpose.CHANGE, Purpose.CANCELLATION) and not isinstance(target, dict) \
            and name not in ("DespatchAdvice", "ReceiptAdvice"):
        raise Unrepresentable(f"{where}: UBL has no change or cancellation of a {name}")
    if name == "CreditNote" and message.purpose is not Purpose.CANCELLATION:
        raise Unrepresentable(f"{where}: a CreditNote only cancels an invoice")
    root = etree.Element("{%s}%s" % (root_ns(name), name),
                         nsmap={None: root_ns(name), **NSMAP})
    if doc.requested_date and name == "RemittanceAdvice":
        # A remittance has no delivery date of its own: the canonical one travels
        # in the document's extension.
        content = _add(root, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent")
        etree.SubElement(content, "{%s}requestedDate" % GW, nsmap={"tns": GW}).text = \
            doc.requested_date.isoformat()
    _add(root, "cbc:UBLVersionID", "2.1")
    _add(root, "cbc:ProfileID", PROFILE + doc.type)
    own = (message.response_number or doc.number) if name == "OrderResponse" else doc.number
    _add(root, "cbc:ID", own)
    _add(root, "cbc:IssueDate", doc.issue_date.isoformat())
    if name == "OrderChange":
        _add(root, "cbc:SequenceNumberID", "1")
    if name == "OrderResponse":
        _add(root, "cbc:OrderResponseCode", RESPONSE_CODE[message.response or Response.ACCEPTED])
    if name in ("DespatchAdvice", "ReceiptAdvice") and message.purpose in STATUS:
        _add(root, "cbc:DocumentStatusCode", STATUS[message.purpose])
    if name == "CreditNote":
        _add(root, "cbc:CreditNoteTypeCode", "381")
    if name == "Invoice":
        _add(root, "cbc:InvoiceTypeCode", "380")
    if doc.note is not None:
        _add(root, "cbc:Note", doc.note)
    if doc.currency and name in WITH_CURRENCY:
        _add(root, "cbc:DocumentCurrencyCode", doc.currency)
    if name not in ("InstructionForReturns", "RemittanceAdvice"):
        _add(root, "cbc:LineCountNumeric", str(len(doc.lines)))
    if name in ("OrderChange", "OrderResponse"):
        _add(root, "cac:OrderReference/cbc:ID", doc.number)
    for ref in doc.references:
        E.check_reference(doc, ref, where)
        tag = "DocumentReference" if name == "InstructionForReturns" else \
            "AdditionalDocumentReference"
        r = _add(root, f"cac:{tag}")
        _add(r, "cbc:ID", ref.number)
        _add(r, "cbc:DocumentType", ref.type)
        if ref.quantity is not None:
            _add(r, "cbc:DocumentDescription", E.plain(ref.quantity))
    parties = E.parties_of(doc, context)
    buyer_el, seller_el = PARTIES[name]
    order = [(seller_el, parties.seller), (buyer_el, parties.buyer)] if name in SELLER_FIRST \
        else [(buyer_el, parties.buyer), (seller_el, parties.seller)]
    if name in ("ReceiptAdvice", "RemittanceAdvice"):
        order = [(buyer_el, parties.buyer), (seller_el, parties.seller)]
    carried = _by_element(list(doc.parties), {buyer_el: "Buyer",
                                                            seller_el: "Seller"})
    for el_name, pid in order:
        p = _add(root, f"cac:{el_name}")
        if pid:
            _add(p, "cac:Party/cac:PartyIdentification/cbc:ID", pid)
        if el_name in carried.placed:
            _fill_party(p, carried.placed[el_name], where)
    _carry(root, carried.rest)
    if doc.requested_date:
        if name in ("Order", "OrderChange", "OrderResponse", "Invoice", "CreditNote"):
            _add(root, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                 doc.requested_date.isoformat())
        elif name in ("DespatchAdvice", "ReceiptAdvice", "InstructionForReturns"):
            s = _add(root, "cac:Shipment")
            _add(s, "cbc:ID", doc.number)
            _add(s, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                 doc.requested_date.isoformat())
    if name in ("Invoice", "CreditNote"):
        total = sum(((ln.unit_price or Decimal(0)) * ln.quantity for ln in doc.lines), Decimal(0))
        _add(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", E.plain(total),
             currencyID=doc.currency or "XXX")
    if doc.currency and name not in WITH_CURRENCY and not any(
            ln.unit_price is not None for ln in doc.lines):
        raise Unrepresentable(f"{where}: a UBL {name} carries a currency only with a line's "
                              f"unit price")
    receiver_role = E.OWNER_ROLE[doc_type] if doc.company == context.receiver else \
        E.other(E.OWNER_ROLE[doc_type])
    id_el = "BuyersItemIdentification" if receiver_role == E.BUYER else \
        "SellersItemIdentification"
    for ln in doc.lines:
        _write_line(root, name, doc, ln, id_el, message.purpose, context, ln.item_ids)
    validate(root, name)
    return root


def _write_lineless(doc: Doc, message: Canonical, context: AdapterContext, name: str,
                    where: str) -> etree._Element:
    """A response or cancellation without lines: OrderResponseSimple (accepted or
    rejected), OrderCancellation, FulfilmentCancellation (a despatch or receipt advice)."""
    if message.purpose is Purpose.RESPONSE:
        if message.response is Response.CHANGED:
            raise Unrepresentable(f"{where}: an order response that changes the order carries "
                                  f"its lines; this one has none")
        name = "OrderResponseSimple"
    elif name == "OrderChange":
        name = "OrderCancellation"
    elif name in ("DespatchAdvice", "ReceiptAdvice"):
        name = "FulfilmentCancellation"
    else:
        raise Unrepresentable(f"{where}: UBL has no {name} without lines")
    for value, what in ((doc.requested_date, "a requested date"), (doc.currency, "a currency")):
        if value is not None:
            raise Unrepresentable(f"{where}: a UBL {name} carries no line, so it has no place "
                                  f"for {what}")
    if doc.references and name != "FulfilmentCancellation":
        raise Unrepresentable(f"{where}: a UBL {name} names only the order, no other reference")
    root = etree.Element("{%s}%s" % (root_ns(name), name), nsmap={None: root_ns(name), **NSMAP})
    _add(root, "cbc:UBLVersionID", "2.1")
    _add(root, "cbc:ProfileID", PROFILE + doc.type)
    own = message.response_number or doc.number if name == "OrderResponseSimple" else doc.number
    _add(root, "cbc:ID", own)
    _add(root, "cbc:IssueDate", doc.issue_date.isoformat())
    if name == "OrderResponseSimple":
        if doc.note is not None:
            _add(root, "cbc:Note", doc.note)
        _add(root, "cbc:AcceptedIndicator",
             "false" if message.response is Response.REJECTED else "true")
        _add(root, "cac:OrderReference/cbc:ID", doc.number)
    else:
        # CancellationNote is required: the note, else empty (read back as no note)
        _add(root, "cbc:CancellationNote", doc.note or "")
        if name == "OrderCancellation":
            _add(root, "cac:OrderReference/cbc:ID", doc.number)
        else:
            which = "Receipt" if doc.type == D.RECEIVING.value else "Despatch"
            _add(root, f"cac:{which}DocumentReference/cbc:ID", doc.number)
            for ref in doc.references:
                E.check_reference(doc, ref, where)
                r = _add(root, "cac:AdditionalDocumentReference")
                _add(r, "cbc:ID", ref.number)
                _add(r, "cbc:DocumentType", ref.type)
                if ref.quantity is not None:
                    _add(r, "cbc:DocumentDescription", E.plain(ref.quantity))
    parties = E.parties_of(doc, context)
    order = [("SellerSupplierParty", parties.seller), ("BuyerCustomerParty", parties.buyer)]
    if name != "OrderResponseSimple":
        order.reverse()
    carried = _by_element(list(doc.parties), {"BuyerCustomerParty": "Buyer",
                                                            "SellerSupplierParty": "Seller"})
    for el_name, pid in order:
        p = _add(root, f"cac:{el_name}")
        if pid:
            _add(p, "cac:Party/cac:PartyIdentification/cbc:ID", pid)
        else:
            _add(p, "cac:Party")
        if el_name in carried.placed:
            _fill_party(p, carried.placed[el_name], where)
    _carry(root, carried.rest)
    validate(root, name)
    return root


class _Placed:
    def __init__(self) -> None:
        self.placed: dict[str, P.Party] = {}
        self.rest: list[P.Party] = []


def _by_element(parties: list[P.Party], elements: dict[str, str]) -> _Placed:
    """The first Buyer and Seller go in the root's buyer and seller party elements; every
    other party in the document's UBLExtension as a canonical tns:party (the place UBL
    gives for what a document type has no element of its own for)."""
    out = _Placed()
    free = {role: el for el, role in elements.items()}
    for party in parties:
        # a party that names nothing but its role could not be told from the root's own
        # element: it travels in the extension
        said = bool(party.ids or party.name is not None or party.address)
        el = free.pop(party.role, None) if said else None
        if el is not None:
            out.placed[el] = party
        else:
            out.rest.append(party)
    return out


def _fill_party(container: etree._Element, party: P.Party, where: str) -> None:
    """PartyIdentification (schemeID = the scheme), PartyName, PostalAddress, in UBL order."""
    p = container.find(f"{{{CAC}}}Party")
    if p is None:
        p = _add(container, "cac:Party")
    for scheme, value in party.ids:
        sid = P.ubl_scheme_id(scheme)
        _add(p, "cac:PartyIdentification/cbc:ID", value, **({"schemeID": sid} if sid else {}))
    if party.name is not None:
        _add(p, "cac:PartyName/cbc:Name", party.name)
    a = party.address
    if a:
        addr = _add(p, "cac:PostalAddress")
        for tag, value in zip(("cbc:StreetName", "cbc:AdditionalStreetName"), a.street):
            _add(addr, tag, value)
        for tag, value in (("cbc:CityName", a.city), ("cbc:PostalZone", a.postal_code),
                           ("cbc:CountrySubentity", a.region)):
            if value is not None:
                _add(addr, tag, value)
        for line in a.street[2:]:
            _add(addr, "cac:AddressLine/cbc:Line", line)
        if a.country:
            _add(addr, "cac:Country/cbc:IdentificationCode", a.country)


def _carry(root: etree._Element, parties: list[P.Party]) -> None:
    if not parties:
        return
    exts = root.find(f"{{{EXT}}}UBLExtensions")
    if exts is None:
        exts = etree.Element(f"{{{EXT}}}UBLExtensions")
        root.insert(0, exts)
    for party in parties:
        _add(exts, "ext:UBLExtension/ext:ExtensionContent").append(party_element(party))


def _write_item_ids(item_el: etree._Element, id_el: str, item: str, ids: tuple,
                    where: str) -> None:
    """The item's own code in the receiver's ...ItemIdentification, every other id in the
    element its scheme names (ITEM_ID_ELEMENTS; another scheme: AdditionalItemIdentification
    with that schemeID), in schema order."""
    order = [e for e, _s in ITEM_ID_ELEMENTS]
    by_scheme = {scheme: e for e, scheme in ITEM_ID_ELEMENTS}
    entries = [(order.index(id_el), id_el, item, None)]
    for scheme, value in ids:
        element = by_scheme.get(scheme, "AdditionalItemIdentification")
        sid = {"GTIN": "GTIN", "Additional": None}.get(scheme, None if element != \
              "AdditionalItemIdentification" else scheme)
        entries.append((order.index(element), element, value, sid))
    entries.sort(key=lambda e: e[0])
    seen: set[str] = set()
    for _i, element, value, sid in entries:
        if element in seen and element not in ("ManufacturersItemIdentification",
                                                "AdditionalItemIdentification"):
            raise Unrepresentable(f"{where}: a UBL item has one {element}; this line has two "
                                  f"such ids")
        seen.add(element)
        _add(item_el, f"cac:{element}/cbc:ID", value, **({"schemeID": sid} if sid else {}))


_LINE = {"Order": ("OrderLine/cac:LineItem", "Quantity"),
         "OrderChange": ("OrderLine/cac:LineItem", "Quantity"),
         "OrderResponse": ("OrderLine/cac:LineItem", "Quantity"),
         "DespatchAdvice": ("DespatchLine", "DeliveredQuantity"),
         "ReceiptAdvice": ("ReceiptLine", "ReceivedQuantity"),
         "Invoice": ("InvoiceLine", "InvoicedQuantity"),
         "CreditNote": ("CreditNoteLine", "CreditedQuantity"),
         "InstructionForReturns": ("InstructionForReturnsLine", "Quantity")}


def _write_line(root: etree._Element, name: str, doc: Doc, ln: DocLine, id_el: str,
                purpose: Purpose, context: AdapterContext, ids: tuple = ()) -> None:
    item = context.items.partner_code(ln.item)
    currency = doc.currency or "XXX"
    if name == "RemittanceAdvice" and ids:
        raise Unrepresentable(f"{doc.type} {doc.number} line {ln.number}: a UBL remittance line "
                              f"names no item, so it has no place for item ids")
    if name == "RemittanceAdvice":
        el = _add(root, "cac:RemittanceAdviceLine")
        content = _add(el, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent")
        carried = etree.SubElement(content, "{%s}line" % GW, nsmap={"tns": GW})
        for tag, value in (("lineNumber", str(ln.number)), ("item", item),
                           ("description", ln.description), ("quantity", E.plain(ln.quantity)),
                           ("unit", ln.unit),
                           ("unitPrice", E.plain(ln.unit_price) if ln.unit_price is not None
                            else None),
                           ("requestedDate", ln.requested_date.isoformat()
                            if ln.requested_date else None)):
            if value is not None:
                etree.SubElement(carried, "{%s}%s" % (GW, tag)).text = value
        _add(el, "cbc:ID", str(ln.number))
        if ln.description is not None:
            _add(el, "cbc:Note", ln.description)
        amount = ln.quantity * (ln.unit_price if ln.unit_price is not None else 1)
        _add(el, "cbc:DebitLineAmount", E.plain(amount), currencyID=currency)
        return
    path, qty_name = _LINE[name]
    el = _add(root, f"cac:{path}")
    _add(el, "cbc:ID", str(ln.number))
    if name in ("Order", "OrderChange", "OrderResponse") and purpose is Purpose.CANCELLATION:
        _add(el, "cbc:LineStatusCode", "Cancelled")
    _add(el, f"cbc:{qty_name}", E.plain(ln.quantity), unitCode=ln.unit)
    if name in ("Invoice", "CreditNote"):
        _add(el, "cbc:LineExtensionAmount", E.plain(ln.quantity * (ln.unit_price or 0)),
             currencyID=currency)
    props: list[tuple[str, str, str | None]] = []
    if ln.requested_date:
        if name in PRICED:
            _add(el, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                 ln.requested_date.isoformat())
        elif name in ("DespatchAdvice", "ReceiptAdvice"):
            pass  # written after the item, in the line's Shipment
        else:
            props.append(("RequestedDate", ln.requested_date.isoformat(), None))
    if ln.unit_price is not None and name not in PRICED:
        props.insert(0, ("UnitPrice", E.plain(ln.unit_price), doc.currency))
    if name == "DespatchAdvice":
        _add(el, "cac:OrderLineReference/cbc:LineID", str(ln.number))
    price_after_item = name in ("Invoice", "CreditNote")
    if ln.unit_price is not None and name in PRICED and not price_after_item:
        _add(el, "cac:Price/cbc:PriceAmount", E.plain(ln.unit_price), currencyID=currency)
    it = _add(el, "cac:Item")
    if ln.description is not None:
        _add(it, "cbc:Description", ln.description)
    _write_item_ids(it, id_el, item, ids, f"{doc.type} {doc.number} line {ln.number}")
    for pname, value, qualifier in props:
        p = _add(it, "cac:AdditionalItemProperty")
        _add(p, "cbc:Name", pname)
        _add(p, "cbc:Value", value)
        if qualifier:
            _add(p, "cbc:ValueQualifier", qualifier)
    if ln.unit_price is not None and price_after_item:
        _add(el, "cac:Price/cbc:PriceAmount", E.plain(ln.unit_price), currencyID=currency)
    if ln.requested_date and name in ("DespatchAdvice", "ReceiptAdvice"):
        s = _add(el, "cac:Shipment")
        _add(s, "cbc:ID", str(ln.number))
        _add(s, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
             ln.requested_date.isoformat())


class UblAdapter:
    kind = "ubl-2.1"
    media_type = "application/xml"
    file_suffix = ".xml"

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        return [read_document(safe_xml.parse(data), context)]

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        if len(messages) != 1:
            raise Unrepresentable(f"a UBL file holds one document; {len(messages)} were given "
                                  f"(send them one by one)")
        root = write_document(messages[0], context)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


register(UblAdapter())
