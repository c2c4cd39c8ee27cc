"""The order tracker's alert moments (003 section 3.4)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from smart_gateway.msme.alert_rules import DUE_SOON, OVERDUE, alerts_due

DUE = dt.date(2026, 3, 10)


def at(days_before: int, remaining=D(5), already=frozenset()):
    return alerts_due(due=DUE, today=DUE - dt.timedelta(days=days_before), remaining=remaining,
                      already=already)


def test_nothing_until_three_days_before():
    assert at(4) == []


def test_due_soon_from_three_days_before_to_the_day_itself_once():
    assert at(3) == [DUE_SOON] and at(0) == [DUE_SOON]
    assert at(2, already={DUE_SOON}) == []


def test_overdue_the_day_after_once_and_never_when_delivered():
    assert at(-1, already={DUE_SOON}) == [OVERDUE]
    assert at(-5, already={DUE_SOON, OVERDUE}) == []
    assert at(-1, remaining=D(0)) == [] and at(2, remaining=D(0)) == []


def test_an_order_seen_late_is_only_overdue():
    assert at(-2) == [OVERDUE]
