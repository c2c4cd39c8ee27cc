"""ISA and MSA: companies report inventory levels and manufacturing status.

A reported level at or below the item's re-order point queues a ReorderAdvice
notice to the company, once each time the point is reached: the policy row
remembers the advice until stock is reported above the point again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, delete, insert, select, update

from ..domain.documents import DocKey, DocType
from ..domain.errors import InvalidRequest, UnknownReference
from ..hq import store
from ..hq.actor import Actor
from ..hq.notices import notify
from ..persistence.tables_msme import inventory, manufacturing, reorder_policy
from .access import acting_as
from .quantities import reorder_due


@dataclass(frozen=True)
class Advice:
    item: str
    on_hand: Decimal
    reorder_point: Decimal
    order_quantity: Decimal


def report_inventory(conn: Connection, actor: Actor, company: str,
                     levels: list[tuple[str, Decimal, str]], now: dt.datetime) -> list[Advice]:
    acting_as(conn, actor, company, what="report inventory")
    items = [item for item, _, _ in levels]
    if len(set(items)) != len(items):
        raise InvalidRequest(f"each item may be reported once per message; repeated: "
                             f"{sorted({i for i in items if items.count(i) > 1})}")
    conn.execute(delete(inventory).where(inventory.c.company == company,
                                         inventory.c.item.in_(items)))
    conn.execute(insert(inventory), [
        {"company": company, "item": item, "on_hand": qty, "unit": unit, "reported_at": now}
        for item, qty, unit in levels])
    return check_reorder(conn, company, items, now)


def check_reorder(conn: Connection, company: str, items: list[str],
                  now: dt.datetime) -> list[Advice]:
    """The one re-order rule, run when either side of it changes (a reported level,
    or a newly calculated policy): advise once each time stock reaches the point."""
    rows = conn.execute(
        select(inventory.c.item, inventory.c.on_hand, inventory.c.unit,
               reorder_policy.c.reorder_point, reorder_policy.c.order_quantity,
               reorder_policy.c.advised_at)
        .join(reorder_policy, (reorder_policy.c.company == inventory.c.company)
              & (reorder_policy.c.item == inventory.c.item))
        .where(inventory.c.company == company, inventory.c.item.in_(items))
        .order_by(inventory.c.item)).mappings().all()
    advices = []
    for r in rows:
        item, qty, unit, point = r["item"], r["on_hand"], r["unit"], r["reorder_point"]
        due = reorder_due(qty, point)
        if due and r["advised_at"] is None:
            advice = Advice(item, qty, point, r["order_quantity"])
            advices.append(advice)
            notify(conn, recipient=company, topic="ReorderAdvice", now=now,
                   text=f"{item}: {qty} {unit} on hand has reached the re-order point "
                        f"{point}; order {r['order_quantity']} {unit}",
                   detail=[("item", item), ("onHand", qty), ("reorderPoint", point),
                           ("orderQuantity", r["order_quantity"])])
        if due != (r["advised_at"] is not None):
            conn.execute(update(reorder_policy).where(
                reorder_policy.c.company == company, reorder_policy.c.item == item)
                .values(advised_at=now if due else None))
    return advices


MANUFACTURABLE = (DocType.SALES_ORDER, DocType.WORK_ORDER)


def report_manufacturing(conn: Connection, actor: Actor, *, company: str, order_type: str,
                         order_number: str, item: str, quantity: Decimal, completed: Decimal,
                         status: str, expected: dt.date, now: dt.datetime) -> tuple[dict, Decimal]:
    acting_as(conn, actor, company, what="report manufacturing status")
    kind = DocType(order_type)
    if kind not in MANUFACTURABLE:
        raise InvalidRequest(f"manufacturing status is reported against a SalesOrder or a "
                             f"WorkOrder, not a {kind.value}")
    if completed > quantity:
        raise InvalidRequest(f"completed {completed} exceeds the quantity {quantity} in making")
    if (status == "Completed") != (completed == quantity):
        raise InvalidRequest(f"status {status} does not match {completed} of {quantity} "
                             f"completed: Completed means all of it, and only then")
    row = store.find_instance(conn, DocKey(company, kind, order_number))
    if row is None:
        raise UnknownReference(f"{company}.{kind.value}.{order_number} does not exist in the "
                               f"TDIN; report status against one of your own orders")
    key = {"instance_id": row["id"], "item": item}
    conn.execute(delete(manufacturing).where(manufacturing.c.instance_id == row["id"],
                                             manufacturing.c.item == item))
    conn.execute(insert(manufacturing).values(
        **key, company=company, quantity=quantity, completed=completed, status=status,
        expected_completion=expected, reported_at=now))
    return row, quantity - completed


def work_in_progress(conn: Connection, company: str, item: str) -> list[tuple[dt.date, Decimal]]:
    rows = conn.execute(select(manufacturing.c.expected_completion, manufacturing.c.quantity,
                               manufacturing.c.completed)
                        .where(manufacturing.c.company == company, manufacturing.c.item == item,
                               manufacturing.c.status != "Completed")).all()
    return [(d, q - c) for d, q, c in rows if q > c]


def on_hand(conn: Connection, company: str, item: str) -> Decimal | None:
    return conn.execute(select(inventory.c.on_hand).where(
        inventory.c.company == company, inventory.c.item == item)).scalar_one_or_none()
