"""The transaction cost model (TCM) of SMART section 2.5.3, over the agent registry and the TDIN.

A *transaction propagation* is one agent: one document carried from its
sender to its receiver (an order, a delivery, an invoice, a payment, a
return).  A propagation is *complete* when the document it carried has been
completely referenced by its successors (an order wholly received, a
delivery wholly invoiced ...), so that no more references are possible.

- NCTP: the number of complete propagations;
- NITP: the number of incomplete ones (canceled propagations are neither);
- ADTR / MDTR: the mean and the maximum duration of the complete ones, from
  the agent's sending time to the moment its document became completely
  referenced;
- TRCO: the transaction cost of the scope: the number of order instances it
  holds (purchase, outsourcing and sales orders, canceled ones left out): at
  best the orders of the first level of the bill of materials, at worst those
  of every level.

Scopes: the whole network (administrator), one company (the propagations it
sent and the orders it holds), or one order's trace (the propagations whose
document is in the trace; a company sees only those it sent or received).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from ..domain.documents import DocKey, DocType
from ..domain.errors import UnknownReference, Unauthorized
from ..domain.states import State
from ..persistence.tables import agent, instance
from . import store, trace
from .actor import Actor

ORDER_TYPES = (DocType.PURCHASE_ORDER.value, DocType.OUTSOURCING_ORDER.value,
               DocType.SALES_ORDER.value)


@dataclass(frozen=True)
class Metrics:
    scope: str
    nctp: int
    nitp: int
    adtr_seconds: float | None  # None when no propagation is complete
    mdtr_seconds: float | None
    trco: int


def metrics(conn: Connection, actor: Actor, *, company: str | None = None,
            order: DocKey | None = None) -> Metrics:
    if order is not None:
        found = trace.trace(conn, actor, company_code=order.company, number=order.number,
                            doc_type=order.doc_type)
        keys = {n.id for n in found.nodes}
        rows = [r for r in _propagations(conn) if r["source_key"] in keys
                and (actor.is_admin or actor.company in (r["sender"], r["receiver"]))]
        trco = sum(1 for n in found.nodes
                   if n.doc_type in ORDER_TYPES and n.state != State.CANCELED.value)
        return _tally(f"order {found.root}", rows, trco)
    if company is not None:
        if not actor.is_admin and company != actor.company:
            raise Unauthorized(f"the metrics of {company} are for {company} and the "
                               f"headquarter; ask for your own company's")
        if store.get_company(conn, company) is None:
            raise UnknownReference(f"company {company} is not registered in the network")
        rows = [r for r in _propagations(conn) if r["sender"] == company]
        trco = _order_count(conn, company)
        return _tally(f"company {company}", rows, trco)
    if not actor.is_admin:
        raise Unauthorized("the whole network's metrics are for the headquarter's "
                           "administrator; ask for your company or one of your orders")
    return _tally("network", _propagations(conn), _order_count(conn, None))


def _propagations(conn: Connection) -> list[dict]:
    q = (select(agent.c.sender, agent.c.receiver, agent.c.state.label("agent_state"),
                agent.c.sending_time, instance.c.company, instance.c.doc_type, instance.c.number,
                instance.c.state, instance.c.completed_at)
         .join(instance, instance.c.id == agent.c.source_instance_id))
    out = []
    for r in conn.execute(q).mappings():
        row = dict(r)
        row["source_key"] = str(store.key_of(row))
        out.append(row)
    return out


def _order_count(conn: Connection, company: str | None) -> int:
    q = select(instance.c.id).where(instance.c.doc_type.in_(ORDER_TYPES),
                                    instance.c.state != State.CANCELED.value)
    if company is not None:
        q = q.where(instance.c.company == company)
    return len(conn.execute(q).all())


def _tally(scope: str, rows: list[dict], trco: int) -> Metrics:
    live = [r for r in rows if r["agent_state"] != State.CANCELED.value
            and r["state"] != State.CANCELED.value]
    complete = [r for r in live if r["state"] == State.COMPLETELY_REFERENCED.value]
    durations = [(r["completed_at"] - r["sending_time"]).total_seconds()
                 for r in complete if r["completed_at"] is not None]
    return Metrics(
        scope=scope, nctp=len(complete), nitp=len(live) - len(complete),
        adtr_seconds=sum(durations) / len(durations) if durations else None,
        mdtr_seconds=max(durations) if durations else None,
        trco=trco,
    )


__all__ = ["Metrics", "metrics"]
