"""FetchInbox for pull partners, and the arrival rule shared with push delivery.

A propagation message that reaches its receiver, fetched here or pushed by
delivery/worker.py, moves its agent from Dispatched to Received.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select, update

from ..domain.errors import Unauthorized
from ..domain.states import Event, State, advance
from ..persistence.tables import outbox
from . import store
from .actor import Actor


def fetch(conn: Connection, actor: Actor, *, limit: int, now: dt.datetime) -> tuple[list[bytes], int]:
    """Up to ``limit`` pending messages for the caller's company, oldest first, and how many remain."""
    if actor.company is None:
        raise Unauthorized("the administrator has no inbox; fetch as a company")
    q = (select(outbox.c.id, outbox.c.payload, outbox.c.kind, outbox.c.agent_id)
         .where(outbox.c.recipient == actor.company, outbox.c.state == "pending")
         .order_by(outbox.c.id).limit(limit))
    if store.is_postgres(conn):
        q = q.with_for_update(skip_locked=True)  # two pollers never get the same message
    rows = conn.execute(q).all()
    for row in rows:
        mark_delivered(conn, row.id, row.kind, row.agent_id, now, via="fetch",
                       actor=actor.username)
    remaining = conn.execute(
        select(outbox.c.id).where(outbox.c.recipient == actor.company,
                                  outbox.c.state == "pending")).all()
    return [r.payload.encode() for r in rows], len(remaining)


def mark_delivered(conn: Connection, outbox_id: int, kind: str, agent_id: str, now: dt.datetime,
                   *, via: str, actor: str) -> None:
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(
        state="delivered", delivered_at=now, attempts=outbox.c.attempts + 1, last_error=None))
    if kind != "Propagation":
        return
    agent = store.get_agent(conn, agent_id, lock=True)
    if agent is not None and agent["state"] == State.DISPATCHED.value:
        store.update_agent(conn, agent_id, agent["version"],
                           state=advance(State.DISPATCHED, Event.RECEIVE).value,
                           location=agent["receiver"], updated_at=now)
        store.log_event(conn, now=now, actor=actor, kind="arrived", company_code=agent["receiver"],
                        agent_id=agent_id, via=via)
