"""ExecuteComposition: a solved composition becomes purchase orders, from the
orchestrator to each chosen provider, through the normal propagation
(hq/submit.py), so that the trace shows the composed network.

One order per chosen provider that supplies something: the activity's item
(its code when it names none), the provider's units times the activity's
``units_per_product``, at the bid's unit price.  The orders are submitted in
the caller's transaction: a provider that is not a registered company with an
agreement with the orchestrator refuses the whole execution (UnknownReference)
and nothing is written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import Connection

from ..hq import submit
from ..hq.actor import Actor
from ..messages.canonical import T_DOCUMENT, submission_from_xml
from ..messages.schema import NS
from .instance import Instance, Node
from .messages import num
from .solution import EPS

_Q = "{%s}" % NS


@dataclass(frozen=True)
class Order:
    activity: str
    provider: str
    item: str
    quantity: float          # in the item's units
    number: str | None = None
    agent_id: str | None = None

    def as_dict(self) -> dict:
        return {"activity": self.activity, "provider": self.provider, "item": self.item,
                "quantity": self.quantity, "number": self.number, "agent_id": self.agent_id}


@dataclass(frozen=True)
class Reduction:
    """One placed order's part of a provider's reduction: cancelled whole, or
    cut to ``left``; ``order.quantity`` is the units it loses."""
    order: Order
    cancel: bool
    left: float


def reductions(placed: list[dict], cuts: list[Order],
               dropped: set[Node]) -> tuple[list[Reduction], list[dict]]:
    """Spread each provider's reduction over the orders placed to it so far.

    A provider can hold several orders: the execution's, and more units
    placed by earlier recompositions.  A dropped provider loses all of them;
    a provider kept for fewer units loses the latest first, an order that
    would keep nothing being cancelled rather than cut to zero.  Returns the
    reductions and the orders as they stand afterwards, which the next
    recomposition starts from."""
    ledger = [dict(o) for o in placed]
    out: list[Reduction] = []
    for cut in cuts:
        node = (cut.activity, cut.provider)
        mine = [o for o in ledger if (o["activity"], o["provider"]) == node and o.get("number")]
        remaining = cut.quantity
        for o in reversed(mine):
            if remaining <= EPS and node not in dropped:
                break
            take = o["quantity"] if node in dropped else min(remaining, o["quantity"])
            remaining -= take
            left = o["quantity"] - take
            whole = left <= EPS
            out.append(Reduction(Order(cut.activity, cut.provider, o["item"], take,
                                       number=o["number"], agent_id=o.get("agent_id")),
                                 cancel=whole, left=0.0 if whole else left))
            o["quantity"] = 0.0 if whole else left
    return out, [o for o in ledger if o["quantity"] > EPS]


def planned(inst: Instance, chosen: dict[Node, float]) -> list[Order]:
    """The orders a solution needs, in activity order (leaves first would be as good)."""
    out = []
    for (activity, provider), units in sorted(chosen.items()):
        if units <= 1e-6:
            continue
        a = inst.activity(activity)
        out.append(Order(activity, provider, a.item or activity, units * a.units_per_product))
    return out


def _document(job_id: str, k: int, orchestrator: str, order: Order, inst: Instance, *,
              number: str, issue: dt.date, requested: dt.date | None,
              currency: str | None) -> etree._Element:
    a = inst.activity(order.activity)
    price = inst.provider((order.activity, order.provider)).pcost / a.units_per_product
    root = etree.Element(_Q + "SubmitTransaction", nsmap={None: NS})
    etree.SubElement(root, _Q + "messageId").text = f"{job_id}-{k}"
    doc = etree.SubElement(root, _Q + "document")
    fields = [("type", "PurchaseOrder"), ("number", number), ("company", orchestrator),
              ("partner", order.provider), ("issueDate", issue.isoformat()),
              ("requestedDate", requested.isoformat() if requested else None),
              ("currency", currency), ("note", f"composition {job_id}, activity {a.code}")]
    for name, value in fields:
        if value is not None:
            etree.SubElement(doc, _Q + name).text = value
    line = etree.SubElement(doc, _Q + "line")
    for name, value in (("lineNumber", "1"), ("item", order.item),
                        ("description", (a.description or a.code)[:512]),
                        ("quantity", num(order.quantity)), ("unit", a.unit or "EA"),
                        ("unitPrice", num(price))):
        etree.SubElement(line, _Q + name).text = value
    return root


def place(conn: Connection, actor: Actor, job_id: str, inst: Instance, orders: list[Order], *,
          prefix: str, first: int, issue: dt.date, requested: dt.date | None,
          currency: str | None, now: dt.datetime) -> list[Order]:
    """Submit each order (numbered prefix-first, prefix-first+1, ...) through propagation."""
    placed = []
    for k, order in enumerate(orders, start=first):
        number = f"{prefix}-{k}"
        el = _document(job_id, k, actor.company, order, inst, number=number,  # type: ignore[arg-type]
                       issue=issue, requested=requested, currency=currency)
        submission = submission_from_xml(el)
        fingerprint = hashlib.sha256(repr(submission).encode()).hexdigest()
        prepared = submit.prepare(submission, request_hash=fingerprint, now=now,
                                  document_xml=el.find(T_DOCUMENT))
        result = submit.submit(conn, actor, prepared, now=now)
        placed.append(Order(order.activity, order.provider, order.item, order.quantity,
                            number=number, agent_id=result.agent_id))
    return placed

