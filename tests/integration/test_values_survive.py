"""Decimals, dates and text in any script reach the partner, the TDIN and the trace unchanged."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from fixtures.gw_network import mid, party
from smart_gateway.persistence.tables import instance, instance_line

TEXTS = [
    "메인보드 조립품, 무연 납땜",                 # Korean
    "แผงวงจรหลัก ชุดประกอบ",                     # Thai
    "主板组件（无铅焊接）",                       # Chinese
    "𠜎𠜱𠝹 beyond the BMP",                        # 4-byte UTF-8
    "  spaces kept, & < > \" ' escaped  ",       # XML specials and edge blanks
]
QUANTITIES = [Decimal("0.000001"), Decimal("999999999999.999999"), Decimal("12.5"),
              Decimal("100"), Decimal("3.141592")]
PRICES = [Decimal("1234567.891234"), Decimal("0"), Decimal("0.01"), Decimal("38.50"),
          Decimal("999999999999.999999")]


def test_values_survive_the_gateway_both_ways(gw, engine):
    mother, t1a = party(gw, "MOTHER"), party(gw, "T1A")
    lines = [{"lineNumber": i + 1, "item": f"ITEM-{i + 1}", "description": text,
              "quantity": qty, "unit": "EA", "unitPrice": price,
              "requestedDate": dt.date(2027, 2, 28) + dt.timedelta(days=i)}
             for i, (text, qty, price) in enumerate(zip(TEXTS, QUANTITIES, PRICES))]
    document = {"type": "PurchaseOrder", "number": "PO-주문-001", "company": "MOTHER",
                "partner": "T1A", "issueDate": dt.date(2026, 12, 31),
                "requestedDate": dt.date(2027, 3, 31), "currency": "KRW",
                "note": "납기 엄수 / ส่งตรงเวลา / 按时交货", "line": lines}
    mother.service.SubmitTransaction(messageId=mid(), document=document)

    # the partner receives exactly what was sent
    (message,) = t1a.service.FetchInbox(maxMessages=5).message
    got = message.document
    assert (got.number, got.note, got.currency) == (document["number"], document["note"], "KRW")
    assert (got.issueDate, got.requestedDate) == (document["issueDate"], document["requestedDate"])
    for sent, line in zip(lines, got.line):
        assert line.description == sent["description"]
        assert line.quantity == sent["quantity"]
        assert line.unitPrice == sent["unitPrice"]
        assert line.requestedDate == sent["requestedDate"]

    # and so does the TDIN, exactly (quantities are integers of millionths)
    with engine.connect() as conn:
        row = conn.execute(select(instance).where(instance.c.number == "PO-주문-001")).mappings().one()
        stored = conn.execute(select(instance_line).where(instance_line.c.instance_id == row["id"])
                              .order_by(instance_line.c.line_no)).mappings().all()
    assert row["note"] == document["note"]
    assert row["quantity"] == sum(QUANTITIES)
    assert [(s["description"], s["quantity"], s["unit_price"]) for s in stored] == \
        list(zip(TEXTS, QUANTITIES, PRICES))

    # the trace reports the exact total
    (node,) = [n for n in party(gw, None).service.GetTrace(company="MOTHER", number="PO-주문-001").node]
    assert node.quantity == sum(QUANTITIES)


def test_a_document_too_large_to_total_exactly_is_refused_and_writes_nothing(gw, engine):
    from fixtures.gw_network import rows, zeep_fault
    before = rows(engine)
    huge = [{"lineNumber": i + 1, "item": f"ITEM-{i}", "quantity": Decimal("999999999999"),
             "unit": "EA"} for i in range(10)]
    mother = party(gw, "MOTHER")
    fault = zeep_fault(mother, "InvalidRequest", mother.service.SubmitTransaction,
                       messageId=mid(), document={
                           "type": "PurchaseOrder", "number": "PO-HUGE", "company": "MOTHER",
                           "partner": "T1A", "issueDate": dt.date(2026, 12, 31), "line": huge})
    assert "split it" in fault.message
    assert rows(engine) == before


def test_parties_and_item_identifiers_travel_with_the_document(gw):
    mother, t1a = party(gw, "MOTHER"), party(gw, "T1A")
    ship_to = {"role": "ShipTo", "id": [{"scheme": "GLN", "value": "8801234000017"}],
               "name": "한빛전자 구미 공장", "address": {
                   "street": ["공단동 123", "Gate 4"], "city": "구미시", "postalCode": "39376",
                   "country": "KR"}}
    document = {"type": "PurchaseOrder", "number": "PO-P-1", "company": "MOTHER",
                "partner": "T1A", "issueDate": dt.date(2026, 12, 31),
                "party": [{"role": "Buyer", "id": [{"scheme": "DUNS", "value": "123456789"}]},
                          ship_to],
                "line": [{"lineNumber": 1, "item": "MAINBOARD", "quantity": Decimal(5),
                          "unit": "EA", "itemId": [{"scheme": "GTIN", "value": "08801234567893"},
                                                   {"scheme": "Seller", "value": "SPA-MB-7720"}]}]}
    mother.service.SubmitTransaction(messageId=mid(), document=document)
    (message,) = t1a.service.FetchInbox(maxMessages=5).message
    got = message.document
    assert [p.role for p in got.party] == ["Buyer", "ShipTo"]
    shipped = got.party[1]
    assert (shipped.name, shipped.address.city, shipped.address.street) == (
        "한빛전자 구미 공장", "구미시", ["공단동 123", "Gate 4"])
    assert [(i.scheme, i.value) for i in shipped.id] == [("GLN", "8801234000017")]
    assert [(i.scheme, i.value) for i in got.line[0].itemId] == [
        ("GTIN", "08801234567893"), ("Seller", "SPA-MB-7720")]
