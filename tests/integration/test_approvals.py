"""Rush orders flagged with their rule; held transactions listed for a manager, who decides."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from fixtures.gw_network import doc, mid, party, rows, zeep_fault
from smart_gateway.persistence.tables import agent, agreement, agreement_item, instance


@pytest.fixture
def priced(gw, engine):
    """MOTHER buys ITEM-1 from T1A at an agreed 12.50."""
    with engine.begin() as conn:
        terms = conn.execute(select(agreement.c.id).where(agreement.c.buyer == "MOTHER",
                                                          agreement.c.supplier == "T1A")).scalar_one()
        conn.execute(insert(agreement_item).values(agreement_id=terms, item="ITEM-1",
                                                   unit_price=Decimal("12.50"), decoupling="MTS"))
    return gw


def listed(service, **kwargs) -> list:
    # zeep unwraps a response whose only element repeats into a plain list
    return list(service.ListPendingApprovals(**kwargs) or [])


def order(number: str, price: str, **kwargs) -> dict:
    d = doc("PurchaseOrder", number, "MOTHER", "T1A", **kwargs)
    d["line"][0]["unitPrice"] = Decimal(price)
    return d


def test_an_order_off_the_price_list_is_rush_and_waits_for_the_manager(priced, engine):
    mother, t1a, admin = party(priced, "MOTHER"), party(priced, "T1A"), party(priced, None)
    # given: one order at the agreed price, one below it
    regular = mother.service.SubmitTransaction(messageId=mid(), document=order("PO-OK", "12.50"))
    rush = mother.service.SubmitTransaction(messageId=mid(), document=order("PO-LOW", "9.99"))
    assert (regular.rush, rush.rush) == (False, True)
    with engine.connect() as conn:
        rule = conn.execute(select(instance.c.rush_rule).where(instance.c.number == "PO-LOW")).scalar_one()
    assert rule == "line 1: unit price 9.99 differs from the agreed 12.5"

    # when: T1A's ERP holds the rush order for its manager
    t1a.service.FetchInbox(maxMessages=10)
    t1a.service.Acknowledge(messageId=mid(), agentId=rush.agentId, state="PendingApproval",
                            reason="price below the price list")
    # then: the manager (and the headquarter) see it, with the rule and the reason
    (held,) = listed(t1a.service)
    assert (held.agent.agentId, held.document.number, held.quantity) == (rush.agentId, "PO-LOW", 10)
    assert (held.rushRule, held.reason) == (rule, "price below the price list")
    assert [p.agent.agentId for p in listed(admin.service, company="T1A")] \
        == [rush.agentId]
    assert listed(mother.service) == []  # nothing held for MOTHER

    # and the manager's approval, with its reason, lets it go on
    t1a.service.Acknowledge(messageId=mid(), agentId=rush.agentId, state="Approved",
                            reason="accepted by the sales manager")
    assert listed(t1a.service) == []
    with engine.connect() as conn:
        state, reason = conn.execute(select(agent.c.state, agent.c.reason)
                                     .where(agent.c.id == rush.agentId)).one()
    assert (state, reason) == ("Approved", "accepted by the sales manager")


def test_a_rejected_order_is_canceled_on_both_sides_and_the_sender_is_told_why(priced, engine):
    mother, t1a = party(priced, "MOTHER"), party(priced, "T1A")
    rush = mother.service.SubmitTransaction(messageId=mid(), document=order("PO-NO", "1.00"))
    t1a.service.FetchInbox(maxMessages=10)
    t1a.service.Acknowledge(messageId=mid(), agentId=rush.agentId, state="PendingApproval")
    t1a.service.Acknowledge(messageId=mid(), agentId=rush.agentId, state="Rejected",
                            reason="price not acceptable")
    with engine.connect() as conn:
        po = conn.execute(select(instance.c.state).where(instance.c.number == "PO-NO")).scalar_one()
    assert po == "Canceled"
    told = [m.acknowledgement for m in mother.service.FetchInbox(maxMessages=10).message
            if m.kind == "Acknowledgement"]
    assert [(a.state, a.reason) for a in told] == [("PendingApproval", None),
                                                   ("Canceled", "price not acceptable")]


def test_pending_approvals_of_another_company_are_not_listed(priced, engine):
    mother = party(priced, "MOTHER")
    before = rows(engine)
    zeep_fault(mother, "Unauthorized", mother.service.ListPendingApprovals, company="T1A")
    assert rows(engine) == before


def test_an_order_below_the_suppliers_safety_stock_is_rush_once_stock_is_reported(gw, engine):
    # given: T1A keeps 50 ITEM-1 for MOTHER, and reports 200 on hand (ISA)
    with engine.begin() as conn:
        terms = conn.execute(select(agreement.c.id).where(agreement.c.buyer == "MOTHER",
                                                          agreement.c.supplier == "T1A")).scalar_one()
        conn.execute(insert(agreement_item).values(agreement_id=terms, item="ITEM-1",
                                                   decoupling="MTS", safety_stock=Decimal(50)))
    mother, t1a = party(gw, "MOTHER"), party(gw, "T1A")
    before_report = mother.service.SubmitTransaction(
        messageId=mid(), document=doc("PurchaseOrder", "PO-0", "MOTHER", "T1A", qty=500))
    t1a.service.ReportInventory(company="T1A", level=[
        {"item": "ITEM-1", "onHand": Decimal(200), "unit": "EA"}])
    # when: MOTHER orders what the stock allows, then more
    within = mother.service.SubmitTransaction(
        messageId=mid(), document=doc("PurchaseOrder", "PO-1", "MOTHER", "T1A", qty=150))
    beyond = mother.service.SubmitTransaction(
        messageId=mid(), document=doc("PurchaseOrder", "PO-2", "MOTHER", "T1A", qty=151))
    # then: without a report the rule cannot judge; with it, 151 is rush and says why
    assert (before_report.rush, within.rush, beyond.rush) == (False, False, True)
    with engine.connect() as conn:
        rule = conn.execute(select(instance.c.rush_rule)
                            .where(instance.c.number == "PO-2")).scalar_one()
    assert rule == ("item ITEM-1: 151 ordered would leave the supplier 49 of its reported 200 "
                    "on hand, below the agreed safety stock of 50")
