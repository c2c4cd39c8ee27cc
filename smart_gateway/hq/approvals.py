"""Transactions waiting for a manager: agents their receiver held in PendingApproval.

The receiver's ERP holds a transaction its business rules do not accept
(Acknowledge PendingApproval, with the reason); its manager lists them here
and decides with Acknowledge Approved or Rejected, with the reason, which the
registry and the event log keep.
"""
from __future__ import annotations

from sqlalchemy import Connection, select

from ..domain.errors import Unauthorized
from ..domain.states import State
from ..persistence.tables import agent, instance


def pending(conn: Connection, actor, *, company: str | None = None) -> list[dict]:
    """Held agents addressed to the caller's company (the administrator: any, or ``company``)."""
    if not actor.is_admin:
        if company not in (None, actor.company):
            raise Unauthorized(f"{actor.company} may list only its own pending approvals")
        company = actor.company
    q = (select(agent, instance.c.company.label("doc_company"), instance.c.doc_type,
                instance.c.number, instance.c.state.label("doc_state"), instance.c.quantity,
                instance.c.rush_rule)
         .join(instance, instance.c.id == agent.c.source_instance_id)
         .where(agent.c.state == State.PENDING_APPROVAL.value)
         .order_by(agent.c.sending_time, agent.c.id))
    if company is not None:
        q = q.where(agent.c.receiver == company)
    return [dict(r) for r in conn.execute(q).mappings()]
