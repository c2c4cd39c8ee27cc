"""EOQ, re-order point and safety stock against hand-computed values (003 section 3.1)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from smart_gateway.msme.quantities import (
    daily_demand, economic_order_quantity, reorder_due, reorder_point, safety_stock,
    service_factor,
)


def test_eoq_of_the_issue_example():
    # sqrt(2 x 1200 x 100 / 6) = sqrt(40000) = 200
    assert economic_order_quantity(D(1200), D(100), D(6)) == D(200)


def test_eoq_that_is_not_a_whole_number_keeps_six_digits():
    # sqrt(2 x 1000 x 50 / 3) = sqrt(33333.33...) = 182.574185...
    assert economic_order_quantity(D(1000), D(50), D(3)) == D("182.574186")


def test_rop_of_the_issue_example():
    assert reorder_point(D(10), D(5), D(20)) == D(70)   # 10 x 5 + 20
    assert reorder_point(D(10), D(5)) == D(50)          # no safety stock


@pytest.mark.parametrize("args", [(D(1200), D(100), D(0)), (D(-1), D(100), D(6))])
def test_eoq_refuses_what_has_no_meaning(args):
    with pytest.raises(ValueError):
        economic_order_quantity(*args)


def test_safety_stock_for_a_service_level():
    # z(0.95) = 1.644854; sigma 4 per day, lead time 9 days: 1.644854 x 4 x 3 = 19.738244
    assert round(service_factor(D("0.95")), 6) == D("1.644854")
    assert safety_stock(D("0.95"), D(4), D(9)) == D("19.738244")
    assert safety_stock(D("0.5"), D(4), D(9)) == D(0)  # z = 0 at the median


def test_daily_demand_counts_days_without_orders_as_zero():
    # 4 days: 10, 30, 0, 0 -> mean 10; deviations 0, 20, -10, -10 -> sum of squares 600,
    # sample variance 600 / 3 = 200, sd = 14.142136
    stats = daily_demand({"d1": D(10), "d2": D(30)}, 4)
    assert (stats.total, stats.mean, stats.sd) == (D(40), D(10), D("14.142136"))
    assert stats.annual == D(3650)


def test_reorder_is_due_when_inventory_reaches_the_point():
    assert reorder_due(D(70), D(70)) and reorder_due(D(69), D(70)) and not reorder_due(D(71), D(70))
