"""ParallelizeOrder on the database: candidates from the request or from the
suppliers' offers (distance from the buyer's warehouse by geo.py), checked
against the network, quality read from the TDIN, the plan of parallelizer.py, and, when asked, one
purchase order per supplier (a line per part, due on the part's date) placed
through the normal propagation and remembered as one parallel order."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, insert, select

from ..domain.documents import DocKey, DocType, Document, Line
from ..domain.errors import Duplicate, Infeasible, InvalidRequest
from ..hq import store
from ..hq.actor import Actor
from ..persistence.tables import agreement, instance
from ..persistence.tables_msme import parallel_order, parallel_part, supplier_offer
from . import access, documents, ordering
from .geo import distance_km
from .parallelizer import Candidate, Plan, PlanError, Request, plan

ORDER_TYPES = (DocType.PURCHASE_ORDER.value, DocType.OUTSOURCING_ORDER.value)


def traded_before(conn: Connection, buyer: str, supplier: str) -> bool:
    """Quality of 003 Table 1: the buyer has ordered from the supplier before."""
    return conn.execute(select(instance.c.id).where(
        instance.c.company == buyer, instance.c.partner == supplier,
        instance.c.doc_type.in_(ORDER_TYPES), instance.c.state != "Canceled").limit(1)).first() \
        is not None


def _part_message_id(message_id: str, n: int) -> str:
    """The message id of the n-th purchase order: the request's, numbered; a long one
    is hashed first, so that numbering never cuts two ids down to the same text."""
    base = message_id if len(message_id) <= 56 else hashlib.sha256(
        message_id.encode()).hexdigest()[:56]
    return f"{base}-{n}"


@dataclass(frozen=True)
class CandidateIn:
    supplier: str
    distance: Decimal
    unit_price: Decimal
    available: Decimal
    lead_time_days: int | None


def report_offers(conn: Connection, actor: Actor, *, supplier: str, latitude: Decimal,
                  longitude: Decimal, offers: list[tuple[str, Decimal, Decimal, int | None]],
                  now: dt.datetime) -> int:
    """A supplier publishes what it offers (item, unit price, available, lead time),
    shipped from one place; replaces its earlier offer of the same items."""
    access.acting_as(conn, actor, supplier, what="report offers")
    items = [o[0] for o in offers]
    if len(set(items)) != len(items):
        raise InvalidRequest("each item once per offer message")
    conn.execute(supplier_offer.delete().where(supplier_offer.c.supplier == supplier,
                                               supplier_offer.c.item.in_(items)))
    conn.execute(insert(supplier_offer), [
        {"supplier": supplier, "item": item, "unit_price": price, "available": available,
         "lead_time_days": lead, "latitude": latitude, "longitude": longitude,
         "reported_at": now} for item, price, available, lead in offers])
    return len(offers)


def offered(conn: Connection, buyer: str, item: str, location: tuple[Decimal, Decimal] | None
            ) -> list[CandidateIn]:
    """The offers of ``item`` from the buyer's suppliers (those it has an agreement with)."""
    if location is None:
        raise InvalidRequest("without candidates in the request, the suppliers' offers are "
                             "used: give the warehouse's location to measure distances")
    rows = conn.execute(select(supplier_offer).join(
        agreement, (agreement.c.supplier == supplier_offer.c.supplier)
        & (agreement.c.buyer == buyer)).where(supplier_offer.c.item == item)
        .order_by(supplier_offer.c.supplier)).mappings().all()
    if not rows:
        raise Infeasible(f"none of {buyer}'s suppliers offers {item}; give candidates in the "
                         f"request, or ask suppliers to report offers (ReportSupplierOffer)")
    return [CandidateIn(r["supplier"], distance_km(*location, r["latitude"], r["longitude"]),
                        r["unit_price"], r["available"], r["lead_time_days"]) for r in rows]


@dataclass(frozen=True)
class Placed:
    plan: Plan
    required: Decimal
    traded: dict[str, bool]
    orders: dict[str, DocKey]          # supplier -> its purchase order
    candidates: list[CandidateIn]
    parallel_order_id: int | None


def parallelize(conn: Connection, actor: Actor, *, message_id: str, company: str, item: str,
                unit: str, capacity: Decimal, held: Decimal, required: Decimal | None,
                immediate: bool, initial: Decimal | None, daily_usage: Decimal | None,
                max_distance: Decimal | None, max_price: Decimal | None,
                order_date: dt.date, candidates: list[CandidateIn], place: bool,
                number_prefix: str | None, now: dt.datetime,
                location: tuple[Decimal, Decimal] | None = None) -> Placed:
    access.acting_as(conn, actor, company, what="parallelize orders")
    if not candidates:
        candidates = offered(conn, company, item, location)
    if required is None:
        required = ordering.stored_order_quantity(conn, company, item)
        if required is None:
            raise InvalidRequest(f"give requiredQuantity, or calculate {company}'s order "
                                 f"quantity for {item} first (CalculateOrderQuantity)")
    names = [c.supplier for c in candidates]
    if len(set(names)) != len(names):
        raise InvalidRequest("each candidate supplier once")
    if company in names:
        raise InvalidRequest(f"{company} cannot be its own supplier")
    if place and not number_prefix:
        raise InvalidRequest("placing the orders needs numberPrefix (orders are numbered "
                             "<numberPrefix>-1, -2, ...)")
    traded: dict[str, bool] = {}
    cands = []
    for c in candidates:
        access.require_company(conn, c.supplier)
        lead = c.lead_time_days
        if lead is None:
            lead = access.lead_time(conn, company, c.supplier)
            if lead is None:
                raise InvalidRequest(f"{company} has no agreement with {c.supplier}; give the "
                                     f"candidate's leadTimeDays")
        traded[c.supplier] = traded_before(conn, company, c.supplier)
        cands.append(Candidate(c.supplier, c.distance, c.unit_price, c.available, lead,
                               traded[c.supplier]))
    try:
        result = plan(Request(capacity=capacity, held=held, required=required, start=order_date,
                              immediate=immediate, initial=initial, daily_usage=daily_usage,
                              max_distance=max_distance, max_price=max_price), cands)
    except PlanError as exc:
        raise Infeasible(str(exc)) from None
    orders: dict[str, DocKey] = {}
    order_id = None
    if place:
        earlier = conn.execute(select(parallel_order.c.id).where(
            parallel_order.c.buyer == company, parallel_order.c.message_id == message_id)
        ).scalar_one_or_none()
        if earlier is not None:
            raise Duplicate(f"message id '{message_id}' already placed parallel order {earlier} "
                            f"(TrackOrder with parallelOrderId {earlier} shows it); use a new "
                            f"message id for a new order")
        order_id = conn.execute(insert(parallel_order).values(
            buyer=company, message_id=message_id, item=item, required=required, immediate=immediate,
            created_at=now).returning(parallel_order.c.id)).scalar_one()
        by_supplier = result.by_supplier()
        line_of: dict[int, tuple[int, int]] = {}   # id(part) -> (order instance, line number)
        for n, (supplier, parts) in enumerate(by_supplier.items(), start=1):
            key = DocKey(company, DocType.PURCHASE_ORDER, f"{number_prefix}-{n}")
            lines = tuple(Line(number=i, item=item, quantity=p.quantity, unit=unit,
                               unit_price=p.unit_price, requested_date=p.arrival,
                               description=f"part {i} of {len(parts)}, {p.rule}")
                          for i, p in enumerate(parts, start=1))
            doc = Document(key=key, partner=supplier, issue_date=order_date, lines=lines,
                           requested_date=max(p.arrival for p in parts),
                           note=f"parallel order {order_id}: {len(result.parts)} parts from "
                                f"{len(by_supplier)} suppliers for {required} {item}")
            documents.place(conn, actor, doc, message_id=_part_message_id(message_id, n),
                            now=now)
            orders[supplier] = key
            instance_id = store.find_instance(conn, key)["id"]
            line_of.update({id(p): (instance_id, i) for i, p in enumerate(parts, start=1)})
        conn.execute(insert(parallel_part), [
            {"order_id": order_id, "part_no": no, "supplier": p.supplier,
             "instance_id": line_of[id(p)][0], "line_no": line_of[id(p)][1],
             "quantity": p.quantity, "due": p.arrival}
            for no, p in enumerate(result.parts, start=1)])
    return Placed(result, required, traded, orders, candidates, order_id)
