"""The order tracker (003 section 3.4).

Every purchase (or outsourcing) order still owed, parallel or not, is tracked
per supplier from the TDIN: ordered = the order's quantity, delivered = what
receivings reference of it (its referenced quantity), remaining = the
difference; the last delivery date is the order's requested date (the latest
of its lines' dates when it has none).  ``raise_due_alerts`` raises the alerts
alert_rules.py says are due, each once, to the buyer and to the supplier, as
DeliveryDueSoon / DeliveryOverdue notices through the outbox.  The outbox
worker's loop calls it; RaiseDueAlerts and ``smart-gateway msme alerts
--raise`` call it on demand.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..domain.documents import DocKey, DocType
from ..domain.errors import InvalidRequest, NotFound
from ..hq import store
from ..hq.actor import Actor
from ..hq.notices import notify
from ..persistence.batches import chunks
from ..persistence.tables import instance, instance_line
from ..persistence.tables_msme import alert, parallel_part
from . import access
from .alert_rules import DUE_SOON, OVERDUE, WARNING_DAYS, alerts_due

ORDER_TYPES = (DocType.PURCHASE_ORDER.value, DocType.OUTSOURCING_ORDER.value)
CLOSED = ("Canceled", "CompletelyReferenced")


@dataclass(frozen=True)
class Alert:
    kind: str
    order: DocKey
    state: str
    buyer: str
    supplier: str
    due: dt.date
    remaining: Decimal
    raised_at: dt.datetime


def _last_date(conn: Connection) -> object:
    # The order's requested date, else its latest line's.
    latest_line = (select(func.max(instance_line.c.requested_date))
                   .where(instance_line.c.instance_id == instance.c.id).scalar_subquery())
    return func.coalesce(instance.c.requested_date, latest_line)


def raise_due_alerts(conn: Connection, now: dt.datetime) -> list[Alert]:
    """Raise every alert due at ``now``; safe to run from several workers at once
    (an alert row is inserted once, and only its inserter sends the notices)."""
    today = now.date()
    last = _last_date(conn).label("due")
    rows = conn.execute(
        select(instance.c.id, instance.c.company, instance.c.doc_type, instance.c.number,
               instance.c.state, instance.c.partner, instance.c.partner_key,
               instance.c.quantity, instance.c.referenced_quantity, last)
        .where(instance.c.doc_type.in_(ORDER_TYPES), instance.c.state.not_in(CLOSED),
               instance.c.partner.is_not(None),
               last <= today + dt.timedelta(days=WARNING_DAYS))
        .order_by(instance.c.id)).mappings().all()
    if not rows:
        return []
    # Overdue orders stay due until delivered, so the list can outgrow one IN (...).
    raised: dict[int, set[str]] = {}
    for chunk in chunks(r["id"] for r in rows):
        for i, k in conn.execute(select(alert.c.instance_id, alert.c.kind).where(
                alert.c.instance_id.in_(chunk))):
            raised.setdefault(i, set()).add(k)
    insert_ = pg_insert if store.is_postgres(conn) else sqlite_insert
    out = []
    for r in rows:
        remaining = r["quantity"] - r["referenced_quantity"]
        already = raised.get(r["id"], set())
        for kind in alerts_due(due=r["due"], today=today, remaining=remaining, already=already):
            new = conn.execute(insert_(alert).values(
                instance_id=r["id"], kind=kind, buyer=r["company"], supplier=r["partner"],
                due=r["due"], remaining=remaining, raised_at=now)
                .on_conflict_do_nothing().returning(alert.c.id)).first()
            if new is None:
                continue  # another worker raised it first
            key = store.key_of(r)
            a = Alert(kind, key, r["state"], r["company"], r["partner"], r["due"], remaining, now)
            _tell(conn, a, r["partner_key"])
            out.append(a)
    return out


def _tell(conn: Connection, a: Alert, partner_key: str | None) -> None:
    if a.kind == DUE_SOON:
        text = (f"{a.order}: {a.remaining} still to deliver by {a.supplier}, due "
                f"{a.due.isoformat()}")
    else:
        text = (f"{a.order}: {a.remaining} not delivered by {a.supplier}; the last delivery "
                f"date {a.due.isoformat()} has passed")
    detail = [("supplier", a.supplier), ("remaining", a.remaining), ("due", a.due.isoformat())]
    if partner_key:
        detail.append(("salesOrder", partner_key))
    for recipient in (a.buyer, a.supplier):
        notify(conn, recipient=recipient, topic=a.kind, text=text, now=a.raised_at,
               subject=(a.order, a.state), detail=detail)


def list_alerts(conn: Connection, actor: Actor, company: str | None) -> list[Alert]:
    if company is not None:
        access.reading(conn, actor, company, what="list alerts")
    elif not actor.is_admin:
        company = actor.company
    q = (select(alert, instance.c.doc_type, instance.c.number, instance.c.company,
                instance.c.state)
         .join(instance, instance.c.id == alert.c.instance_id)
         .order_by(alert.c.raised_at, alert.c.id))
    if company is not None:
        q = q.where(or_(alert.c.buyer == company, alert.c.supplier == company))
    return [Alert(r["kind"], store.key_of(r), r["state"], r["buyer"], r["supplier"], r["due"],
                  r["remaining"], r["raised_at"]) for r in conn.execute(q).mappings()]


@dataclass(frozen=True)
class Tracked:
    supplier: str
    order: DocKey
    state: str
    ordered: Decimal
    delivered: Decimal
    last_date: dt.date | None

    @property
    def remaining(self) -> Decimal:
        return self.ordered - self.delivered


def track(conn: Connection, actor: Actor, *, company: str, number: str | None,
          parallel_order_id: str | None) -> tuple[bool, list[Tracked]]:
    access.reading(conn, actor, company, what="track orders")
    last = _last_date(conn).label("due")
    q = select(instance, last).where(instance.c.company == company,
                                     instance.c.doc_type.in_(ORDER_TYPES))
    if parallel_order_id is not None:
        if not parallel_order_id.isdigit() or len(parallel_order_id) > 18:
            raise NotFound(f"parallel order {parallel_order_id!r} does not exist")
        ids = select(parallel_part.c.instance_id).where(
            parallel_part.c.order_id == int(parallel_order_id))
        q = q.where(instance.c.id.in_(ids))
    else:
        q = q.where(instance.c.number == number)
    rows = conn.execute(q.order_by(instance.c.number)).mappings().all()
    if not rows:
        what = (f"parallel order {parallel_order_id}" if parallel_order_id is not None
                else f"purchase order {number}")
        raise NotFound(f"{company} has no {what}")
    if len(rows) > 1 and parallel_order_id is None:
        raise InvalidRequest(f"{company} has a purchase and an outsourcing order numbered "
                             f"{number}")
    parallel = parallel_order_id is not None or conn.execute(
        select(parallel_part.c.order_id).where(parallel_part.c.instance_id == rows[0]["id"])
        .limit(1)).first() is not None
    return parallel, [Tracked(r["partner"], store.key_of(r), r["state"], r["quantity"],
                              r["referenced_quantity"], r["due"]) for r in rows]


__all__ = ["Alert", "DUE_SOON", "OVERDUE", "list_alerts", "raise_due_alerts", "run_due_alerts",
           "track"]


def run_due_alerts(engine, now: dt.datetime) -> list[Alert]:
    """raise_due_alerts in a transaction of its own: what the outbox worker's loop
    and ``smart-gateway msme alerts --raise`` call."""
    with engine.begin() as conn:
        return raise_due_alerts(conn, now)
