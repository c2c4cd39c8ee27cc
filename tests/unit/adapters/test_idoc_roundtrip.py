"""IDoc, XML and flat: canonical -> IDoc -> canonical loses nothing, for every type and purpose."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from lxml import etree

from adapters.base import Purpose, TextRule
from adapters.canonical_doc import DOC_TYPES, from_element
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest, Unrepresentable

ORDER_FAMILY = ("PurchaseOrder", "SalesOrder", "Return", "ReturnReceiving")
CASES = [(t, p) for t in DOC_TYPES
         for p in (Purpose.ORIGINAL, Purpose.CHANGE, Purpose.CANCELLATION)]
CASES += [(t, Purpose.RESPONSE) for t in ORDER_FAMILY]


@pytest.mark.parametrize("kind,charset", [("sap-idoc", None), ("sap-idoc-flat", "utf-8")])
@pytest.mark.parametrize("doc_type,purpose", CASES)
def test_round_trip_is_lossless(kit, kind, charset, doc_type, purpose):
    adapter = adapter_for(kind)
    sent = kit.canonical(kit.sample(doc_type), purpose)
    native = adapter.write([sent], kit.context(charset))
    [got] = adapter.read(native, kit.context(charset))
    kit.assert_same(sent, got)


def test_several_documents_in_one_file_come_back_in_order(kit):
    adapter = adapter_for("sap-idoc-flat")
    sent = [kit.canonical(kit.sample(t, text=False))
            for t in ("PurchaseOrder", "Delivery", "Payment")]
    got = adapter.read(adapter.write(sent, kit.context()), kit.context())
    assert [from_element(g.document).type for g in got] == ["PurchaseOrder", "Delivery", "Payment"]
    for s, g in zip(sent, got):
        kit.assert_same(s, g)


def test_xml_idoc_carries_the_order_in_sap_segments(kit):
    native = adapter_for("sap-idoc").write([kit.canonical(kit.sample("PurchaseOrder"))],
                                           kit.context())
    root = etree.fromstring(native)
    assert root.tag == "ORDERS05"
    assert root.findtext("IDOC/EDI_DC40/MESTYP") == "ORDERS"
    assert root.findtext("IDOC/E1EDK01/BELNR") == "PU-2026/0042"
    # the partner's part codes, not the network's (CIA)
    assert [e.text for e in root.iterfind("IDOC/E1EDP01/E1EDP19/IDTNR")] == \
        ["IC-100", "PCB-4L", "DSP-61"]
    assert root.findtext("IDOC/E1EDKA1[PARVW='LF']/PARTN") == "0000088333"
    assert root.findtext("IDOC/E1EDP01/E1EDPT1/E1EDPT2/TDLINE") == kit.KOREAN


def test_latin1_flat_file_refuses_korean_by_default(kit):
    with pytest.raises(Unrepresentable, match="E1EDKT2-TDLINE.*U\\+B0A9"):
        adapter_for("sap-idoc-flat").write([kit.canonical(kit.sample("PurchaseOrder"))],
                                           kit.context())


def test_latin1_flat_file_transliterates_when_the_agreement_says_so(kit):
    ctx = kit.context("iso-8859-1", TextRule.TRANSLITERATE)
    adapter = adapter_for("sap-idoc-flat")
    # (a short note: code points make text longer, and the canonical note holds 512)
    doc = dataclasses.replace(kit.sample("PurchaseOrder"), note="Lieferung an Tor 4, Kühlung")
    native = adapter.write([kit.canonical(doc)], ctx)
    native.decode("latin-1")  # every byte is Latin-1
    [got] = adapter.read(native, ctx)
    # and says so: one note a transliterated value, in the context the caller passed
    assert any("E1EDPT2-TDLINE" in n and "동박" in n for n in ctx.notes)
    got_doc = from_element(got.document)
    assert got_doc.lines[0].description == "(U+B3D9)(U+BC15) (U+C801)(U+CE35)(U+D310) FR-4, 1.6mm"
    assert got_doc.note == "Lieferung an Tor 4, Kühlung"  # Latin-1 carries ü unchanged


def test_an_amount_too_long_for_its_field_is_refused_not_cut(kit):
    doc = kit.sample("PurchaseOrder", text=False)
    big = dataclasses.replace(doc.lines[0], unit_price=Decimal("9999999999.123456"))
    doc = dataclasses.replace(doc, lines=(big,))
    with pytest.raises(Unrepresentable, match="E1EDP01-VPREI"):
        adapter_for("sap-idoc").write([kit.canonical(doc)], kit.context())


def test_no_response_idoc_for_a_delivery(kit):
    with pytest.raises(InvalidRequest, match="ORDRSP"):
        adapter_for("sap-idoc").write([kit.canonical(kit.sample("Delivery"), Purpose.RESPONSE)],
                                      kit.context())


def test_flat_file_refuses_text_ending_in_a_blank_that_padding_would_swallow(kit):
    doc = dataclasses.replace(kit.sample("PurchaseOrder", text=False), note="Gate 4 ")
    with pytest.raises(Unrepresentable, match="E1EDKT2-TDLINE.*blank"):
        adapter_for("sap-idoc-flat").write([kit.canonical(doc)], kit.context())
    # the XML form keeps it
    [got] = adapter_for("sap-idoc").read(
        adapter_for("sap-idoc").write([kit.canonical(doc)], kit.context()), kit.context())
    assert from_element(got.document).note == "Gate 4 "


@pytest.mark.parametrize("kind", ["sap-idoc", "sap-idoc-flat"])
@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_a_minimal_document_comes_back_without_gaining_anything(kit, kind, doc_type):
    sent = kit.canonical(kit.minimal(doc_type))
    [got] = adapter_for(kind).read(adapter_for(kind).write([sent], kit.context()), kit.context())
    kit.assert_same(sent, got)


@pytest.mark.parametrize("kind,charset", [("sap-idoc", None), ("sap-idoc-flat", "utf-8")])
@pytest.mark.parametrize("doc_type,purpose", CASES)
def test_parties_and_item_ids_round_trip(kit, kind, charset, doc_type, purpose):
    adapter = adapter_for(kind)
    sent = kit.canonical(kit.with_parties(kit.sample(doc_type)), purpose)
    [got] = adapter.read(adapter.write([sent], kit.context(charset)), kit.context(charset))
    kit.assert_same(sent, got)
    assert len(from_element(got.document).parties) == 4


def test_xml_idoc_carries_parties_and_item_ids_in_sap_fields(kit):
    doc = kit.with_parties(kit.sample("PurchaseOrder"))
    root = etree.fromstring(adapter_for("sap-idoc").write([kit.canonical(doc)], kit.context()))
    idoc = root.find("IDOC")
    assert [k.findtext("PARVW") for k in idoc.iterfind("E1EDKA1")] == ["WE", "AG", "RE", "LF"]
    we = idoc.find("E1EDKA1[PARVW='WE']")
    assert [we.findtext(f) for f in ("PARTN", "ILNNR", "NAME1", "NAME2", "STRAS", "STRS2",
                                     "ORT01", "PSTLZ", "REGIO", "LAND1")] == \
        ["0000010260", "4012345000009", "Werk Süd", kit.KOREAN, "Industriestraße 12", "Tor 4",
         "서울", "04524", "11", "KR"]
    # the company's AG names it by its agreed id and carries the buyer's own details
    ag = idoc.find("E1EDKA1[PARVW='AG']")
    assert [ag.findtext(f) for f in ("PARTN", "ILNNR", "NAME1", "ORT01")] == \
        ["0000001000", "4012345000016", "Mother Electronics", "Busan"]
    assert idoc.find("E1EDKA1[PARVW='LF']").findtext("PARTN") == "0000088333"
    first = idoc.find("E1EDP01")
    assert [(e.findtext("QUALF"), e.findtext("IDTNR")) for e in first.iterfind("E1EDP19")] == \
        [("001", "IC-100"), ("002", "V-10"), ("003", "4012345000010")]


@pytest.mark.parametrize("change,match", [
    (lambda p: p[:1] + (dataclasses.replace(p[1], ids=(("DUNS", "123456789"),)),) + p[2:],
     "id scheme 'DUNS' has no E1EDKA1 field"),
    (lambda p: p + (dataclasses.replace(p[1], ids=()),), "a second Buyer party"),
    (lambda p: (dataclasses.replace(p[0], name="a\nb\nc\nd\ne"),) + p[1:], "a name of 5 lines"),
    (lambda p: (dataclasses.replace(p[0], ids=(("PARTN", "1"), ("PARTN", "2"))),) + p[1:],
     "a second PARTN id"),
])
def test_a_party_an_idoc_cannot_hold_is_refused_not_dropped(kit, change, match):
    doc = kit.with_parties(kit.sample("PurchaseOrder", text=False))
    doc = dataclasses.replace(doc, parties=change(doc.parties))
    with pytest.raises(Unrepresentable, match=match):
        adapter_for("sap-idoc").write([kit.canonical(doc)], kit.context())


@pytest.mark.parametrize("kind", ["sap-idoc", "sap-idoc-flat"])
@pytest.mark.parametrize("purpose", [Purpose.RESPONSE, Purpose.CANCELLATION, Purpose.CHANGE])
def test_a_lineless_response_or_cancellation_round_trips_a_change_is_refused(kit, kind, purpose):
    doc = dataclasses.replace(kit.with_parties(kit.sample("PurchaseOrder", text=False)),
                              lines=())
    sent = kit.canonical(doc, purpose)
    ctx = kit.context("utf-8")
    if purpose is Purpose.CHANGE:
        with pytest.raises(InvalidRequest, match="the Change has no lines"):
            adapter_for(kind).write([sent], ctx)
        return
    native = adapter_for(kind).write([sent], ctx)
    [got] = adapter_for(kind).read(native, ctx)
    kit.assert_same(sent, got)


def test_a_seller_party_without_a_partner_is_refused_not_read_as_the_partner(kit):
    doc = dataclasses.replace(kit.minimal("PurchaseOrder"),
                              parties=(kit.with_parties(kit.sample("PurchaseOrder")).parties[3],))
    with pytest.raises(Unrepresentable, match="would be read as the partner"):
        adapter_for("sap-idoc").write([kit.canonical(doc)], kit.context())
