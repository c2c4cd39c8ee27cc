"""The order parallelizer (003 section 3.2) on small cases worked out by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from smart_gateway.msme.parallelizer import Candidate, PlanError, Request, plan

START = dt.date(2026, 1, 5)


def _c(name, distance, price, available, lead, traded=False):
    return Candidate(name, D(distance), D(price), D(available), lead, traded)


def test_a_small_warehouse_splits_the_order_into_just_in_time_parts():
    # T 100, H 40 -> A 60; RQ 150 at 10 a day: parts of 60, 60, 30; the second is due
    # when the first is used up (60 / 10 = 6 days after it arrives), and so on.
    req = Request(capacity=D(100), held=D(40), required=D(150), start=START, daily_usage=D(10))
    parts = plan(req, [_c("S1", 5, 10, 1000, 2)]).parts
    assert [(p.quantity, p.due) for p in parts] == [
        (D(60), START + dt.timedelta(days=2)),
        (D(60), START + dt.timedelta(days=8)),
        (D(30), START + dt.timedelta(days=14)),
    ]
    assert all(p.quantity <= D(60) for p in parts) and all(p.late_days == 0 for p in parts)


def test_an_immediate_order_takes_its_first_part_from_the_nearest_supplier():
    near, partner = _c("NEAR", 5, 12, 100, 0), _c("PARTNER", 50, 10, 1000, 3, traded=True)
    req = Request(capacity=D(100), held=D(0), required=D(80), start=START, immediate=True,
                  initial=D(30), daily_usage=D(10))
    parts = plan(req, [partner, near]).parts
    assert [(p.supplier, p.quantity) for p in parts] == [("NEAR", D(80))]
    assert parts[0].due == START and parts[0].rule.startswith("immediate")


def test_the_nearest_must_have_the_initial_quantity():
    near, farther = _c("NEAR", 5, 12, 20, 0), _c("FAR", 9, 12, 100, 0)
    req = Request(capacity=D(100), held=D(0), required=D(80), start=START, immediate=True,
                  initial=D(30))
    assert plan(req, [near, farther]).parts[0].supplier == "FAR"


def test_a_non_immediate_order_prefers_a_past_partner_even_farther_and_dearer():
    near, partner = _c("NEAR", 5, 9, 1000, 1), _c("PARTNER", 50, 10, 1000, 3, traded=True)
    req = Request(capacity=D(100), held=D(0), required=D(80), start=START)
    parts = plan(req, [near, partner]).parts
    assert [(p.supplier, p.quantity, p.due) for p in parts] == [
        ("PARTNER", D(80), START + dt.timedelta(days=3))]


def test_limits_filter_before_the_order_of_preference():
    partner = _c("PARTNER", 50, 10, 1000, 3, traded=True)
    near = _c("NEAR", 5, 9, 1000, 1)
    req = Request(capacity=D(100), held=D(0), required=D(80), start=START, max_distance=D(20))
    result = plan(req, [near, partner])
    assert [p.supplier for p in result.parts] == ["NEAR"]
    assert result.excluded == (("PARTNER", "distance 50 > limit 20"),)


def test_immediate_then_past_partner_for_the_rest_just_in_time():
    # A = 50: NEAR brings 50 today (it has 50); PARTNER the other 70 in parts of 50 and 20,
    # due when the previous part is used up at 10 a day: day 5, then day 10.
    near, partner = _c("NEAR", 5, 12, 50, 0), _c("PARTNER", 50, 10, 1000, 3, traded=True)
    req = Request(capacity=D(80), held=D(30), required=D(120), start=START, immediate=True,
                  initial=D(40), daily_usage=D(10))
    parts = plan(req, [near, partner]).parts
    assert [(p.supplier, p.quantity, (p.due - START).days) for p in parts] == [
        ("NEAR", D(50), 0), ("PARTNER", D(50), 5), ("PARTNER", D(20), 10)]


def test_a_supplier_that_cannot_arrive_in_time_gives_way_to_one_that_can():
    # Part 2 is due on day 4 (40 / 10); the partner needs 6 days, the other 2.
    partner = _c("PARTNER", 50, 10, 1000, 6, traded=True)
    quick = _c("QUICK", 9, 11, 1000, 2)
    req = Request(capacity=D(40), held=D(0), required=D(80), start=START, immediate=True,
                  initial=D(40), daily_usage=D(10))
    parts = plan(req, [partner, _c("NEAR", 1, 12, 40, 0), quick]).parts
    assert [(p.supplier, (p.due - START).days) for p in parts] == [("NEAR", 0), ("QUICK", 4)]


@pytest.mark.parametrize("req, message", [
    (Request(capacity=D(10), held=D(10), required=D(5), start=START), "warehouse is full"),
    (Request(capacity=D(10), held=D(0), required=D(50), start=START), "daily usage"),
    (Request(capacity=D(100), held=D(0), required=D(5000), start=START, daily_usage=D(1)),
     "short of"),
    (Request(capacity=D(100), held=D(0), required=D(50), start=START, immediate=True,
             initial=D(200)), "does not fit"),
])
def test_what_cannot_be_planned_says_why(req, message):
    with pytest.raises(PlanError, match=message):
        plan(req, [_c("S1", 1, 1, 1000, 0)])


def test_more_parts_than_an_order_has_lines_is_refused_before_they_are_made():
    # A 0.001 of free space for 1,000 units would be a million parts.
    req = Request(capacity=D("0.001"), held=D(0), required=D(1000), start=START,
                  daily_usage=D(1000))
    with pytest.raises(PlanError, match="more than 1000 parts"):
        plan(req, [_c("S1", 5, 10, 10**6, 2)])


def test_a_daily_usage_too_small_for_any_date_is_refused():
    req = Request(capacity=D(100), held=D(0), required=D(150), start=START,
                  daily_usage=D("0.000001"))
    with pytest.raises(PlanError, match="would last past any date"):
        plan(req, [_c("S1", 5, 10, 1000, 2)])
