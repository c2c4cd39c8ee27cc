"""cXML: round trips, every corpus file against its own XPath values, broken documents refused."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from adapters.base import AdapterContext, ItemMap, Purpose
from adapters.canonical_doc import DOC_TYPES, from_element
from adapters.registry import adapter_for
from smart_gateway.domain.errors import (HostileXml, InvalidRequest, MalformedXml, SchemaInvalid,
                                         UnmappedCode)
from fixtures.corpus import CORPUS

CXML = (CORPUS / "cxml")
SUPPORTED = [("PurchaseOrder", p) for p in Purpose] + \
    [("Delivery", p) for p in (Purpose.ORIGINAL, Purpose.CHANGE, Purpose.CANCELLATION)] + \
    [("AccountReceivable", p) for p in (Purpose.ORIGINAL, Purpose.CANCELLATION)] + \
    [("Payment", Purpose.ORIGINAL)]


@pytest.mark.parametrize("doc_type,purpose", SUPPORTED)
def test_round_trip_is_lossless(kit, doc_type, purpose):
    sent = kit.canonical(kit.sample(doc_type), purpose)
    native = adapter_for("cxml").write([sent], kit.context())
    assert native.startswith(b"<?xml") and b"<!DOCTYPE cXML SYSTEM" in native
    [got] = adapter_for("cxml").read(native, kit.context())
    kit.assert_same(sent, got)


WITH_REQUEST = ("PurchaseOrder", "Delivery", "AccountReceivable", "Payment")
NO_REQUEST = [t for t in DOC_TYPES if t not in WITH_REQUEST]


@pytest.mark.parametrize("doc_type", NO_REQUEST)
def test_types_cxml_has_no_request_for_are_refused_not_disguised(kit, doc_type):
    with pytest.raises(InvalidRequest, match=f"cXML has no request for a {doc_type}"):
        adapter_for("cxml").write([kit.canonical(kit.sample(doc_type))], kit.context())


def test_an_invoice_is_never_changed_in_cxml(kit):
    with pytest.raises(InvalidRequest, match="cancelled and sent anew"):
        adapter_for("cxml").write([kit.canonical(kit.sample("AccountReceivable"), Purpose.CHANGE)],
                                  kit.context())


def test_written_order_uses_the_partners_part_codes_and_states_its_total(kit):
    root = etree.fromstring(adapter_for("cxml").write(
        [kit.canonical(kit.sample("PurchaseOrder", text=False))], kit.context()))
    assert root.xpath("Request/OrderRequest/ItemOut/ItemID/SupplierPartID/text()") == \
        ["IC-100", "PCB-4L", "DSP-61"]
    assert root.findtext("Header/To/Credential/Identity") == "0000088333"
    # no total: line 30 has no price, so the sum would be a guess
    assert root.find("Request/OrderRequest/OrderRequestHeader/Total") is None


# ---------------------------------------------------------------- corpus
def _tree(path: Path) -> etree._Element:
    # the test's own reading: lxml without DTD loading, independent of the adapter
    return etree.fromstring(path.read_bytes(), etree.XMLParser(load_dtd=False, no_network=True,
                                                                resolve_entities=False))


def _ctx(root: etree._Element) -> AdapterContext:
    frm = root.findtext("Header/From/Credential/Identity").strip()
    to = root.findtext("Header/To/Credential/Identity").strip()
    return AdapterContext("BUYER", "SUPPLIER", party_ids={"BUYER": frm, "SUPPLIER": to})


ORDERS = sorted(CXML.glob("OrderRequest__*.xml"))


@pytest.mark.parametrize("path", ORDERS, ids=[p.name for p in ORDERS])
def test_corpus_order_request_against_its_xpath_values(path):
    root = _tree(path)
    head = root.find("Request/OrderRequest/OrderRequestHeader")
    [msg] = adapter_for("cxml").read(path.read_bytes(), _ctx(root))
    doc = from_element(msg.document)
    assert msg.purpose is Purpose.ORIGINAL and head.get("type") == "new"
    assert (doc.type, doc.number, doc.company, doc.partner) == \
        ("PurchaseOrder", head.get("orderID"), "BUYER", "SUPPLIER")
    assert doc.issue_date == dt.date.fromisoformat(head.get("orderDate")[:10])
    assert doc.currency == head.find("Total/Money").get("currency")
    items = root.findall("Request/OrderRequest/ItemOut")
    assert len(doc.lines) == len(items)
    for line, item in zip(doc.lines, items):
        assert line.number == int(item.get("lineNumber"))
        assert line.item == item.findtext("ItemID/SupplierPartID").strip()
        assert line.quantity == Decimal(item.get("quantity"))
        assert line.unit == item.findtext("ItemDetail/UnitOfMeasure")
        assert line.unit_price == Decimal(item.findtext("ItemDetail/UnitPrice/Money"))
        assert line.description == item.findtext("ItemDetail/Description")
        date = item.get("requestedDeliveryDate")
        assert line.requested_date == (dt.date.fromisoformat(date[:10]) if date else None)


def _address(el: etree._Element | None) -> tuple | None:
    """(name, streets, city, postal code, state, country) of a cXML Address, by XPath."""
    if el is None:
        return None
    country = el.xpath("PostalAddress/Country/@isoCountryCode")
    return (el.findtext("Name") or None, tuple(el.xpath("PostalAddress/Street/text()")),
            el.findtext("PostalAddress/City"), el.findtext("PostalAddress/PostalCode"),
            el.findtext("PostalAddress/State"), country[0] if country else None)


@pytest.mark.parametrize("path", ORDERS, ids=[p.name for p in ORDERS])
def test_corpus_order_request_parties_and_item_ids_against_xpath(path):
    root = _tree(path)
    head = root.find("Request/OrderRequest/OrderRequestHeader")
    [msg] = adapter_for("cxml").read(path.read_bytes(), _ctx(root))
    doc = from_element(msg.document)
    got = {p.role: p for p in doc.parties}
    for tag in ("ShipTo", "BillTo"):
        want = _address(head.find(f"{tag}/Address"))
        if want is None:
            assert tag not in got
            continue
        p = got[tag]
        assert (p.name, p.address.street, p.address.city, p.address.postal_code,
                p.address.region, p.address.country) == want
        address_id = head.find(f"{tag}/Address").get("addressID")
        assert p.ids == ((("addressID", address_id),) if address_id else ())
    # From and To have one credential each here: it names the company and the partner
    extra = root.xpath("count(Header/From/Credential) + count(Header/To/Credential)")
    assert extra == 2 and {"Buyer", "Seller"}.isdisjoint(got)
    for line, item in zip(doc.lines, root.findall("Request/OrderRequest/ItemOut")):
        want = [("Buyer", v) for v in item.xpath("ItemID/BuyerPartID/text()")] + \
            [(r.get("domain"), r.get("identifier")) for r in item.findall("ItemID/IdReference")] + \
            [("Manufacturer", v) for v in item.xpath("ItemDetail/ManufacturerPartID/text()")]
        assert list(line.item_ids) == want


def test_cxml_php_order_ships_to_sunnyvale_and_bills_solingen_as_read_by_eye():
    path = CXML / "OrderRequest__cxml-php__OrderRequest.xml"
    [msg] = adapter_for("cxml").read(path.read_bytes(), _ctx(_tree(path)))
    ship, bill = from_element(msg.document).parties
    assert (ship.role, ship.name, ship.address.street, ship.address.city, ship.address.region,
            ship.address.postal_code, ship.address.country) == \
        ("ShipTo", "Acme", ("123 Anystreet",), "Sunnyvale", "CA", "90489", "US")
    assert (bill.role, bill.name, bill.address.city, bill.address.country) == \
        ("BillTo", "Zinc GmbH", "Solingen", "DE")


@pytest.mark.parametrize("path", ORDERS, ids=[p.name for p in ORDERS])
def test_corpus_order_request_round_trips_with_its_parties(kit, path):
    ctx = _ctx(_tree(path))
    [msg] = adapter_for("cxml").read(path.read_bytes(), ctx)
    [back] = adapter_for("cxml").read(adapter_for("cxml").write([msg], ctx), ctx)
    kit.assert_same(msg, back)


@pytest.mark.parametrize("doc_type,purpose", SUPPORTED)
def test_parties_and_item_ids_round_trip(kit, doc_type, purpose):
    doc = kit.with_parties(kit.sample(doc_type))
    lines = tuple(ln.__class__(**{**ln.__dict__, "item_ids": ln.item_ids + (
        ("Buyer", f"B-{ln.number}"), ("Manufacturer", "MFR-9"))}) for ln in doc.lines)
    extra = kit.with_parties(kit.sample(doc_type)).parties[0].__class__(
        "Buyer" if doc.company == "MOTHER" else "Seller", (("DUNS", "123456789"),))
    doc = doc.__class__(**{**doc.__dict__, "lines": lines, "parties": doc.parties + (extra,)})
    sent = kit.canonical(doc, purpose)
    native = adapter_for("cxml").write([sent], kit.context())
    [got] = adapter_for("cxml").read(native, kit.context())
    kit.assert_same(sent, got)
    root = etree.fromstring(native)
    # the company's DUNS as a second credential of the side that sends
    side = "To" if purpose is Purpose.RESPONSE else "From"
    assert root.xpath(f"Header/{side}/Credential[@domain='DUNS']/Identity/text()") == \
        ["123456789"]
    if doc_type == "PurchaseOrder" and purpose is not Purpose.RESPONSE:
        head = root.find("Request/OrderRequest/OrderRequestHeader")
        assert head.findtext("ShipTo/Address/Name") is None   # ids beyond addressID: a Contact
        assert head.xpath("Contact/@role") == ["shipTo", "soldTo", "billTo", "supplierCorporate"]
        item = root.find("Request/OrderRequest/ItemOut")
        assert item.findtext("ItemID/BuyerPartID") == "B-10"
        assert item.findtext("ItemDetail/ManufacturerPartID") == "MFR-9"


STATUS_UPDATE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">
<cXML payloadID="1@s" timestamp="2026-11-23T09:00:00-08:00">
 <Header><From><Credential domain="NetworkId"><Identity>AN02</Identity></Credential></From>
  <To><Credential domain="NetworkId"><Identity>AN01</Identity></Credential></To>
  <Sender><Credential domain="NetworkId"><Identity>AN02</Identity>
   <SharedSecret>x</SharedSecret></Credential><UserAgent>u</UserAgent></Sender></Header>
 <Request><StatusUpdateRequest><DocumentReference payloadID="PO-7.Original@MOTHER"/>
  <Status code="%s" text="t" xml:lang="en">%s</Status>
  <DocumentStatus type="processing"><DocumentInfo documentID="PO-7" documentType="OrderRequest"
   documentDate="2026-11-20T10:00:00+01:00"/></DocumentStatus>
 </StatusUpdateRequest></Request></cXML>"""


@pytest.mark.parametrize("code,response", [("200", "Accepted"), ("406", "Rejected")])
def test_a_status_update_naming_its_order_is_a_lineless_response(code, response):
    ctx = AdapterContext("SUPPLIER", "BUYER", party_ids={"BUYER": "AN01", "SUPPLIER": "AN02"})
    [msg] = adapter_for("cxml").read(STATUS_UPDATE % (code.encode(), b"Forwarded"), ctx)
    doc = from_element(msg.document)
    assert (msg.purpose, msg.response.value, msg.response_number) == \
        (Purpose.RESPONSE, response, None)
    assert (doc.type, doc.number, doc.company, doc.partner, doc.issue_date, doc.lines,
            doc.note) == ("PurchaseOrder", "PO-7", "BUYER", "SUPPLIER", dt.date(2026, 11, 20),
                          (), "Forwarded")


def test_hand_computed_total_of_the_cxml_php_order():
    path = CXML / "OrderRequest__cxml-php__OrderRequest.xml"
    [msg] = adapter_for("cxml").read(path.read_bytes(), _ctx(_tree(path)))
    doc = from_element(msg.document)
    # 10 x 2.10 + 20 x 3.20 = 85.00 EUR, as the header's Total says
    assert [(ln.quantity, ln.unit_price) for ln in doc.lines] == \
        [(10, Decimal("2.10")), (20, Decimal("3.20"))]
    assert doc.requested_date is None and doc.lines[0].requested_date == dt.date(2020, 2, 28)


# Corpus files the gateway refuses, each for the reason stated: what it cannot
# map completely it does not forward.
REFUSED = {
    "ShipNoticeRequest__cxml-php__ShipNoticeRequest.xml": "S2-123 lists no items",
    "InvoiceDetailRequest__officeluv__invoice_backed_by_multiple_pos.xml":
        "InvoiceDetailItem[1]: line 1 names no item",
    "InvoiceDetailRequest__officeluv__invoice_taxes_at_line.xml":
        "InvoiceDetailItem[1]: line 1 names no item",
    "InvoiceDetailRequest__officeluv__invoice_taxes_at_line_multiple_taxes.xml":
        "'invoice_date' is not a cXML timestamp",
    "StatusUpdateRequest__cxml-php__StatusUpdateRequest.xml":
        "the status update names no order it answers",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_corpus_documents_without_lines_or_with_placeholders_are_refused_saying_why(name):
    path = CXML / name
    with pytest.raises(InvalidRequest) as err:
        adapter_for("cxml").read(path.read_bytes(), _ctx(_tree(path)))
    assert REFUSED[name] in str(err.value)


def test_every_corpus_file_is_either_checked_or_refused_for_a_stated_reason():
    assert {p.name for p in CXML.glob("*.xml")} == {p.name for p in ORDERS} | set(REFUSED)


# ---------------------------------------------------------------- malformed
ORDER = (CXML / "OrderRequest__cxml-php__OrderRequest.xml").read_bytes()


def test_an_order_without_its_header_is_refused():
    bad = ORDER.replace(b"OrderRequestHeader", b"OrderHeader")
    with pytest.raises(SchemaInvalid, match="OrderRequest: no OrderRequestHeader"):
        adapter_for("cxml").read(bad, AdapterContext("X", "Y"))


def test_an_unknown_sender_is_refused_naming_the_header():
    ctx = AdapterContext("X", "Y", party_ids={"MOTHER": "someone@else"})
    with pytest.raises(UnmappedCode, match="/cXML/Header/From: party 'inbound@prominate"):
        adapter_for("cxml").read(ORDER, ctx)


def test_an_unknown_part_code_is_refused_naming_the_line():
    ctx = AdapterContext("X", "Y", items=ItemMap({"1233244": "P-1"}))
    with pytest.raises(UnmappedCode, match=r"ItemOut\[2\]: line 2: part code '1233245'"):
        adapter_for("cxml").read(ORDER, ctx)


def test_a_missing_quantity_is_refused_naming_the_line():
    bad = ORDER.replace(b'quantity="20"', b"")
    with pytest.raises(InvalidRequest, match=r"ItemOut\[2\]: line 2 has no positive quantity"):
        adapter_for("cxml").read(bad, AdapterContext("X", "Y"))


def test_only_a_bare_cxml_doctype_is_tolerated():
    doctype = b'<!DOCTYPE cXML SYSTEM "http://xml.cXML.org/schemas/cXML/1.2.050/cXML.dtd">'
    hostile = ORDER.replace(doctype, b'<!DOCTYPE cXML [<!ENTITY x "y">]>')
    with pytest.raises(HostileXml):
        adapter_for("cxml").read(hostile, AdapterContext("X", "Y"))
    with pytest.raises(MalformedXml):
        adapter_for("cxml").read(ORDER[:-20], AdapterContext("X", "Y"))


def test_a_confirmation_comes_from_the_supplier(kit):
    response = kit.canonical(kit.sample("PurchaseOrder"), Purpose.RESPONSE)
    native = adapter_for("cxml").write([response], kit.context())
    root = etree.fromstring(native)
    assert root.findtext("Header/From/Credential/Identity") == "0000088333"   # T1A
    head = root.find("Request/ConfirmationRequest/ConfirmationHeader")
    assert head.get("confirmID") == "SO-99812"


def test_payload_id_is_stable_for_a_resent_message_and_new_for_a_change(kit):
    def payload(purpose):
        native = adapter_for("cxml").write([kit.canonical(kit.sample("PurchaseOrder"), purpose)],
                                           kit.context())
        return etree.fromstring(native).get("payloadID")
    assert payload(Purpose.ORIGINAL) == payload(Purpose.ORIGINAL)
    assert payload(Purpose.CHANGE) != payload(Purpose.ORIGINAL)


@pytest.mark.parametrize("doc_type", ["Delivery", "AccountReceivable"])
def test_a_document_without_references_gains_none(kit, doc_type):
    import dataclasses
    doc = dataclasses.replace(kit.sample(doc_type), references=())
    [got] = adapter_for("cxml").read(
        adapter_for("cxml").write([kit.canonical(doc)], kit.context()), kit.context())
    assert from_element(got.document).references == ()


@pytest.mark.parametrize("doc_type", WITH_REQUEST)
def test_a_minimal_document_comes_back_without_gaining_anything(kit, doc_type):
    sent = kit.canonical(kit.minimal(doc_type))
    [got] = adapter_for("cxml").read(adapter_for("cxml").write([sent], kit.context()),
                                     kit.context())
    kit.assert_same(sent, got)


def test_a_payment_is_a_remittance_paying_the_referenced_invoice(kit):
    import dataclasses
    doc = kit.sample("Payment", text=False)
    doc = dataclasses.replace(doc, references=(
        dataclasses.replace(doc.references[0], type="AccountPayable", number="AP-77"),))
    root = etree.fromstring(adapter_for("cxml").write([kit.canonical(doc)], kit.context()))
    req = root.find("Request/PaymentRemittanceRequest")
    assert req.find("PaymentRemittanceRequestHeader").get("paymentRemittanceID") == doc.number
    details = req.findall("RemittanceDetail")
    assert [d.find("PayableInfo/PayableInvoiceInfo/InvoiceIDInfo").get("invoiceID")
            for d in details] == ["AP-77"] * 3
    # 1250 x 0.012345 = 15.43125; 0.5 x 1999.99 = 999.995; line 30 has no price
    assert [d.findtext("NetAmount/Money") for d in details] == ["15.43125", "999.995", None]
    assert req.find("PaymentRemittanceSummary") is None   # no total when a line has no price


def test_a_remittance_is_never_changed(kit):
    with pytest.raises(InvalidRequest, match="remittance is sent once"):
        adapter_for("cxml").write([kit.canonical(kit.sample("Payment"), Purpose.CHANGE)],
                                  kit.context())


@pytest.mark.parametrize("response", ["Accepted", "Rejected"])
def test_a_lineless_response_travels_as_a_status_update_and_back(kit, response):
    from adapters.base import Canonical, Response
    from adapters import canonical_doc as cd
    doc = cd.Doc("PurchaseOrder", "PO-7", "MOTHER", dt.date(2026, 11, 20), (), partner="T1A",
                 note="Forwarded to production",
                 parties=(cd.Party("Seller", (("DUNS", "123456789"),)),))
    sent = Canonical(Purpose.RESPONSE, cd.checked(doc, "test", Purpose.RESPONSE),
                     Response(response))
    native = adapter_for("cxml").write([sent], kit.context())
    root = etree.fromstring(native)
    assert root.xpath("Request/StatusUpdateRequest/DocumentStatus/DocumentInfo/@documentID") == \
        ["PO-7"]
    assert root.xpath("Header/From/Credential/Identity/text()") == ["0000088333", "123456789"]
    [got] = adapter_for("cxml").read(native, kit.context())
    kit.assert_same(sent, got)


def test_a_lineless_changed_response_is_refused_not_sent_as_a_bare_status(kit):
    from adapters.base import Canonical, Response
    from adapters import canonical_doc as cd
    from smart_gateway.domain.errors import Unrepresentable
    doc = cd.Doc("PurchaseOrder", "PO-7", "MOTHER", dt.date(2026, 11, 20), (), partner="T1A")
    sent = Canonical(Purpose.RESPONSE, cd.to_element(doc), Response.CHANGED, "SO-1")
    with pytest.raises(Unrepresentable, match="needs its lines"):
        adapter_for("cxml").write([sent], kit.context())
