"""FetchInbox for pull partners, and the arrival rule shared with push delivery.

A pull partner's messages are handed out at least once: a message stays the
partner's until it confirms it (its messageId in ``confirm`` on a later
FetchInbox, or, for a propagated document, an Acknowledge of its agent).  An
unconfirmed message is handed out again once REDELIVERY has passed, so a
FetchInbox response lost on the way loses nothing; partners process each
messageId once.

A propagation message that first reaches its receiver, fetched here or pushed
by delivery/worker.py, moves its agent from Dispatched to Received.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, and_, func, select, update

from ..domain.errors import GatewayError, Unauthorized
from ..domain.states import Event, State, advance
from ..persistence.tables import outbox
from . import store
from .actor import Actor

REDELIVERY = dt.timedelta(seconds=60)


def _due(company: str, now: dt.datetime):
    # A pending row is due from when it was queued, or after the backoff of a
    # document that could not be rendered; a fetched one once its redelivery is due.
    return and_(outbox.c.recipient == company, outbox.c.state.in_(("pending", "fetched")),
                outbox.c.next_attempt_at <= now)


def fetch(conn: Connection, actor: Actor, *, limit: int, now: dt.datetime,
          confirm: tuple[str, ...] = (), native: bool | None = None) -> tuple[list[bytes], int]:
    """Confirm what the caller has processed, then hand out up to ``limit`` due
    messages, oldest first; returns their payloads and how many more are due.

    ``native`` (None: as the caller's agreement says) adds to each propagated
    document its rendering in the caller's own format.  A document that cannot
    be rendered faithfully (an unmapped part code, text the charset cannot
    carry) is not handed out: the row records why and waits the outbox's backoff
    (delivery.worker.failed_attempt); once the attempts are used up it is a dead
    letter for an administrator to fix and replay."""
    if actor.company is None:
        raise Unauthorized("the administrator has no inbox; fetch as a company")
    from ..delivery import native as native_format  # adapters load on first native use
    fmt = None
    if native is not False:
        fmt = native_format.format_of(conn, actor.company)
        native = fmt.native if native is None else native
    if confirm:
        conn.execute(update(outbox).where(
            outbox.c.recipient == actor.company, outbox.c.message_id.in_(confirm),
            outbox.c.state == "fetched").values(state="delivered", delivered_at=now))
    q = (select(outbox.c.id, outbox.c.payload, outbox.c.kind, outbox.c.agent_id, outbox.c.state,
                outbox.c.attempts)
         .where(_due(actor.company, now)).order_by(outbox.c.id).limit(limit))
    if store.is_postgres(conn):
        q = q.with_for_update(skip_locked=True)  # two pollers never get the same message
    rows = conn.execute(q).all()
    payloads: list[bytes] = []
    for row in rows:
        payload = row.payload.encode()
        if native and row.kind == "Propagation":
            try:
                payload = native_format.with_native(payload, native_format.render(conn, fmt, payload))
            except GatewayError as exc:
                _native_failed(conn, row.id, row.attempts, f"{exc.code}: {exc}", now)
                continue
        payloads.append(payload)
        conn.execute(update(outbox).where(outbox.c.id == row.id).values(
            state="fetched", next_attempt_at=now + REDELIVERY,
            attempts=outbox.c.attempts + 1, last_error=None))
        if row.state == "pending" and row.kind == "Propagation":
            arrived(conn, row.agent_id, now, via="fetch", actor=actor.username)
    remaining = conn.execute(select(func.count()).select_from(outbox)
                             .where(_due(actor.company, now))).scalar_one()
    return payloads, remaining


def _native_failed(conn: Connection, outbox_id: int, attempts: int, error: str,
                   now: dt.datetime) -> None:
    from ..delivery.worker import failed_attempt
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(
        **failed_attempt(attempts, error, now)))


def confirm_by_acknowledgement(conn: Connection, agent_id: str, now: dt.datetime) -> None:
    """An Acknowledge of an agent confirms the receiver got its propagation message."""
    conn.execute(update(outbox).where(
        outbox.c.agent_id == agent_id, outbox.c.kind == "Propagation",
        outbox.c.state.in_(("fetched", "pending"))).values(state="delivered", delivered_at=now))


def mark_delivered(conn: Connection, outbox_id: int, kind: str, agent_id: str, now: dt.datetime,
                   *, via: str, actor: str) -> None:
    """A push delivery the partner accepted."""
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(
        state="delivered", delivered_at=now, attempts=outbox.c.attempts + 1, last_error=None))
    if kind == "Propagation":
        arrived(conn, agent_id, now, via=via, actor=actor)


def arrived(conn: Connection, agent_id: str, now: dt.datetime, *, via: str, actor: str) -> None:
    agent = store.get_agent(conn, agent_id, lock=True)
    if agent is not None and agent["state"] == State.DISPATCHED.value:
        store.update_agent(conn, agent_id, agent["version"],
                           state=advance(State.DISPATCHED, Event.RECEIVE).value,
                           location=agent["receiver"], updated_at=now)
        store.log_event(conn, now=now, actor=actor, kind="arrived", company_code=agent["receiver"],
                        agent_id=agent_id, via=via)
