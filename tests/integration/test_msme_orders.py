"""Order quantities from purchase history, the order parallelizer placing real
purchase orders, and the custom-specific negotiator, over SOAP."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import insert, select

import zeep
from zeep.plugins import HistoryPlugin
from zeep.wsse.username import UsernameToken

from fixtures.gw_network import Party, RecordingTransport, doc, mid, party, rows, zeep_fault
from smart_gateway.persistence.tables import agreement, company, credential, instance, outbox

START = dt.date(2026, 1, 5)


def add_suppliers(engine):
    """NEAR and PARTNER supply MOTHER (agreements, 2 and 5 days); MOTHER once ordered from
    PARTNER, so PARTNER is the past partner (quality 1) the TDIN shows."""
    with engine.begin() as conn:
        conn.execute(insert(company), [
            {"code": c, "name": c, "tier": 1, "role": "supplier", "erp_kind": "csv",
             "transport": "pull", "endpoint": None} for c in ("NEAR", "PARTNER")])
        conn.execute(insert(agreement), [
            {"buyer": "MOTHER", "supplier": "NEAR", "lead_time_days": 2},
            {"buyer": "MOTHER", "supplier": "PARTNER", "lead_time_days": 5}])
        conn.execute(insert(credential), [
            {"username": c.lower(), "secret": f"{c}-secret", "company": c, "is_admin": False}
            for c in ("NEAR", "PARTNER")])


def supplier(gw, code) -> Party:
    transport, history = RecordingTransport(), HistoryPlugin()
    client = zeep.Client(gw.wsdl_url, transport=transport, plugins=[history],
                         wsse=UsernameToken(code.lower(), f"{code}-secret"))
    return Party(client, transport, history)


def order(p, number, partner, qty, issued, item="ITEM-1"):
    d = doc("PurchaseOrder", number, "MOTHER", partner, qty=qty)
    d["issueDate"] = issued
    d["line"][0]["item"] = item
    return p.service.SubmitTransaction(messageId=mid(), document=d)


def candidates():
    return [{"supplier": "NEAR", "distance": D(5), "unitPrice": D(12), "available": D(500)},
            {"supplier": "PARTNER", "distance": D(80), "unitPrice": D(11), "available": D(500)}]


@pytest.fixture
def network(gw, engine):
    add_suppliers(engine)
    mother = party(gw, "MOTHER")
    order(mother, "PO-OLD", "PARTNER", 1, dt.date(2025, 6, 1), item="OTHER")
    return mother


def test_order_quantity_from_the_purchase_history(network):
    mother = network
    # Jan 5: 10, Jan 6: 30 (two orders of 15), nothing Jan 7-8; another item and a day
    # outside the window do not count.
    order(mother, "PO-H1", "NEAR", 10, dt.date(2026, 1, 5))
    order(mother, "PO-H2", "NEAR", 15, dt.date(2026, 1, 6))
    order(mother, "PO-H3", "PARTNER", 15, dt.date(2026, 1, 6))
    order(mother, "PO-H4", "NEAR", 99, dt.date(2026, 1, 9))
    order(mother, "PO-H5", "NEAR", 99, dt.date(2026, 1, 6), item="OTHER")
    answer = mother.service.CalculateOrderQuantity(
        company="MOTHER", item="ITEM-1",
        history={"from": dt.date(2026, 1, 5), "to": dt.date(2026, 1, 8), "orderCost": D(100),
                 "holdingCost": D(6), "leadTimeDays": D(9), "serviceLevel": D("0.95")})
    # daily demand 10, 30, 0, 0: mean 10, sample sd sqrt(600 / 3) = 14.142136;
    # annual 3650; EOQ sqrt(2 x 3650 x 100 / 6) = 348.807492;
    # safety stock z(0.95) 1.644854 x 14.142136 x sqrt(9) = 69.78523; ROP 10 x 9 + that
    assert (answer.dailyDemand, answer.dailyDemandSpread, answer.historyDays) == (
        D(10), D("14.142136"), 4)
    assert (answer.annualDemand, answer.orderQuantity) == (D(3650), D("348.807492"))
    assert abs(answer.safetyStock - D("69.78523")) < D("0.00001")
    assert answer.reorderPoint == 90 + answer.safetyStock and answer.stored


def test_the_issue_s_order_quantity_example_without_storing(gw):
    answer = party(gw, "T2A").service.CalculateOrderQuantity(
        given={"annualDemand": D(1200), "orderCost": D(100), "holdingCost": D(6),
               "dailyDemand": D(10), "leadTimeDays": D(5), "safetyStock": D(20)})
    assert (answer.orderQuantity, answer.reorderPoint, answer.stored) == (D(200), D(70), False)


def test_a_small_warehouse_splits_the_order_into_just_in_time_purchase_orders(network, engine):
    mother = network
    # T 100, H 40: A = 60.  RQ 150 from the past partner (non-immediate), 10 used a day:
    # 60 on day 5 (its lead time), 60 six days later, 30 six days after that.
    message_id = "M-" + "x" * 62  # the longest: the orders' own ids stay distinct
    ask = dict(company="MOTHER", item="ITEM-9", unit="EA", capacity=D(100),
               held=D(40), requiredQuantity=D(150), immediate=False, dailyUsage=D(10),
               orderDate=START, candidate=candidates(), place=True, numberPrefix="PAR")
    plan = mother.service.ParallelizeOrder(messageId=message_id, **ask)
    assert plan.space == D(60)
    assert [(p.supplier, p.quantity, p.due, p.tradedBefore) for p in plan.part] == [
        ("PARTNER", D(60), dt.date(2026, 1, 10), True),
        ("PARTNER", D(60), dt.date(2026, 1, 16), True),
        ("PARTNER", D(30), dt.date(2026, 1, 22), True)]
    assert {p.order.number for p in plan.part} == {"PAR-1"}
    # One purchase order to PARTNER, a line per part, propagated like any other
    with engine.connect() as conn:
        po = conn.execute(select(instance).where(instance.c.number == "PAR-1")).mappings().one()
        queued = conn.execute(select(outbox.c.recipient).where(
            outbox.c.kind == "Propagation", outbox.c.recipient == "PARTNER")).all()
    assert (po["partner"], po["quantity"], po["requested_date"]) == (
        "PARTNER", D(150), dt.date(2026, 1, 22))
    assert len(queued) == 2  # PO-OLD and PAR-1
    tracked = mother.service.TrackOrder(company="MOTHER", parallelOrderId=plan.parallelOrderId)
    assert tracked.parallel and [(s.supplier, s.remaining, s.lastDeliveryDate)
                                 for s in tracked.supplier] == [
        ("PARTNER", D(150), dt.date(2026, 1, 22))]
    # the same request again (a lost response) places nothing more
    before = rows(engine)
    again = zeep_fault(mother, "Duplicate", mother.service.ParallelizeOrder,
                       messageId=message_id, **ask)
    assert f"parallel order {plan.parallelOrderId}" in again.message
    assert rows(engine) == before


def test_an_immediate_order_starts_with_the_nearest_then_the_past_partner(network):
    mother = network
    cands = candidates()
    cands[0]["available"] = D(40)   # NEAR has just the initial quantity and a bit
    plan = mother.service.ParallelizeOrder(
        messageId=mid(), company="MOTHER", item="ITEM-9", unit="EA", capacity=D(60), held=D(0),
        requiredQuantity=D(100), immediate=True, initialQuantity=D(30), dailyUsage=D(10),
        orderDate=START, candidate=cands, place=True, numberPrefix="IMM")
    # NEAR 40 today (arriving with its 2-day lead); PARTNER the other 60, due when the
    # 40 are used up: Jan 7 + 4 days = Jan 11 (its 5-day lead makes Jan 10: in time).
    assert [(p.supplier, p.quantity, p.due, p.arrival) for p in plan.part] == [
        ("NEAR", D(40), START, dt.date(2026, 1, 7)),
        ("PARTNER", D(60), dt.date(2026, 1, 11), dt.date(2026, 1, 11))]
    assert [p.order.number for p in plan.part] == ["IMM-1", "IMM-2"]


def test_without_urgency_the_past_partner_comes_first_within_the_limits(network):
    mother = network
    ask = dict(messageId=mid(), company="MOTHER", item="ITEM-9", unit="EA", capacity=D(100),
               held=D(0), requiredQuantity=D(80), immediate=False, orderDate=START,
               candidate=candidates(), place=False)
    assert [p.supplier for p in mother.service.ParallelizeOrder(**ask).part] == ["PARTNER"]
    limited = mother.service.ParallelizeOrder(**{**ask, "maxDistance": D(50)})
    assert [p.supplier for p in limited.part] == ["NEAR"]
    assert [(e.supplier, e.reason) for e in limited.excluded] == [
        ("PARTNER", "distance 80 > limit 50")]


def test_without_candidates_the_suppliers_offers_and_locations_are_used(network, gw, engine):
    mother = network
    # The warehouse at (0, 0); NEAR ships from 0.1 degree east (11.1 km), PARTNER from one
    # degree east (111.2 km); T2A offers too but is not MOTHER's supplier.
    for code, east, price in (("NEAR", "0.1", 12), ("PARTNER", "1", 11)):
        s = supplier(gw, code)
        assert s.service.ReportSupplierOffer(
            supplier=code, location={"latitude": D(0), "longitude": D(east)},
            offer=[{"item": "ITEM-9", "unitPrice": D(price), "available": D(500)}]) == 1
    party(gw, "T2A").service.ReportSupplierOffer(
        supplier="T2A", location={"latitude": D(0), "longitude": D(0)},
        offer=[{"item": "ITEM-9", "unitPrice": D(1), "available": D(500)}])
    ask = dict(messageId=mid(), company="MOTHER", item="ITEM-9", unit="EA", capacity=D(100),
               held=D(0), requiredQuantity=D(80), orderDate=START, place=False,
               location={"latitude": D(0), "longitude": D(0)})
    urgent = mother.service.ParallelizeOrder(immediate=True, **ask)
    assert [(p.supplier, p.distance) for p in urgent.part] == [("NEAR", D("11.1"))]
    later = mother.service.ParallelizeOrder(immediate=False, **ask)
    assert [(p.supplier, p.distance, p.tradedBefore) for p in later.part] == [
        ("PARTNER", D("111.2"), True)]
    before = rows(engine)
    zeep_fault(mother, "InvalidRequest", mother.service.ParallelizeOrder, immediate=True,
               **{**ask, "location": None})
    zeep_fault(mother, "Infeasible", mother.service.ParallelizeOrder, immediate=True,
               **{**ask, "item": "NOBODY-HAS-IT"})
    zeep_fault(mother, "SchemaInvalid", mother.service.ReportSupplierOffer, supplier="MOTHER",
               location={"latitude": D(91), "longitude": D(0)},
               offer=[{"item": "X", "unitPrice": D(1), "available": D(1)}])
    zeep_fault(mother, "Unauthorized", mother.service.ReportSupplierOffer, supplier="NEAR",
               location={"latitude": D(1), "longitude": D(0)},
               offer=[{"item": "X", "unitPrice": D(1), "available": D(1)}])
    assert rows(engine) == before


def test_parallelizer_faults_write_nothing(network, engine, gw):
    mother = network
    base = dict(company="MOTHER", item="ITEM-9", unit="EA", capacity=D(100), held=D(0),
                requiredQuantity=D(80), immediate=False, orderDate=START,
                candidate=candidates(), place=True, numberPrefix="BAD")
    ghost = [*candidates(), {"supplier": "GHOST", "distance": D(1), "unitPrice": D(1),
                             "available": D(9)}]
    cases = [
        (mother, "UnknownReference", {**base, "candidate": ghost}),
        (mother, "Infeasible", {**base, "held": D(100)}),                   # no space
        (mother, "Infeasible", {**base, "maxPrice": D(5)}),                 # nobody cheap enough
        (mother, "SchemaInvalid", {**base, "held": D(-1)}),
        (mother, "InvalidRequest", {**base, "numberPrefix": None}),
        (party(gw, "T1A"), "Unauthorized", base),                           # another company
    ]
    order(mother, "BAD-1", "NEAR", 1, START)  # placing would collide with this number
    before = rows(engine)
    for p, code, kwargs in cases + [(mother, "Duplicate", base)]:
        zeep_fault(p, code, p.service.ParallelizeOrder, messageId=mid(), **kwargs)
        assert rows(engine) == before, (code, kwargs)


def test_a_predefined_customization_is_agreed_and_carried_on_the_order(gw, engine):
    mother, t1a = party(gw, "MOTHER"), party(gw, "T1A")
    t1a.service.DefineCustomization(supplier="T1A", item="C1", code="RED",
                                    description="painted red", unitPrice=D(12), days=7)
    t1a.service.DefineCustomization(supplier="T1A", item="C1", code="GOLD",
                                    description="gold plated", unitPrice=D(40), days=20)
    n = mother.service.RequestCustomization(buyer="MOTHER", supplier="T1A", item="C1",
                                            quantity=D(50), description="something cheap",
                                            maxPrice=D(20))
    assert (n.state, n.customization, n.unitPrice, n.days) == ("Agreed", "RED", D(12), 7)
    placed = mother.service.PlaceNegotiatedOrder(messageId=mid(), negotiationId=n.id,
                                                 number="PO-RED", unit="EA",
                                                 issueDate=START)
    assert placed.order.number == "PO-RED"
    with engine.connect() as conn:
        po = conn.execute(select(instance).where(instance.c.number == "PO-RED")).mappings().one()
    assert "painted red" in po["note"] and po["requested_date"] == START + dt.timedelta(days=7)
    propagated = [m for m in t1a.service.FetchInbox(maxMessages=100).message
                  if m.kind == "Propagation"]
    line = propagated[-1].document.line[0]
    assert (line.unitPrice, "painted red" in line.description) == (D(12), True)


def test_a_negotiation_runs_until_agreed_and_then_says_nothing_more(gw, engine):
    mother, t1a, t2a = party(gw, "MOTHER"), party(gw, "T1A"), party(gw, "T2A")
    n = mother.service.RequestCustomization(buyer="MOTHER", supplier="T1A", item="C1",
                                            quantity=D(5), description="blue, with our logo"
                                            )
    assert n.state == "Open"
    zeep_fault(mother, "IllegalTransition", mother.service.Negotiate, negotiationId=n.id,
               action="Accept")  # nothing proposed yet
    t1a.service.Negotiate(negotiationId=n.id, action="Propose", unitPrice=D(30), days=14,
                          text="logo needs a new stencil")
    mother.service.Negotiate(negotiationId=n.id, action="Propose", unitPrice=D(25), days=14)
    done = t1a.service.Negotiate(negotiationId=n.id, action="Accept")
    assert (done.state, done.unitPrice, done.days) == ("Agreed", D(25), 14)
    assert [(m.sender, m.action) for m in done.message] == [
        ("MOTHER", "Request"), ("T1A", "Propose"), ("MOTHER", "Propose"), ("T1A", "Accept")]
    # each message reached the other side as a Negotiation notice
    topics = lambda p: [m.notice.text for m in p.service.FetchInbox(maxMessages=100).message
                        if m.kind == "Notice" and m.notice.topic == "Negotiation"]
    assert len(topics(t1a)) == 2 and len(topics(mother)) == 2
    before = rows(engine)
    zeep_fault(t1a, "IllegalTransition", t1a.service.Negotiate, negotiationId=n.id,
               action="Propose", unitPrice=D(1), days=1)
    zeep_fault(t2a, "NotFound", t2a.service.Negotiate, negotiationId=n.id, action="Refuse")
    zeep_fault(t1a, "Unauthorized", t1a.service.PlaceNegotiatedOrder, messageId=mid(),
               negotiationId=n.id, number="X-1", unit="EA")
    zeep_fault(mother, "UnknownReference", mother.service.RequestCustomization, buyer="MOTHER",
               supplier="T2A", item="C1", quantity=D(1), description="no agreement")
    zeep_fault(mother, "NotFound", mother.service.RequestCustomization, buyer="MOTHER",
               supplier="T1A", item="C1", quantity=D(1), description="x", customization="NONE")
    zeep_fault(t2a, "Unauthorized", lambda: t2a.service.DefineCustomization(
        supplier="T1A", item="C1", code="CHEAP", description="not T2A's to offer",
        unitPrice=D(1), days=1))
    zeep_fault(mother, "SchemaInvalid", mother.service.RequestCustomization, buyer="MOTHER",
               supplier="T1A", item="C1", quantity=D(-5), description="negative")
    zeep_fault(mother, "NotFound", mother.service.Negotiate, negotiationId="999",
               action="Refuse")
    assert rows(engine) == before
    refused = mother.service.RequestCustomization(buyer="MOTHER", supplier="T1A", item="C1",
                                                  quantity=D(5), description="green")
    assert t1a.service.Negotiate(negotiationId=refused.id,
                                 action="Refuse").state == "Refused"
