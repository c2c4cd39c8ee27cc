"""Economic order quantity, re-order point and safety stock (003 section 3.1).

Standard library only.  Quantities are Decimals; results are rounded to six
fraction digits, the precision every quantity is stored with.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

SIX = Decimal("0.000001")
DAYS_PER_YEAR = 365


def _six(value: Decimal) -> Decimal:
    return value.quantize(SIX, rounding=ROUND_HALF_EVEN).normalize() + 0


def economic_order_quantity(annual_demand: Decimal, order_cost: Decimal,
                            holding_cost: Decimal) -> Decimal:
    """Q* = sqrt(2 D S / H): the order quantity where ordering and holding costs balance."""
    if annual_demand < 0 or order_cost < 0:
        raise ValueError("annual demand and cost per order must not be negative")
    if holding_cost <= 0:
        raise ValueError("the annual holding cost per unit must be positive (Q* = sqrt(2DS/H))")
    with localcontext() as ctx:
        ctx.prec = 34
        return _six((2 * annual_demand * order_cost / holding_cost).sqrt())


def reorder_point(daily_demand: Decimal, lead_time_days: Decimal,
                  safety_stock: Decimal = Decimal(0)) -> Decimal:
    """ROP = daily demand x lead time (days) + safety stock."""
    if daily_demand < 0 or lead_time_days < 0 or safety_stock < 0:
        raise ValueError("daily demand, lead time and safety stock must not be negative")
    return _six(daily_demand * lead_time_days + safety_stock)


def service_factor(service_level: Decimal) -> Decimal:
    """z such that P(Z <= z) = service level for a standard normal Z."""
    if not Decimal(0) < service_level < Decimal(1):
        raise ValueError("the service level is a probability strictly between 0 and 1")
    return Decimal(repr(statistics.NormalDist().inv_cdf(float(service_level))))


def safety_stock(service_level: Decimal, daily_sd: Decimal, lead_time_days: Decimal) -> Decimal:
    """z x sigma(daily demand) x sqrt(lead time): the buffer that covers the
    lead-time demand with the given probability, demand varying day to day."""
    if daily_sd < 0 or lead_time_days < 0:
        raise ValueError("spread and lead time must not be negative")
    z = service_factor(service_level)
    return _six(max(Decimal(0), z * daily_sd * Decimal(repr(math.sqrt(lead_time_days)))))


@dataclass(frozen=True)
class DemandStats:
    days: int
    total: Decimal
    mean: Decimal        # per day
    sd: Decimal          # sample standard deviation per day

    @property
    def annual(self) -> Decimal:
        return _six(self.mean * DAYS_PER_YEAR)


def daily_demand(per_day: dict, days: int) -> DemandStats:
    """Mean and spread of daily demand over ``days`` days, ``per_day`` holding the
    quantity of each day that had demand; a day with none counts as zero."""
    if days < 2:
        raise ValueError("the demand spread needs a history of at least two days")
    if len(per_day) > days:
        raise ValueError("more days with demand than days in the history")
    series = [Decimal(v) for v in per_day.values()] + [Decimal(0)] * (days - len(per_day))
    total = sum(series, Decimal(0))
    with localcontext() as ctx:
        ctx.prec = 34
        mean = total / days
        sd = statistics.stdev(series, xbar=mean)
    return DemandStats(days=days, total=total, mean=_six(mean), sd=_six(Decimal(sd)))


@dataclass(frozen=True)
class OrderPolicy:
    order_quantity: Decimal   # EOQ
    reorder_point: Decimal
    safety_stock: Decimal
    daily_demand: Decimal
    annual_demand: Decimal


def policy(*, annual_demand: Decimal, order_cost: Decimal, holding_cost: Decimal,
           daily: Decimal, lead_time_days: Decimal, safety: Decimal) -> OrderPolicy:
    return OrderPolicy(order_quantity=economic_order_quantity(annual_demand, order_cost,
                                                              holding_cost),
                       reorder_point=reorder_point(daily, lead_time_days, safety),
                       safety_stock=_six(safety), daily_demand=_six(daily),
                       annual_demand=_six(annual_demand))


def reorder_due(on_hand: Decimal, point: Decimal) -> bool:
    """Inventory has reached the re-order point (003: remaining <= ROP)."""
    return on_hand <= point
