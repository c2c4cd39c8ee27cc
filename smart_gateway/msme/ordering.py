"""CalculateOrderQuantity: EOQ and re-order point from given inputs or from a
company's purchase history in the TDIN; stored as the item's re-order policy."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, delete, func, insert, select

from ..domain.documents import DocType
from ..domain.errors import InvalidRequest, NotFound
from ..hq.actor import Actor
from ..persistence.tables import instance, instance_line
from ..persistence.tables_msme import reorder_policy
from . import access
from .reports import check_reorder
from .quantities import DemandStats, OrderPolicy, daily_demand, policy, safety_stock

MAX_HISTORY_DAYS = 3660


@dataclass(frozen=True)
class Given:
    annual_demand: Decimal
    order_cost: Decimal
    holding_cost: Decimal
    daily_demand: Decimal
    lead_time_days: Decimal
    safety_stock: Decimal = Decimal(0)


@dataclass(frozen=True)
class History:
    start: dt.date
    end: dt.date
    order_cost: Decimal
    holding_cost: Decimal
    lead_time_days: Decimal
    service_level: Decimal


@dataclass(frozen=True)
class Result:
    policy: OrderPolicy
    stats: DemandStats | None
    stored: bool


def purchase_history(conn: Connection, company: str, item: str, start: dt.date,
                     end: dt.date) -> DemandStats:
    """Daily demand = what the company ordered of the item each day (purchase and
    outsourcing orders it issued, not cancelled), by issue date."""
    days = (end - start).days + 1
    if days < 2 or days > MAX_HISTORY_DAYS:
        raise InvalidRequest(f"the history from {start} to {end} must span 2 to "
                             f"{MAX_HISTORY_DAYS} days")
    rows = conn.execute(
        select(instance.c.issue_date, func.sum(instance_line.c.quantity))
        .join(instance_line, instance_line.c.instance_id == instance.c.id)
        .where(instance.c.company == company,
               instance.c.doc_type.in_([DocType.PURCHASE_ORDER.value,
                                        DocType.OUTSOURCING_ORDER.value]),
               instance.c.state != "Canceled", instance_line.c.item == item,
               instance.c.issue_date >= start, instance.c.issue_date <= end)
        .group_by(instance.c.issue_date)).all()
    if not rows:
        raise NotFound(f"{company} issued no purchase order for {item} between {start} and {end}")
    # sum() keeps the column's type: the totals come back as Decimals already.
    return daily_demand({d: Decimal(q) for d, q in rows}, days)


def calculate(conn: Connection, actor: Actor, *, company: str | None, item: str | None,
              given: Given | None, history: History | None, now: dt.datetime) -> Result:
    if (company is None) != (item is None):
        raise InvalidRequest("give company and item together (to keep the result as the "
                             "item's re-order policy), or neither")
    if company is not None:
        access.acting_as(conn, actor, company, what="calculate order quantities")
    stats = None
    try:
        if given is not None:
            result = policy(annual_demand=given.annual_demand, order_cost=given.order_cost,
                            holding_cost=given.holding_cost, daily=given.daily_demand,
                            lead_time_days=given.lead_time_days, safety=given.safety_stock)
        else:
            assert history is not None
            if company is None:
                raise InvalidRequest("a calculation from purchase history needs company and item")
            stats = purchase_history(conn, company, item, history.start, history.end)
            safety = safety_stock(history.service_level, stats.sd, history.lead_time_days)
            result = policy(annual_demand=stats.annual, order_cost=history.order_cost,
                            holding_cost=history.holding_cost, daily=stats.mean,
                            lead_time_days=history.lead_time_days, safety=safety)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    if company is not None:
        conn.execute(delete(reorder_policy).where(reorder_policy.c.company == company,
                                                  reorder_policy.c.item == item))
        conn.execute(insert(reorder_policy).values(
            company=company, item=item, order_quantity=result.order_quantity,
            reorder_point=result.reorder_point, safety_stock=result.safety_stock,
            computed_at=now, advised_at=None))
        # Stock may already be at the new point: the same rule as for a new report.
        check_reorder(conn, company, [item], now)
    return Result(result, stats, company is not None)


def stored_order_quantity(conn: Connection, company: str, item: str) -> Decimal | None:
    return conn.execute(select(reorder_policy.c.order_quantity).where(
        reorder_policy.c.company == company, reorder_policy.c.item == item)).scalar_one_or_none()
