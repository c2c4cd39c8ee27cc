"""Every UBL document of the corpus, checked against values read out of the file by XPath here.

Parties are checked by mapping the PartyIdentification ids the file names to
two companies; part codes by a CIA map of the item ids the file names.  Files
the canonical model cannot hold completely are refused, each for its reason.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from adapters.base import AdapterContext, ItemMap, Purpose, Response
from adapters.canonical_doc import from_element
from adapters.formats import edi_parties as P
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest, SchemaInvalid, UnmappedCode
from fixtures.corpus import CORPUS

DIR = (CORPUS / "ubl")
FILES = sorted(p.name for p in DIR.glob("*.xml"))
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}

REFUSED = {
    "DespatchAdvice__sunat-pe__GuiaRemision.xml": (SchemaInvalid, "UBL-DespatchAdvice-2.4.xsd"),
    "UBL-CreditNote-2.1-Example.xml": (InvalidRequest, "quantity '-1' must be greater"),
    "UBL-DebitNote-2.1-Example.xml": (InvalidRequest, "quantity '-1' must be greater"),
    "UBL-Invoice-2.1-Example.xml": (InvalidRequest, "quantity '-1' must be greater"),
    "UBL-SelfBilledCreditNote-2.1-Example.xml": (InvalidRequest, "quantity '-1' must be"),
    "UBL-Invoice-2.1-Example-Trivial.xml": (InvalidRequest, "names no item"),
    "UBL-OrderResponse-2.1-Example.xml": (InvalidRequest, "names no item"),
    "UBL-Statement-2.0-Example.xml": (InvalidRequest, "not a payment"),
}
# root -> (canonical type, line path, quantity element, buyer-side, seller-side parties)
ROOTS = {
    "Order": ("PurchaseOrder", "cac:OrderLine/cac:LineItem", "Quantity", Purpose.ORIGINAL),
    "OrderChange": ("PurchaseOrder", "cac:OrderLine/cac:LineItem", "Quantity", Purpose.CHANGE),
    "DespatchAdvice": ("Delivery", "cac:DespatchLine", "DeliveredQuantity", Purpose.ORIGINAL),
    "ReceiptAdvice": ("Receiving", "cac:ReceiptLine", "ReceivedQuantity", Purpose.ORIGINAL),
    "PurchaseReceipt": ("Receiving", "cac:PurchaseReceiptLine", "Quantity", Purpose.ORIGINAL),
    "Invoice": ("AccountReceivable", "cac:InvoiceLine", "InvoicedQuantity", Purpose.ORIGINAL),
    "CreditNote": ("AccountReceivable", "cac:CreditNoteLine", "CreditedQuantity",
                   Purpose.CANCELLATION),
    "RemittanceAdvice": ("Payment", "cac:RemittanceAdviceLine", "", Purpose.ORIGINAL),
    "InstructionForReturns": ("Return", "cac:InstructionForReturnsLine", "Quantity",
                              Purpose.ORIGINAL),
}
BUYER = ("BuyerCustomerParty", "DeliveryCustomerParty", "AccountingCustomerParty",
         "RetailerCustomerParty")
SELLER = ("SellerSupplierParty", "DespatchSupplierParty", "AccountingSupplierParty",
          "PayeeParty")
OWNED_BY_BUYER = {"PurchaseOrder", "Receiving", "Payment", "Return"}


def text(el, path: str) -> str | None:
    found = el.xpath(path, namespaces=NS)
    return found[0].text.strip() if found and found[0].text else None


def party(root, names: tuple[str, ...]) -> str | None:
    for n in names:
        for p in (f"cac:{n}/cac:Party/cac:PartyIdentification/cbc:ID",
                  f"cac:{n}/cac:Party/cbc:EndpointID", f"cac:{n}/cbc:CustomerAssignedAccountID"):
            if value := text(root, p):
                return value
    return None


def item(line, buyer_first: bool) -> str:
    order = ["Buyers", "Sellers"] if buyer_first else ["Sellers", "Buyers"]
    for p in [f"cac:Item/cac:{o}ItemIdentification/cbc:ID" for o in order] + [
            "cac:Item/cac:StandardItemIdentification/cbc:ID",
            "cac:Item/cac:ManufacturersItemIdentification/cbc:ID",
            "cac:Item/cac:CatalogueItemIdentification/cbc:ID",
            "cac:Item/cac:AdditionalItemIdentification/cbc:ID", "cac:Item/cbc:Name"]:
        if value := text(line, p):
            return value
    raise AssertionError("no item")


# Lineless documents: they answer or cancel the one document they name (checked below).
LINELESS = ("UBL-OrderCancellation-2.1-Example.xml", "UBL-OrderResponseSimple-2.1-Example.xml",
            "UBL-FulfilmentCancellation-2.1-Example.xml")


@pytest.mark.parametrize("name", [f for f in FILES if f not in LINELESS])
def test_corpus_document_reads_every_line_party_date_and_price(name):
    data = (DIR / name).read_bytes()
    root = etree.fromstring(data)
    if name in REFUSED:
        error, match = REFUSED[name]
        with pytest.raises(error, match=match):
            adapter_for("ubl-2.1").read(data, AdapterContext(sender="A", receiver="B"))
        return
    doc_type, line_path, qty_name, purpose = ROOTS[etree.QName(root).localname]
    buyer, seller = party(root, BUYER), party(root, SELLER)
    parties = {k: v for k, v in (("BUYER", buyer), ("SELLER", seller)) if v and buyer != seller}
    by_buyer = doc_type in OWNED_BY_BUYER
    lines = root.xpath(line_path, namespaces=NS)
    if doc_type == "Payment":
        # the paid document: the invoice it names, else its document reference, else the line
        items = [text(ln, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
                 or text(ln, "cac:DocumentReference/cbc:ID") or text(ln, "cbc:ID")
                 for ln in lines]
    else:
        items = [item(ln, buyer_first=by_buyer) for ln in lines]
    context = AdapterContext(sender="BUYER" if by_buyer else "SELLER",
                             receiver="SELLER" if by_buyer else "BUYER", party_ids=parties,
                             items=ItemMap({c: f"N{i}" for i, c in enumerate(sorted(set(items)))}))
    [msg] = adapter_for("ubl-2.1").read(data, context)
    doc = from_element(msg.document)
    assert msg.purpose is purpose
    assert (doc.type, doc.number) == (doc_type, text(root, "cbc:ID"))
    assert doc.issue_date == dt.date.fromisoformat(text(root, "cbc:IssueDate"))
    assert doc.currency == text(root, "cbc:DocumentCurrencyCode")
    requested = next((v for p in ("cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
                                  "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate",
                                  "cac:Delivery/cbc:LatestDeliveryDate",
                                  "cac:Shipment/cac:Delivery/cac:RequestedDeliveryPeriod/"
                                  "cbc:EndDate",
                                  "cac:Delivery/cbc:ActualDeliveryDate",
                                  "cac:Shipment/cac:Delivery/cbc:ActualDeliveryDate")
                      if (v := text(root, p))), None)
    assert doc.requested_date == (dt.date.fromisoformat(requested) if requested else None)
    owner = "BUYER" if by_buyer else "SELLER"
    assert (doc.company, doc.partner) == (owner, "SELLER" if by_buyer else "BUYER")
    assert len(doc.lines) == len(lines) > 0
    # the documents it names: the order, despatch advice, receipt advice, invoice
    got_refs = {(r.type, r.number) for r in doc.references}
    for path, ref_type in (("cac:OrderReference/cbc:ID", "PurchaseOrder"),
                           ("cac:DespatchDocumentReference/cbc:ID", "Delivery"),
                           ("cac:ReceiptDocumentReference/cbc:ID", "Receiving"),
                           ("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                            "AccountPayable" if doc_type == "Payment" else "AccountReceivable")):
        if doc_type == "PurchaseOrder" and ref_type == "PurchaseOrder":
            continue   # an order change names the order it changes: itself
        for el in root.xpath(path, namespaces=NS):
            assert (ref_type, el.text.strip()) in got_refs
    for ln, el, code in zip(doc.lines, lines, items):
        assert ln.item == context.items.to_network[code]
        if doc_type == "Payment":
            amount = el.xpath("cbc:DebitLineAmount", namespaces=NS)[0]
            assert (ln.quantity, ln.unit) == (Decimal(amount.text), amount.get("currencyID"))
            continue
        q = el.xpath(f"cbc:{qty_name}", namespaces=NS)[0]
        assert (ln.quantity, ln.unit) == (Decimal(q.text), q.get("unitCode") or "C62")
        if price := text(el, "cac:Price/cbc:PriceAmount"):
            base = text(el, "cac:Price/cbc:BaseQuantity")
            assert ln.unit_price == Decimal(price) / Decimal(base or 1)
        if description := text(el, "cac:Item/cbc:Description"):
            assert ln.description == description
    check_parties_and_item_ids(root, msg, context, lines, items)


# The role each party element stands for (the root's own buyer and seller elements are the
# Buyer and the Seller).
ROLE = {"BuyerCustomerParty": "Buyer", "SellerSupplierParty": "Seller",
        "AccountingCustomerParty": "BillTo", "AccountingSupplierParty": "Seller",
        "DeliveryCustomerParty": "ShipTo", "DespatchSupplierParty": "ShipFrom",
        "RetailerCustomerParty": "Buyer", "PayeeParty": "Payee",
        "OriginatorCustomerParty": "Other"}
OWN = {"Invoice": {"AccountingCustomerParty": "Buyer"},
       "CreditNote": {"AccountingCustomerParty": "Buyer"},
       "RemittanceAdvice": {"AccountingCustomerParty": "Buyer"},
       "DespatchAdvice": {"DeliveryCustomerParty": "Buyer", "DespatchSupplierParty": "Seller"},
       "ReceiptAdvice": {"DeliveryCustomerParty": "Buyer", "DespatchSupplierParty": "Seller"}}
ITEM_ID_PATHS = ("Buyers", "Sellers", "Manufacturers", "Standard", "Catalogue", "Additional")


def check_parties_and_item_ids(root, msg, context, lines, items) -> None:
    got = P.parties_of(msg.document)
    identity = set(context.party_ids.values())
    own = OWN.get(etree.QName(root).localname, {})
    for element, role in ROLE.items():
        for el in root.xpath(f"cac:{element}", namespaces=NS):
            party = el.find("cac:Party", NS)
            ids = [x.text.strip() for x in el.xpath(
                "cac:Party/cbc:EndpointID | cac:Party/cac:PartyIdentification/cbc:ID | "
                "cbc:CustomerAssignedAccountID | cbc:SupplierAssignedAccountID", namespaces=NS)]
            name = text(party, "cac:PartyName/cbc:Name") if party is not None else None
            city = (text(party, "cac:PostalAddress/cbc:CityName") or None) if party is not None \
                else None
            if not (set(ids) - identity or name or city):
                continue
            match = [p for p in got if p.role == own.get(element, role) and p.name == name
                     and p.address.city == city]
            assert match, (element, name, got)
            values = {v for _s, v in match[0].ids}
            assert set(ids) - identity <= values <= set(ids)
            if party is not None and (street := text(party, "cac:PostalAddress/cbc:StreetName")):
                assert match[0].address.street[0] == street
            if party is not None and (zone := text(party, "cac:PostalAddress/cbc:PostalZone")):
                assert match[0].address.postal_code == zone
            if party is not None and (country := text(
                    party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")):
                assert match[0].address.country == country
    # every id of every item: the one the CIA made the network item, the others as item ids
    for ln_ids, el, code in zip(P.item_ids_of(msg.document), lines, items):
        found = [x.text.strip() for k in ITEM_ID_PATHS
                 for x in el.xpath(f"cac:Item/cac:{k}ItemIdentification/cbc:ID", namespaces=NS)
                 if x.text and x.text.strip()]
        assert sorted([v for _s, v in ln_ids] + ([code] if code in found else [])) == \
            sorted(found)


def test_the_en16931_invoice_names_items_only_by_name_which_the_cia_must_map():
    data = (DIR / "Invoice__en16931__ubl-tc434-example3.xml").read_bytes()
    with pytest.raises(UnmappedCode, match="'Paper subscription'"):
        adapter_for("ubl-2.1").read(data, AdapterContext(sender="A", receiver="B"))


@pytest.mark.parametrize("name", LINELESS)
def test_lineless_response_and_cancellations_name_the_document_they_answer(name):
    data = (DIR / name).read_bytes()
    root = etree.fromstring(data)
    local = etree.QName(root).localname
    buyer, seller = party(root, BUYER), party(root, SELLER)
    context = AdapterContext(
        sender="SELLER" if local == "OrderResponseSimple" else "BUYER",
        receiver="BUYER" if local == "OrderResponseSimple" else "SELLER",
        party_ids={"BUYER": buyer, "SELLER": seller})
    [msg] = adapter_for("ubl-2.1").read(data, context)
    doc = from_element(msg.document)
    assert doc.lines == ()
    check_parties_and_item_ids(root, msg, context, [], [])
    assert {p.role for p in P.parties_of(msg.document)} == {"Buyer", "Seller"}
    assert doc.issue_date == dt.date.fromisoformat(text(root, "cbc:IssueDate"))
    own = text(root, "cbc:ID")
    if local == "FulfilmentCancellation":
        # it cancels the despatch advice it names; the order and receipt stay references
        assert (doc.type, doc.number) == ("Delivery",
                                          text(root, "cac:DespatchDocumentReference/cbc:ID"))
        assert (doc.company, doc.partner) == ("SELLER", "BUYER")
        assert {(r.type, r.number, r.company) for r in doc.references} == {
            ("PurchaseOrder", text(root, "cac:OrderReference/cbc:ID"), "BUYER"),
            ("Receiving", text(root, "cac:ReceiptDocumentReference/cbc:ID"), "BUYER")}
    else:
        assert (doc.type, doc.number) == ("PurchaseOrder", text(root, "cac:OrderReference/cbc:ID"))
        assert (doc.company, doc.partner) == ("BUYER", "SELLER")
    if local == "OrderResponseSimple":
        assert msg.purpose is Purpose.RESPONSE
        accepted = text(root, "cbc:AcceptedIndicator") == "true"
        assert msg.response is (Response.ACCEPTED if accepted else Response.REJECTED)
        assert msg.response_number == own
    else:
        assert msg.purpose is Purpose.CANCELLATION
        notes = [n.text for n in root.xpath("cbc:Note | cbc:CancellationNote", namespaces=NS)]
        assert doc.note == "\n".join(notes)
