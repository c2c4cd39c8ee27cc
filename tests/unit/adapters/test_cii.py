"""The Cross Industry Invoice adapter (cii-d16b): corpus, same content, round trip, faults.

Corpus files are checked against values this test reads out of each file by XPath,
not against the adapter's own output.  Parties are checked by giving the agreement
the ids the file names for the buyer and the seller; part codes by a CIA map built
from the item ids (or, where a line has none, the item names) the file names.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, ItemMap, Purpose
from adapters.registry import adapter_for
from smart_gateway.domain.errors import HostileXml, InvalidRequest, UnmappedCode, Unrepresentable
from smart_gateway.network.loader import ERP_KINDS
from fixtures.corpus import CORPUS

DIR = CORPUS / "cii"
EXAMPLE1 = DIR / "CrossIndustryInvoice__en16931__CII_example1.xml"
EXAMPLE3 = DIR / "CrossIndustryInvoice__en16931__CII_example3.xml"
NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
TX = "rsm:SupplyChainTradeTransaction/"
AGREEMENT = TX + "ram:ApplicableHeaderTradeAgreement/"
LINE = TX + "ram:IncludedSupplyChainTradeLineItem"
HEADER_TOTAL = (TX + "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeader"
                "MonetarySummation/ram:LineTotalAmount")


def cii():
    return adapter_for("cii-d16b")


def xp(el, path: str) -> list:
    return el.xpath(path, namespaces=NS)


def text(el, path: str) -> str | None:
    found = xp(el, path)
    return found[0].text.strip() if found and found[0].text else None


def date102(el, path: str) -> dt.date:
    [s] = xp(el, path + "/udt:DateTimeString")
    assert s.get("format") == "102"
    return dt.datetime.strptime(s.text.strip(), "%Y%m%d").date()


def line_item(ln) -> str:
    return text(ln, "ram:SpecifiedTradeProduct/ram:SellerAssignedID") or \
        text(ln, "ram:SpecifiedTradeProduct/ram:Name")


def corpus_context(root) -> AdapterContext:
    """The seller sends; the agreement knows the ids the file gives the two parties and
    maps every item the file names."""
    ids = {}
    for company, element in (("BUYER", "BuyerTradeParty"), ("SELLER", "SellerTradeParty")):
        if found := text(root, f"{AGREEMENT}ram:{element}/ram:ID") or \
                text(root, f"{AGREEMENT}ram:{element}/ram:GlobalID"):
            ids[company] = found
    items = sorted({line_item(ln) for ln in xp(root, LINE)})
    return AdapterContext(sender="SELLER", receiver="BUYER", party_ids=ids,
                          items=ItemMap({code: f"N{i}" for i, code in enumerate(items)}))


def without_credited_line(data: bytes) -> bytes:
    """Example 1 less its line 20 (see test_example1_is_refused_for_its_credited_return_line),
    the header LineTotalAmount less that line's -109.98, as the file would be without it."""
    root = etree.fromstring(data)
    [credited] = xp(root, LINE + "[ram:AssociatedDocumentLineDocument/ram:LineID='20']")
    amount = Decimal(text(credited, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlement"
                                    "LineMonetarySummation/ram:LineTotalAmount"))
    credited.getparent().remove(credited)
    [total] = xp(root, HEADER_TOTAL)
    total.text = str(Decimal(total.text) - amount)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def check_against_file(data: bytes) -> None:
    root = etree.fromstring(data)
    context = corpus_context(root)
    [msg] = cii().read(data, context)
    doc = cd.from_element(msg.document)
    head = "rsm:ExchangedDocument/"
    assert msg.purpose is Purpose.ORIGINAL and text(root, head + "ram:TypeCode") == "380"
    assert (doc.type, doc.number) == ("AccountReceivable", text(root, head + "ram:ID"))
    assert doc.issue_date == date102(root, head + "ram:IssueDateTime")
    assert doc.currency == text(root, TX + "ram:ApplicableHeaderTradeSettlement/"
                                           "ram:InvoiceCurrencyCode")
    assert doc.note == "\n".join(c.text for c in xp(root, head + "ram:IncludedNote/ram:Content"))
    assert (doc.company, doc.partner) == ("SELLER", "BUYER")
    lines = xp(root, LINE)
    assert len(doc.lines) == len(lines) > 0
    for got, ln in zip(doc.lines, lines):
        assert got.number == int(text(ln, "ram:AssociatedDocumentLineDocument/ram:LineID"))
        assert got.item == context.items.to_network[line_item(ln)]
        [q] = xp(ln, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
        assert (got.quantity, got.unit) == (Decimal(q.text), q.get("unitCode"))
        price = Decimal(text(ln, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
                                 "ram:ChargeAmount"))
        basis = text(ln, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
                         "ram:BasisQuantity")
        assert got.unit_price == price / Decimal(basis or 1)
        desc = xp(ln, "ram:SpecifiedTradeProduct/ram:Description") or \
            xp(ln, "ram:SpecifiedTradeProduct/ram:Name")
        assert got.description == desc[0].text          # as written, blanks and all
        assert got.item_ids == ()      # the files name one id a product at most
    identity = set(context.party_ids.values())
    got_parties = {p.role: p for p in doc.parties}
    for role, element in (("Seller", "SellerTradeParty"), ("Buyer", "BuyerTradeParty")):
        [el] = xp(root, AGREEMENT + "ram:" + element)
        party = got_parties[role]
        assert party.name == text(el, "ram:Name")
        assert party.address == cd.Address(
            street=(text(el, "ram:PostalTradeAddress/ram:LineOne"),),
            city=text(el, "ram:PostalTradeAddress/ram:CityName"),
            postal_code=text(el, "ram:PostalTradeAddress/ram:PostcodeCode"),
            country=text(el, "ram:PostalTradeAddress/ram:CountryID"))
        ids = [i.text.strip() for i in xp(el, "ram:ID | ram:GlobalID")]
        # a schemeless ram:ID that names the company is the company, not a party id
        schemeless = [i.text.strip() for i in xp(el, "ram:ID[not(@schemeID)]")]
        expected = [i for i in ids if not (i in identity and i in schemeless)]
        assert [v for _s, v in party.ids] == expected
    refs = {(r.type, r.number) for r in doc.references}
    for order in xp(root, AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"):
        assert ("PurchaseOrder", order.text.strip()) in refs


def test_example3_reads_its_line_dates_parties_and_price():
    check_against_file(EXAMPLE3.read_bytes())
    root = etree.fromstring(EXAMPLE3.read_bytes())
    [msg] = cii().read(EXAMPLE3.read_bytes(), corpus_context(root))
    buyer = next(p for p in cd.from_element(msg.document).parties if p.role == "Buyer")
    [gid] = xp(root, AGREEMENT + "ram:BuyerTradeParty/ram:GlobalID")
    assert gid.get("schemeID") == "0088" and buyer.ids == (("GLN", gid.text),)


def test_example1_without_its_credited_line_reads_every_other_line_party_and_price():
    data = without_credited_line(EXAMPLE1.read_bytes())
    check_against_file(data)
    assert len(xp(etree.fromstring(data), LINE)) == 19


def test_example1_is_refused_for_its_credited_return_line():
    """Line 20 ("FRITUUR VET 10 KG RETOUR") bills 6 at a net price of 18.33 and states a
    line amount of -109.98, and the header total counts it as a credit.  A canonical line
    is a positive quantity at a non-negative price, so it would bill 109.98: refused."""
    root = etree.fromstring(EXAMPLE1.read_bytes())
    [ln] = xp(root, LINE + "[ram:AssociatedDocumentLineDocument/ram:LineID='20']")
    assert text(ln, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity") == "6"
    assert text(ln, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetary"
                    "Summation/ram:LineTotalAmount") == "-109.98"
    with pytest.raises(InvalidRequest, match=r"line 20 \(XML line \d+\): LineTotalAmount -109.98 "
                                             r"is not BilledQuantity 6 x net price 18.33"):
        cii().read(EXAMPLE1.read_bytes(), corpus_context(root))


def test_invoice_tosl108_reads_alike_in_cii_ubl_and_edifact_xml():
    """README same-content set.  CII agrees with UBL and with EDIFACT XML on number, company,
    partner, issue date, currency, note, and what its lines hold: item, description and
    unit price.  The lines themselves are EDIFACT's (one line of 1 C62) and compared whole;
    the published UBL sample has two lines of 2 EA, so with UBL they are compared on what
    they hold, as sets.  The seller's and buyer's addresses are the same in all three."""
    context = AdapterContext(sender="SELLER", receiver="BUYER",
                             party_ids={"BUYER": "5790000435975"},
                             items=ItemMap({"Paper subscription": "N-1"}))
    [c] = cii().read(EXAMPLE3.read_bytes(), context)
    [u] = adapter_for("ubl-2.1").read(
        (CORPUS / "ubl" / "Invoice__en16931__ubl-tc434-example3.xml").read_bytes(), context)
    [e] = adapter_for("edifact-d96a").read(
        (CORPUS / "edifact" / "INVOIC__en16931__EDIFACT_EXAMPLE3.xml").read_bytes(), context)
    dc, du, de = (cd.from_element(m.document) for m in (c, u, e))
    same = ("type", "number", "company", "partner", "issue_date", "currency", "note")
    assert [getattr(dc, f) for f in same] == [getattr(du, f) for f in same] == \
        [getattr(de, f) for f in same]
    assert (dc.number, dc.company, dc.partner, dc.currency) == \
        ("TOSL108", "SELLER", "BUYER", "DKK")

    def held(doc):
        return {(ln.item, ln.description, ln.unit_price) for ln in doc.lines}
    assert held(dc) == held(du) == held(de) == {("N-1", "Subscription fee 1st quarter",
                                                 Decimal(800))}
    assert dc.lines == de.lines
    assert [(ln.quantity, ln.unit) for ln in du.lines] == [(Decimal(2), "EA")] * 2

    def addresses(doc):
        return {p.role: p.address for p in doc.parties if p.role in ("Buyer", "Seller")}
    assert addresses(dc) == addresses(du) == addresses(de)


# ------------------------------------------------------------------ round trip

def written(kit, doc, purpose):
    sent = kit.canonical(doc, purpose)
    data = cii().write([sent], kit.context())
    [got] = cii().read(data, kit.context())
    return sent, data, got


@pytest.mark.parametrize("purpose", [Purpose.ORIGINAL, Purpose.CANCELLATION])
def test_an_invoice_in_three_scripts_and_its_cancellation_round_trip(kit, purpose):
    doc = kit.sample("AccountReceivable")
    sent, data, got = written(kit, doc, purpose)
    kit.assert_same(sent, got)
    for script in (kit.KOREAN, kit.THAI, kit.CHINESE):
        assert script.encode("utf-8") in data         # as text, not as character references
    # the written file is consistent: its type code, its lines, their amounts and the total
    root = etree.fromstring(data)
    assert text(root, "rsm:ExchangedDocument/ram:TypeCode") == \
        {Purpose.ORIGINAL: "380", Purpose.CANCELLATION: "381"}[purpose]
    amounts = []
    for ln, el in zip(doc.lines, xp(root, LINE), strict=True):
        stated = Decimal(text(el, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlement"
                                  "LineMonetarySummation/ram:LineTotalAmount"))
        assert stated == ln.quantity * (ln.unit_price or 0)
        amounts.append(stated)
    assert Decimal(text(root, HEADER_TOTAL)) == sum(amounts)
    # the order reference in CII's own element too, where the buyer's ERP matches on it
    assert text(root, AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == \
        "PO 4711"


@pytest.mark.parametrize("doc_type", ["AccountReceivable", "AccountPayable"])
def test_parties_and_item_ids_round_trip_in_their_own_elements(kit, doc_type):
    doc = kit.with_parties(kit.sample(doc_type))
    ids = (("GTIN", "4012345000017"), ("Manufacturer", "M-1"), ("Catalogue", "C-9"))
    doc = dataclasses.replace(
        doc, references=doc.references if doc_type == "AccountReceivable" else (),
        lines=tuple(dataclasses.replace(ln, item_ids=ids) for ln in doc.lines))
    sent, data, got = written(kit, doc, Purpose.ORIGINAL)
    kit.assert_same(sent, got)
    root = etree.fromstring(data)
    assert text(root, TX + "ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/"
                       "ram:GlobalID[@schemeID='0088']") == "4012345000009"
    assert text(root, TX + "ram:ApplicableHeaderTradeSettlement/ram:InvoiceeTradeParty/"
                       "ram:ID[@schemeID='LIFNR']") == "V-77"
    assert text(root, LINE + "/ram:SpecifiedTradeProduct/ram:GlobalID[@schemeID='0160']") == \
        "4012345000017"


def test_a_minimal_invoice_gains_only_its_partner(kit):
    sent, _data, got = written(kit, kit.minimal("AccountReceivable"), Purpose.ORIGINAL)
    assert cd.differences(sent.document, got.document) == ["partner: None != 'MOTHER'"]


@pytest.mark.parametrize("doc_type", ["PurchaseOrder", "SalesOrder", "Delivery", "Receiving",
                                      "Payment", "Receipt", "Return", "ReturnReceiving"])
def test_a_document_cii_cannot_carry_is_refused(kit, doc_type):
    with pytest.raises(InvalidRequest,
                       match=f"carries invoices only .* no document for a {doc_type}"):
        cii().write([kit.canonical(kit.sample(doc_type))], kit.context())


@pytest.mark.parametrize("purpose", [Purpose.CHANGE, Purpose.RESPONSE])
def test_an_invoice_change_or_response_is_refused(kit, purpose):
    with pytest.raises(Unrepresentable, match=f"no {purpose.value} of an invoice"):
        cii().write([kit.canonical(kit.sample("AccountReceivable"), purpose)], kit.context())


def test_what_a_cii_party_or_product_has_no_room_for_is_refused(kit):
    doc = kit.sample("AccountReceivable")
    other = dataclasses.replace(doc, parties=(cd.Party("Other", name="Forwarder"),))
    two_gtins = dataclasses.replace(doc, lines=(dataclasses.replace(
        doc.lines[0], item_ids=(("GTIN", "4012345000017"), ("GTIN", "4012345000024"))),))
    for bad, match in ((other, "no party element for the role 'Other'"),
                       (two_gtins, "line 10: a CII product has one GlobalID")):
        with pytest.raises(Unrepresentable, match=match):
            cii().write([kit.canonical(bad)], kit.context())


def test_the_kind_is_registered_and_accepted_in_the_network_file():
    assert (cii().kind, cii().media_type, cii().file_suffix) == \
        ("cii-d16b", "application/xml", ".xml")
    assert "cii-d16b" in ERP_KINDS


# ------------------------------------------------------------------ malformed

GOOD = EXAMPLE3.read_text("utf-8")
CTX = AdapterContext(sender="SELLER", receiver="BUYER", party_ids={"BUYER": "5790000435975"},
                     items=ItemMap({"Paper subscription": "N-1"}))


def read(content: str, context: AdapterContext = CTX):
    return cii().read(content.encode("utf-8"), context)


def test_the_good_document_reads_and_a_credit_note_is_its_cancellation():
    assert read(GOOD)[0].purpose is Purpose.ORIGINAL
    [msg] = read(GOOD.replace("<ram:TypeCode>380</ram:TypeCode>",
                              "<ram:TypeCode>381</ram:TypeCode>"))
    assert msg.purpose is Purpose.CANCELLATION
    assert cd.differences(read(GOOD)[0].document, msg.document) == []


def test_a_line_without_quantity_is_refused_naming_the_line():
    with pytest.raises(InvalidRequest, match=r"'TOSL108' line 1 \(XML line \d+\): the line has no "
                                             r"BilledQuantity"):
        read(GOOD.replace('<ram:BilledQuantity unitCode="C62">1</ram:BilledQuantity>', ""))


def test_a_price_that_is_no_number_is_refused_naming_the_line():
    with pytest.raises(InvalidRequest, match=r"line 1 \(XML line \d+\) ChargeAmount: '8OO' is not "
                                             r"a number"):
        read(GOOD.replace("<ram:ChargeAmount>800</ram:ChargeAmount>",
                          "<ram:ChargeAmount>8OO</ram:ChargeAmount>"))


@pytest.mark.parametrize("amount", ["1E+999999", "1E+30"])
def test_a_price_beyond_any_canonical_amount_is_refused_before_arithmetic(amount):
    # 1E+999999 times a quantity overflowed the decimal context (Server.Internal)
    with pytest.raises(InvalidRequest, match=r"ChargeAmount: '1E\+\d+' is too large"):
        read(GOOD.replace("<ram:ChargeAmount>800</ram:ChargeAmount>",
                          f"<ram:ChargeAmount>{amount}</ram:ChargeAmount>"))


def test_an_unmapped_part_code_is_refused_naming_the_line():
    with pytest.raises(UnmappedCode, match=r"line 1 \(XML line \d+\): part code 'Paper "
                                           r"subscription' has no network item"):
        read(GOOD, dataclasses.replace(CTX, items=ItemMap({"Something else": "N-9"})))
    # an item named only by its name is not taken for a part code without the agreement's map
    with pytest.raises(UnmappedCode, match=r"line 1 .*only as 'Paper subscription'"):
        read(GOOD, dataclasses.replace(CTX, items=ItemMap()))


@pytest.mark.parametrize("hostile", [
    '<!DOCTYPE rsm:CrossIndustryInvoice [<!ENTITY x "boom">]>',
    '<!DOCTYPE rsm:CrossIndustryInvoice SYSTEM "http://example.invalid/cii.dtd">'])
def test_a_dtd_or_entity_is_refused_before_parsing(hostile):
    head, rest = GOOD.split("?>", 1)
    with pytest.raises(HostileXml):
        read(head + "?>" + hostile + rest)


@pytest.mark.parametrize("change,error,match", [
    (("<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>384</ram:TypeCode>"), InvalidRequest,
     "TypeCode '384' is not an invoice type"),
    (('<udt:DateTimeString format="102">20130410<', '<udt:DateTimeString format="102">2013041<'),
     InvalidRequest, "IssueDateTime .*does not have the 8 digits"),
    (('unitCode="C62">1<', 'unitCode="C62">-1<'), InvalidRequest, "quantity '-1' must be greater"),
    (("<ram:LineTotalAmount>800</ram:LineTotalAmount>\n                </ram:SpecifiedTrade"
      "SettlementLineMonetarySummation>", "<ram:LineTotalAmount>80</ram:LineTotalAmount>\n"
      "                </ram:SpecifiedTradeSettlementLineMonetarySummation>"),
     InvalidRequest, "line 1 .*LineTotalAmount 80 is not BilledQuantity 1 x net price 800"),
    (("<ram:LineTotalAmount>800</ram:LineTotalAmount>\n                <ram:ChargeTotal",
      "<ram:LineTotalAmount>900</ram:LineTotalAmount>\n                <ram:ChargeTotal"),
     InvalidRequest, "header LineTotalAmount 900 is not the sum 800"),
    (("</ram:ChargeAmount>", '</ram:ChargeAmount><ram:BasisQuantity unitCode="KGM">1'
                             '</ram:BasisQuantity>'),
     InvalidRequest, "per 1 KGM, the quantity in C62"),
])
def test_a_broken_document_is_refused_naming_where(change, error, match):
    assert change[0] in GOOD
    with pytest.raises(error, match=match):
        read(GOOD.replace(*change))


def test_a_price_per_basis_quantity_is_a_unit_price():
    bad = GOOD.replace("<ram:ChargeAmount>800</ram:ChargeAmount>",
                       '<ram:ChargeAmount>80000</ram:ChargeAmount>'
                       '<ram:BasisQuantity unitCode="C62">100</ram:BasisQuantity>')
    [msg] = read(bad)
    assert cd.from_element(msg.document).lines[0].unit_price == Decimal(800)


def test_another_root_is_refused():
    with pytest.raises(InvalidRequest, match="is not a CII CrossIndustryInvoice"):
        read('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
