"""Properties every parallel plan keeps, whatever the figures: the parts add up
to the required quantity, none exceeds the free space or a supplier's stock,
and each is due exactly when the one before is used up (just in time)."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal as D

from hypothesis import given, settings, strategies as st

from smart_gateway.msme.parallelizer import Candidate, PlanError, Request, plan

START = dt.date(2026, 1, 5)
qty = st.integers(min_value=1, max_value=500).map(D)
candidate = st.builds(lambda i, d, p, a, lead, past: Candidate(f"S{i}", D(d), D(p), a, lead, past),
                      st.integers(0, 5), st.integers(0, 100), st.integers(1, 50), qty,
                      st.integers(0, 10), st.booleans())


@settings(max_examples=80, derandomize=True, deadline=None)
@given(capacity=qty, held=st.integers(0, 200).map(D), required=qty, usage=qty,
       immediate=st.booleans(), cands=st.lists(candidate, min_size=1, max_size=5,
                                               unique_by=lambda c: c.supplier))
def test_plans_fill_the_order_within_space_and_stock_just_in_time(capacity, held, required,
                                                                  usage, immediate, cands):
    req = Request(capacity=capacity, held=held, required=required, start=START,
                  immediate=immediate, daily_usage=usage)
    try:
        result = plan(req, cands)
    except PlanError:
        return  # refused with a reason: no space, not enough stock, no initial quantity
    parts = result.parts
    assert result.total == required
    assert all(D(0) < p.quantity <= capacity - held for p in parts)
    stock = {c.supplier: c.available for c in cands}
    for supplier, taken in result.by_supplier().items():
        assert sum(p.quantity for p in taken) <= stock[supplier]
    for before, after in zip(parts, parts[1:]):
        used_up = max(before.due, before.arrival) + dt.timedelta(
            days=math.ceil(before.quantity / usage))
        assert after.due == used_up
        assert after.arrival >= after.due
