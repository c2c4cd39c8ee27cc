"""Money along references, over SOAP: an invoice bills at most what its delivery
is worth, a payment pays at most what its payable is worth, a return sends back
at most what its receiving was worth; every refusal writes nothing."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from fixtures.gw_network import doc, mid, party, ref, rows, zeep_fault
from smart_gateway.persistence import tables as T


def priced(doc_type, number, company, partner, qty, price, refs=None):
    d = doc(doc_type, number, company, partner, qty=qty, refs=refs)
    for line in d["line"]:
        line["unitPrice"] = Decimal(str(price))
    return d


def amount_ref(company, doc_type, number, qty=None, amount=None):
    r = ref(company, doc_type, number, qty)
    if amount is not None:
        r["amount"] = Decimal(str(amount))
    return r


class Hop:
    def __init__(self, gw):
        self.p = {c: party(gw, c) for c in ("MOTHER", "T1A")}

    def __call__(self, sender, receiver, document, created):
        agent = self.p[sender].service.SubmitTransaction(messageId=mid(),
                                                         document=document).agentId
        self.p[receiver].service.FetchInbox(maxMessages=100)
        self.p[receiver].service.Acknowledge(messageId=mid(), agentId=agent, state="Approved")
        self.p[receiver].service.Acknowledge(messageId=mid(), agentId=agent, state="Created",
                                             documentNumber=created)

    def refused(self, sender, document, code):
        p = self.p[sender]
        return zeep_fault(p, code, p.service.SubmitTransaction, messageId=mid(),
                          document=document).message


@pytest.fixture
def delivered(gw):
    """MOTHER ordered 100 at 2.50 from T1A, which delivered all 100 at 2.50."""
    hop = Hop(gw)
    hop("MOTHER", "T1A", priced("PurchaseOrder", "PO-1", "MOTHER", "T1A", 100, "2.50"), "SO-1")
    hop("T1A", "MOTHER", priced("Delivery", "DL-1", "T1A", "MOTHER", 100, "2.50",
                                refs=[ref("T1A", "SalesOrder", "SO-1")]), "GR-1")
    return hop


def link_amounts(engine, target_number):
    with engine.connect() as c:
        target = T.instance.alias()
        return [r.amount for r in c.execute(
            select(T.link.c.amount).join(target, target.c.id == T.link.c.target_id)
            .where(target.c.number == target_number))]


def test_an_invoice_at_a_higher_price_than_delivered_is_over_billing(gw, engine, delivered):
    hop = delivered
    before = rows(engine)
    # 100 units at 3.00 = 300 against a delivery worth 250: the quantity fits, the money not
    message = hop.refused("T1A", priced("AccountReceivable", "AR-1", "T1A", "MOTHER", 100, "3.00",
                                        refs=[ref("T1A", "Delivery", "DL-1")]),
                          "QuantityExceeded")
    assert "worth 250" in message and "50 too much" in message
    assert rows(engine) == before


def test_invoices_may_bill_a_delivery_in_parts_up_to_its_worth(gw, engine, delivered):
    hop = delivered
    hop("T1A", "MOTHER", priced("AccountReceivable", "AR-1", "T1A", "MOTHER", 60, "2.50",
                                refs=[ref("T1A", "Delivery", "DL-1")]), "AP-1")
    assert link_amounts(engine, "AR-1") == [Decimal("150")]
    before = rows(engine)
    # 40 more units fit the quantity, but at 2.60 they bill 104 where 100 is left
    hop.refused("T1A", priced("AccountReceivable", "AR-2", "T1A", "MOTHER", 40, "2.60",
                              refs=[ref("T1A", "Delivery", "DL-1")]), "QuantityExceeded")
    assert rows(engine) == before
    hop("T1A", "MOTHER", priced("AccountReceivable", "AR-2", "T1A", "MOTHER", 40, "2.50",
                                refs=[ref("T1A", "Delivery", "DL-1")]), "AP-2")
    assert link_amounts(engine, "AR-2") == [Decimal("100")]


def test_a_payable_cannot_be_paid_twice(gw, engine, delivered):
    hop = delivered
    hop("T1A", "MOTHER", priced("AccountReceivable", "AR-1", "T1A", "MOTHER", 100, "2.50",
                                refs=[ref("T1A", "Delivery", "DL-1")]), "AP-1")
    # paid in two parts by amount: 200 then 50
    hop("MOTHER", "T1A", priced("Payment", "PAY-1", "MOTHER", "T1A", 80, "2.50",
                                refs=[ref("MOTHER", "AccountPayable", "AP-1", 80)]), "RC-1")
    hop("MOTHER", "T1A", priced("Payment", "PAY-2", "MOTHER", "T1A", 20, "2.50",
                                refs=[ref("MOTHER", "AccountPayable", "AP-1", 20)]), "RC-2")
    before = rows(engine)
    # a third payment: the quantity check stops it as well; a payment that pays a
    # payable by amount only (lines of another kind) is stopped by the amount
    message = hop.refused("MOTHER", priced("Payment", "PAY-3", "MOTHER", "T1A", 1, "2.50",
                                           refs=[ref("MOTHER", "AccountPayable", "AP-1")]),
                          "QuantityExceeded")
    assert "AP-1" in message
    assert rows(engine) == before


def test_over_paying_by_amount_is_refused_with_the_numbers(gw, engine, delivered):
    hop = delivered
    hop("T1A", "MOTHER", priced("AccountReceivable", "AR-1", "T1A", "MOTHER", 100, "2.50",
                                refs=[ref("T1A", "Delivery", "DL-1")]), "AP-1")
    before = rows(engine)
    # 50 units at 6.00: half the quantity, 300 against a payable worth 250
    message = hop.refused("MOTHER", priced("Payment", "PAY-1", "MOTHER", "T1A", 50, "6.00",
                                           refs=[ref("MOTHER", "AccountPayable", "AP-1", 50)]),
                          "QuantityExceeded")
    assert "worth 250" in message and "0 of it is already paid" in message
    assert rows(engine) == before


def test_returning_more_value_than_was_received_is_refused(gw, engine, delivered):
    hop = delivered
    before = rows(engine)
    hop.refused("MOTHER", priced("Return", "RET-1", "MOTHER", "T1A", 10, "30",
                                 refs=[ref("MOTHER", "Receiving", "GR-1")]), "QuantityExceeded")
    assert rows(engine) == before
    hop("MOTHER", "T1A", priced("Return", "RET-1", "MOTHER", "T1A", 10, "2.50",
                                refs=[ref("MOTHER", "Receiving", "GR-1")]), "RR-1")
    assert link_amounts(engine, "RET-1") == [Decimal("25")]


def test_reference_amounts_claiming_more_than_the_document_is_worth(gw, engine, delivered):
    hop = delivered
    before = rows(engine)
    message = hop.refused("T1A", priced("AccountReceivable", "AR-1", "T1A", "MOTHER", 10, "2.50",
                                        refs=[amount_ref("T1A", "Delivery", "DL-1", 10, 30)]),
                          "QuantityExceeded")
    assert "worth 25" in message and "claim 30" in message
    assert rows(engine) == before


def test_an_amount_on_an_order_reference_is_refused(gw, engine):
    hop = Hop(gw)
    hop("MOTHER", "T1A", priced("PurchaseOrder", "PO-1", "MOTHER", "T1A", 100, "2.50"), "SO-1")
    before = rows(engine)
    message = hop.refused("T1A", priced("Delivery", "DL-1", "T1A", "MOTHER", 10, "2.50",
                                        refs=[amount_ref("T1A", "SalesOrder", "SO-1", 10, 25)]),
                          "InvalidRequest")
    assert "quantities only" in message
    assert rows(engine) == before


def test_two_references_to_one_delivery_count_together(gw, engine, delivered):
    hop = delivered
    before = rows(engine)
    # 100 at 2.55 = 255, claimed as 125 + 130 of one delivery worth 250
    message = hop.refused("T1A", priced("AccountReceivable", "AR-1", "T1A", "MOTHER", 100, "2.55",
                                        refs=[amount_ref("T1A", "Delivery", "DL-1", 50, 125),
                                              amount_ref("T1A", "Delivery", "DL-1", 50, 130)]),
                          "QuantityExceeded")
    assert "125 of it is already billed" in message and "5 too much" in message
    assert rows(engine) == before


def test_a_priced_delivery_may_consolidate_two_sales_orders_by_quantity(gw, engine):
    # Amounts are for invoices, payments and returns: a delivery's references
    # carry quantities only, whatever its lines' prices.
    hop = Hop(gw)
    hop("MOTHER", "T1A", priced("PurchaseOrder", "PO-1", "MOTHER", "T1A", 60, "2.50"), "SO-1")
    hop("MOTHER", "T1A", priced("PurchaseOrder", "PO-2", "MOTHER", "T1A", 40, "2.50"), "SO-2")
    hop("T1A", "MOTHER", priced("Delivery", "DL-1", "T1A", "MOTHER", 100, "2.50",
                                refs=[ref("T1A", "SalesOrder", "SO-1", 60),
                                      ref("T1A", "SalesOrder", "SO-2", 40)]), "GR-1")
    with engine.connect() as c:
        states = dict(c.execute(select(T.instance.c.number, T.instance.c.state).where(
            T.instance.c.number.in_(["SO-1", "SO-2"]))).all())
    assert states == {"SO-1": "CompletelyReferenced", "SO-2": "CompletelyReferenced"}


def test_an_invoice_worth_more_than_a_link_can_carry_is_refused(gw, engine):
    # A delivery without prices has no known worth, so nothing else bounds the
    # invoice's amount before it is stored on the link.
    hop = Hop(gw)
    hop("MOTHER", "T1A", doc("PurchaseOrder", "PO-1", "MOTHER", "T1A", qty=100), "SO-1")
    hop("T1A", "MOTHER", doc("Delivery", "DL-1", "T1A", "MOTHER", qty=100,
                             refs=[ref("T1A", "SalesOrder", "SO-1")]), "GR-1")
    before = rows(engine)
    message = hop.refused("T1A", priced("AccountReceivable", "AR-1", "T1A", "MOTHER", 100,
                                        "100000000000", refs=[ref("T1A", "Delivery", "DL-1")]),
                          "InvalidRequest")
    assert "10000000000000" in message and "split it" in message
    assert rows(engine) == before
