"""The rush rule a document breaks, first one wins: lead time, maximum, item, price."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from smart_gateway.domain.agreements import AgreementTerms, rush_rule
from smart_gateway.domain.documents import DocKey, DocType, Document, Line

ISSUE = dt.date(2026, 5, 4)
TERMS = AgreementTerms(lead_time_days=14, max_quantity=Decimal(500),
                       prices={"PCB": Decimal("12.50"), "CHIPSET": None})


def order(*lines: Line, due_in_days: int | None = 30, doc_type=DocType.PURCHASE_ORDER) -> Document:
    return Document(key=DocKey("T1A", doc_type, "PO-1"), partner="T2A", issue_date=ISSUE,
                    requested_date=ISSUE + dt.timedelta(days=due_in_days)
                    if due_in_days is not None else None, lines=lines)


def line(n=1, item="PCB", qty="100", price="12.50", due=None) -> Line:
    return Line(number=n, item=item, quantity=Decimal(qty), unit="EA",
                unit_price=Decimal(price) if price else None, requested_date=due)


def test_an_order_within_every_rule_is_regular():
    assert rush_rule(order(line(), line(2, "CHIPSET", price="99")), TERMS) is None
    assert rush_rule(order(line(price=None), due_in_days=None), TERMS) is None


@pytest.mark.parametrize("document, expected", [
    (order(line(), due_in_days=13), "inside the normal lead time of 14 days"),
    (order(line(due=ISSUE + dt.timedelta(days=3))), "due date 2026-05-07"),
    (order(line(qty="500.000001")), "line 1: quantity 500.000001 is above the agreed maximum of 500"),
    (order(line(), line(2, "RESISTOR")), "line 2: item RESISTOR is not in the agreement"),
    (order(line(price="12.49")), "line 1: unit price 12.49 differs from the agreed 12.50"),
    # the first rule broken is the one reported
    (order(line(qty="900", price="1"), due_in_days=1), "inside the normal lead time"),
])
def test_each_broken_rule_is_named(document, expected):
    assert expected in rush_rule(document, TERMS)


def test_only_orders_can_be_rush_and_an_agreement_without_items_takes_any_item():
    assert rush_rule(order(line(), due_in_days=1, doc_type=DocType.DELIVERY), TERMS) is None
    assert rush_rule(order(line(item="ANYTHING", price="1")), AgreementTerms(14)) is None


SAFE = AgreementTerms(lead_time_days=14, safety_stock={"PCB": Decimal(50)},
                      on_hand={"PCB": Decimal(200)})


def test_an_order_that_takes_the_supplier_below_its_safety_stock_is_rush():
    # 200 on hand, 50 kept: 150 may be ordered; two lines of the item count together
    assert rush_rule(order(line(qty="150")), SAFE) is None
    assert rush_rule(order(line(qty="100"), line(2, qty="60")), SAFE) == (
        "item PCB: 160 ordered would leave the supplier 40 of its reported 200 on hand, "
        "below the agreed safety stock of 50")


def test_safety_stock_without_a_stock_report_cannot_make_an_order_rush():
    unreported = AgreementTerms(lead_time_days=14, safety_stock={"PCB": Decimal(50)})
    assert rush_rule(order(line(qty="100000")), unreported) is None
    # an item without an agreed safety stock is not judged by it either
    other = AgreementTerms(lead_time_days=14, on_hand={"PCB": Decimal(1)})
    assert rush_rule(order(line(qty="100")), other) is None
