"""ISA, MSA, BEA/REA and DSA over SOAP: reports, explosions across companies,
and the available-to-promise date of a three-tier network worked out by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from sqlalchemy import insert, select

from fixtures.gw_network import chain, party, rows, zeep_fault
from smart_gateway.persistence.tables import agreement, outbox

START = dt.date(2026, 1, 5)


def three_tiers(gw):
    """MOTHER makes P from 2 C1 bought from T1A (2 days); T1A makes C1 from 1 R bought from
    T2A and 3 S made in-house (3 days), has 10 C1 in stock and 10 more in making for Jan 8;
    T2A has 100 R.  Agreements MOTHER->T1A and T1A->T2A: 10 days each."""
    chain(gw)  # T1A's sales order SO-1, for the work in progress
    mother, t1a, t2a = party(gw, "MOTHER"), party(gw, "T1A"), party(gw, "T2A")
    t2a.service.ReportInventory(company="T2A", level=[{"item": "R", "onHand": D(100),
                                                        "unit": "KG"}])
    t1a.service.ReportInventory(company="T1A", level=[
        {"item": "C1", "onHand": D(10), "unit": "EA"}, {"item": "S", "onHand": D(1000),
                                                         "unit": "EA"}])
    t1a.service.ReportBillOfMaterials(
        company="T1A", item="C1",
        component=[{"item": "R", "quantityPer": D(1), "unit": "KG", "supplier": "T2A"},
                   {"item": "S", "quantityPer": D(3), "unit": "EA"}],
        routingStep=[{"sequence": 10, "workCentre": "PRESS", "days": D(1)},
                   {"sequence": 20, "workCentre": "PAINT", "days": D(2)}])
    t1a.service.ReportManufacturingStatus(
        company="T1A", orderType="SalesOrder", orderNumber="SO-1", item="C1", quantity=D(10),
        completed=D(0), status="InProgress", expectedCompletion=dt.date(2026, 1, 8))
    mother.service.ReportBillOfMaterials(
        company="MOTHER", item="P",
        component=[{"item": "C1", "quantityPer": D(2), "unit": "EA", "supplier": "T1A"}],
        routingStep=[{"sequence": 1, "workCentre": "ASSEMBLY", "days": D(2)}])
    return mother, t1a, t2a


def test_three_tier_estimate_matches_the_hand_computed_date(gw):
    mother, _, _ = three_tiers(gw)
    # 20 P need 40 C1: T1A has 10 in stock, 10 in making (Jan 8) and makes 20 from
    # 20 R (T2A stock, Jan 5 + 10 days lead = Jan 15) and 60 S (stock); Jan 15 + 3 days
    # routing = Jan 18; + 10 days lead to MOTHER = Jan 28; + 2 days assembly = Jan 30.
    answer = mother.service.EstimateDelivery(company="MOTHER", item="P", quantity=D(20),
                                             orderDate=START)
    assert answer.availableDate == dt.date(2026, 1, 30)
    assert [(s.company, s.tier, s.item, s.source, s.ready) for s in answer.step] == [
        ("MOTHER", 0, "P", "make", dt.date(2026, 1, 30)),
        ("T1A", 1, "C1", "make", dt.date(2026, 1, 28)),
        (None, 2, "R", "stock", dt.date(2026, 1, 15)),   # T2A is not MOTHER's partner
    ]
    t1a_step = answer.step[1]
    assert (t1a_step.fromStock, t1a_step.fromWorkInProgress, t1a_step.made,
            t1a_step.routingDays, t1a_step.leadTimeDays) == (D(10), D(10), D(20), 3, 10)

    # The administrator sees every tier by name; 5 P need only 10 C1 from T1A's stock:
    # Jan 5 + 10 days lead + 2 days assembly = Jan 17.
    smaller = party(gw, None).service.EstimateDelivery(company="MOTHER", item="P",
                                                       quantity=D(5), orderDate=START)
    assert smaller.availableDate == dt.date(2026, 1, 17)
    assert [s.company for s in smaller.step] == ["MOTHER", "T1A"]


def test_explosions_follow_bought_parts_into_the_supplier_s_bom(gw):
    mother, _, _ = three_tiers(gw)
    nodes = mother.service.ExplodeBillOfMaterials(company="MOTHER", item="P", quantity=D(20))
    assert [(n.level, n.company, n.tier, n.item, n.quantity, n.bought) for n in nodes] == [
        (0, "MOTHER", 0, "P", D(20), False), (1, "T1A", 1, "C1", D(40), True),
        (2, None, 2, "R", D(40), True), (2, "T1A", 1, "S", D(120), False)]
    ops = mother.service.ExplodeRouting(company="MOTHER", item="P", quantity=D(20))
    assert [(o.level, o.item, o.workCentre, o.days) for o in ops] == [
        (0, "P", "ASSEMBLY", D(2)), (1, "C1", "PRESS", D(1)), (1, "C1", "PAINT", D(2))]


def test_reorder_advice_once_when_inventory_reaches_the_point(gw, engine):
    t1a = party(gw, "T1A")
    policy = t1a.service.CalculateOrderQuantity(
        company="T1A", item="C1", given={"annualDemand": D(1200), "orderCost": D(100),
                                         "holdingCost": D(6), "dailyDemand": D(10),
                                         "leadTimeDays": D(5), "safetyStock": D(20)})
    assert (policy.orderQuantity, policy.reorderPoint, policy.stored) == (D(200), D(70), True)
    above = t1a.service.ReportInventory(company="T1A", level=[{"item": "C1", "onHand": D(71),
                                                                "unit": "EA"}])
    assert above.advice == []
    at = t1a.service.ReportInventory(company="T1A", level=[{"item": "C1", "onHand": D(70),
                                                             "unit": "EA"}])
    assert [(a.item, a.reorderPoint, a.orderQuantity) for a in at.advice] == [
        ("C1", D(70), D(200))]
    again = t1a.service.ReportInventory(company="T1A", level=[{"item": "C1", "onHand": D(50),
                                                                "unit": "EA"}])
    assert again.advice == []  # still below: advised once
    t1a.service.ReportInventory(company="T1A", level=[{"item": "C1", "onHand": D(300),
                                                       "unit": "EA"}])
    back = t1a.service.ReportInventory(company="T1A", level=[{"item": "C1", "onHand": D(60),
                                                               "unit": "EA"}])
    assert len(back.advice) == 1  # reached again after a replenishment
    notices = [m for m in t1a.service.FetchInbox(maxMessages=100).message
               if m.kind == "Notice" and m.notice.topic == "ReorderAdvice"]
    assert len(notices) == 2 and ("orderQuantity", "200") in [
        (d.name, d.value) for d in notices[0].notice.detail]
    # a new policy with a point above the reported 60 advises at once, once
    t1a.service.CalculateOrderQuantity(
        company="T1A", item="C1", given={"annualDemand": D(1200), "orderCost": D(100),
                                         "holdingCost": D(6), "dailyDemand": D(20),
                                         "leadTimeDays": D(5)})
    [advice] = [m for m in t1a.service.FetchInbox(maxMessages=100).message
                if m.kind == "Notice" and m.notice.topic == "ReorderAdvice"]
    assert ("reorderPoint", "100") in [(d.name, d.value) for d in advice.notice.detail]


GIVEN = {"annualDemand": D(1200), "orderCost": D(100), "holdingCost": D(6),
         "dailyDemand": D(10), "leadTimeDays": D(5)}
BAD = [
    ("T1A", "ReportInventory", {"company": "T2A", "level": [{"item": "R", "onHand": D(1),
                                                             "unit": "KG"}]}, "Unauthorized"),
    ("T1A", "ReportManufacturingStatus",
     {"company": "T1A", "orderType": "SalesOrder", "orderNumber": "NOPE", "item": "C1",
      "quantity": D(5), "completed": D(0), "status": "Planned",
      "expectedCompletion": START}, "UnknownReference"),
    ("MOTHER", "EstimateDelivery", {"company": "T1A", "item": "C1", "quantity": D(1)},
     "Unauthorized"),
    ("MOTHER", "EstimateDelivery", {"company": "MOTHER", "item": "NOTHING", "quantity": D(1)},
     "NotFound"),
    (None, "EstimateDelivery", {"company": "GHOST", "item": "P", "quantity": D(1)},
     "UnknownReference"),
    ("MOTHER", "EstimateDelivery", {"company": "MOTHER", "item": "P", "quantity": D(10**6)},
     "Infeasible"),
    ("MOTHER", "ExplodeBillOfMaterials", {"company": "MOTHER", "item": "X", "quantity": D(1)},
     "NotFound"),
    ("MOTHER", "ReportBillOfMaterials",
     {"company": "MOTHER", "item": "Q", "component": [{"item": "Z", "quantityPer": D(1),
                                                        "unit": "EA", "supplier": "T2A"}]},
     "UnknownReference"),
    ("MOTHER", "ExplodeRouting", {"company": "T2A", "item": "R", "quantity": D(1)},
     "Unauthorized"),
    (None, "ListAlerts", {"company": "GHOST"}, "UnknownReference"),
    ("T1A", "CalculateOrderQuantity",
     {"company": "MOTHER", "item": "P", "given": GIVEN}, "Unauthorized"),
    ("T1A", "CalculateOrderQuantity", {"company": "T1A", "given": GIVEN}, "InvalidRequest"),
    ("T1A", "CalculateOrderQuantity",
     {"given": {**GIVEN, "holdingCost": D(0)}}, "SchemaInvalid"),
    ("T1A", "CalculateOrderQuantity",
     {"company": "T1A", "item": "NEVER-BOUGHT",
      "history": {"from": START, "to": START + dt.timedelta(days=30), "orderCost": D(1),
                  "holdingCost": D(1), "leadTimeDays": D(1), "serviceLevel": D("0.9")}},
     "NotFound"),
    ("T1A", "ReportInventory", {"company": "T1A", "level": [{"item": "R", "onHand": D(-1),
                                                             "unit": "KG"}]}, "SchemaInvalid"),
    ("T1A", "ReportBillOfMaterials",
     {"company": "T1A", "item": "Q", "component": [{"item": "Z", "quantityPer": D(-2),
                                                     "unit": "EA"}]}, "SchemaInvalid"),
]


def test_bad_requests_get_a_fault_and_write_nothing(gw, engine):
    _, _, t2a = three_tiers(gw)  # one network for every case: each must leave it as it was
    with engine.begin() as conn:  # T2A may buy from MOTHER: a BOM could now close a loop
        conn.execute(insert(agreement).values(buyer="T2A", supplier="MOTHER", lead_time_days=1))
    parties = {who: party(gw, who) for who in ("MOTHER", "T1A", None)}
    before = rows(engine)
    for who, call, kwargs, code in BAD:
        p = parties[who]
        zeep_fault(p, code, getattr(p.service, call), **kwargs)
        assert rows(engine) == before, (call, kwargs)
    fault = zeep_fault(t2a, "InvalidRequest", t2a.service.ReportBillOfMaterials, company="T2A",
                       item="R", component=[{"item": "P", "quantityPer": D(1), "unit": "EA",
                                             "supplier": "MOTHER"}])
    assert "T2A:R -> MOTHER:P -> T1A:C1 -> T2A:R" in fault.message  # the loop, named
    assert rows(engine) == before


def test_manufacturing_status_must_be_consistent(gw, engine):
    chain(gw)
    t1a = party(gw, "T1A")
    before = rows(engine)
    zeep_fault(t1a, "InvalidRequest", t1a.service.ReportManufacturingStatus, company="T1A",
               orderType="SalesOrder", orderNumber="SO-1", item="C1", quantity=D(10),
               completed=D(12), status="InProgress", expectedCompletion=START)
    assert rows(engine) == before
    done = t1a.service.ReportManufacturingStatus(
        company="T1A", orderType="SalesOrder", orderNumber="SO-1", item="C1", quantity=D(10),
        completed=D(10), status="Completed", expectedCompletion=START)
    assert (done.order.number, done.inProgress) == ("SO-1", D(0))
    with engine.connect() as conn:
        assert conn.execute(select(outbox.c.id).where(outbox.c.kind == "Notice")).first() is None
