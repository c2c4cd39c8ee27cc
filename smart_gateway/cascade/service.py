"""The use cases of abnormal propagation: update, cancel, plan, change requests, confirmation.

Each runs in the caller's one transaction: the subgraph is loaded and locked
(subgraph.py), planned (domain/change.py) and, unless only planned, applied
(apply.py).  Any error raised before the commit leaves nothing written.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import Connection, select, update

from ..domain.change import Change, Graph, Plan, allocate, confirm_state, plan
from ..domain.documents import FULFILS, SUBMITTABLE, DocKey, DocType
from ..domain.errors import IllegalTransition, InvalidRequest, NotFound, Unauthorized
from ..domain.states import State
from ..hq import notices, store
from ..hq.actor import Actor
from ..persistence.tables import link
from ..persistence.tables_cascade import cascade, change_request
from . import apply as applying
from .subgraph import TermsBook, load, lock


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    visible: frozenset[str] | None     # companies the caller may see (None: all)
    cascade_id: str | None = None      # None: only planned
    requests: list[dict[str, Any]] = field(default_factory=list)


def _root(conn: Connection, actor: Actor, key: DocKey, expected_version: int | None) -> dict:
    row = store.find_instance(conn, key)
    if row is None or not (actor.is_admin or actor.acts_as(row["company"])):
        if row is not None and not actor.is_admin:
            raise Unauthorized(f"only {row['company']} (or the administrator) may change "
                               f"{key}; {actor.company} may change its own documents")
        raise NotFound(f"{key} does not exist in the TDIN")
    if key.doc_type not in SUBMITTABLE:
        raise InvalidRequest(f"a {key.doc_type.value} follows the document it answers; change "
                             f"that document ({row['partner_key'] or 'its sender'}) instead")
    if expected_version is not None and row["version"] != expected_version:
        raise IllegalTransition(
            f"{key} changed since you read it: it is at version {row['version']}, you had "
            f"{expected_version}; read it again (PlanChange) and retry")
    return row


def _plan(conn: Connection, root_id: int, change: Change, now: dt.datetime) -> tuple[Graph, Plan]:
    graph = load(conn, root_id)
    return graph, plan(graph, change, TermsBook(conn), today=now.date())


def _visible(actor: Actor, graph: Graph) -> frozenset[str] | None:
    if actor.is_admin:
        return None
    own = actor.company
    seen = {own} | {n.partner for n in graph.nodes.values() if n.company == own and n.partner}
    seen |= {n.company for n in graph.nodes.values() if n.partner == own}
    return frozenset(c for c in seen if c)


def change(conn: Connection, actor: Actor, key: DocKey, *, cancel: bool,
           lines: Mapping[int, Decimal] | None = None, requested_date: dt.date | None = None,
           expected_version: int | None = None, now: dt.datetime, dry_run: bool = False) -> Outcome:
    """UpdateTransaction, CancelTransaction and (dry_run) PlanChange."""
    row = _root(conn, actor, key, expected_version)
    graph = load(conn, row["id"], for_update=not dry_run)  # a plan changes nothing: no locks
    locked = graph.nodes[row["id"]].version
    if expected_version is not None and locked != expected_version:  # moved before the lock
        raise IllegalTransition(
            f"{key} changed since you read it: it is at version {locked}, you had "
            f"{expected_version}; read it again (PlanChange) and retry")
    planned = plan(graph, Change(root=row["id"], cancel=cancel, lines=dict(lines or {}),
                                 requested_date=requested_date), TermsBook(conn),
                   today=now.date())
    if dry_run:
        return Outcome(planned, _visible(actor, graph))
    cascade_id, requests = applying.apply(conn, planned, actor_name=actor.username,
                                          originator=actor.company, now=now)
    return Outcome(planned, _visible(actor, graph), cascade_id, requests)


# ------------------------------------------------------------------ change requests


def list_requests(conn: Connection, actor: Actor, *, state: str | None = None) -> list[dict]:
    """Change requests the caller decides or asked for (the administrator: all)."""
    q = select(change_request).order_by(change_request.c.id)
    if state:
        q = q.where(change_request.c.state == state)
    if not actor.is_admin:
        q = q.where((change_request.c.company == actor.company)
                    | (change_request.c.originator == actor.company))
    out = []
    for r in conn.execute(q).mappings():
        r = dict(r)
        r["order"] = store.get_instance(conn, r["order_instance_id"])
        r["counterpart"] = (store.get_instance(conn, r["counterpart_instance_id"])
                            if r["counterpart_instance_id"] else None)
        out.append(r)
    return out


def decide(conn: Connection, actor: Actor, request_id: int, *, accept: bool, note: str | None,
           now: dt.datetime) -> tuple[dict, Outcome | None]:
    """The supplier accepts (the cascade goes on from its order) or rejects a change request."""
    req = _change_request(conn, request_id, for_update=False)
    if req is None or not (actor.is_admin or actor.company in (req["company"], req["originator"])):
        raise NotFound(f"no change request {request_id} for {actor.company or 'you'}")
    if not actor.is_admin and actor.company != req["company"]:
        raise Unauthorized(f"change request {request_id} is decided by {req['company']}, "
                           f"not by {actor.company}")
    # The order before its request, as a cascade takes them (it locks the
    # instances, then supersedes their pending requests): the other way round,
    # a decision and a cascade over the same order would deadlock.  Read again
    # once locked: the cascade we waited for may have superseded the request.
    lock(conn, [req["order_instance_id"]])
    req = _change_request(conn, request_id, for_update=True)
    if req["state"] != "pending":
        raise IllegalTransition(f"change request {request_id} was already {req['state']}")
    order = store.get_instance(conn, req["order_instance_id"])
    key = store.key_of(order)
    outcome = None
    if accept:
        if order["version"] != req["order_version"]:
            raise IllegalTransition(
                f"{key} changed since change request {request_id} was made (version "
                f"{req['order_version']}, now {order['version']}); the request is out of date: "
                f"reject it and ask again")
        proposal = json.loads(req["proposal"])
        chg = Change(root=order["id"], cancel=req["kind"] == "cancel", accepted=True,
                     lines={n: Decimal(q) for n, q, _ in proposal["lines"]},
                     links={i: Decimal(q) for i, q in proposal.get("links", [])},
                     requested_date=(dt.date.fromisoformat(proposal["requested_date"])
                                     if proposal["requested_date"] else None))
        graph, planned = _plan(conn, order["id"], chg, now)
        cascade_id, requests = applying.apply(conn, planned, actor_name=actor.username,
                                              originator=req["originator"], now=now,
                                              request_id=request_id)
        outcome = Outcome(planned, _visible(actor, graph), cascade_id, requests)
    else:
        _cut_back(conn, order)
    state = "accepted" if accept else "rejected"
    conn.execute(update(change_request).where(change_request.c.id == request_id).values(
        state=state, decided_at=now, decided_by=actor.username, decision_note=note))
    topic = "ChangeAccepted" if accept else "ChangeRejected"
    # The originator hears of the decision, and the buyer whose order it was.
    for who in sorted({c for c in (req["originator"], order["company"]) if c}):
        notices.notify(conn, recipient=who, topic=topic, now=now,
                       subject=(key, store.get_instance(conn, order["id"])["state"]),
                       text=(f"{req['company']} {state} change request {request_id} on {key}"
                             + (f": {note}" if note else "")),
                       detail=[("request", request_id), ("cascade", req["cascade_id"]),
                               ("penalty", req["penalty"])])
    store.log_event(conn, now=now, actor=actor.username, kind=f"change-request:{state}",
                    company_code=actor.company, instance_id=order["id"], request=request_id,
                    note=note)
    return {**dict(req), "state": state}, outcome


def _change_request(conn: Connection, request_id: int, *, for_update: bool) -> dict | None:
    q = select(change_request).where(change_request.c.id == request_id)
    if for_update and store.is_postgres(conn):
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def _cut_back(conn: Connection, order: dict) -> None:
    """A rejected order keeps its quantity: the recipe links into it carry no more than it has."""
    links = [r for r in conn.execute(select(link).where(link.c.target_id == order["id"],
                                                        link.c.scope == "RA-TDN")
                                     .order_by(link.c.id)).mappings()
             if (DocType(order["doc_type"]), DocType(store.get_instance(conn, r["source_id"])["doc_type"]))
             not in FULFILS]
    carried = sum((r["quantity"] for r in links), Decimal(0))
    if carried <= order["quantity"]:
        return
    for r, qty in zip(links, allocate([r["quantity"] for r in links], order["quantity"], carried)):
        if qty != r["quantity"]:
            conn.execute(update(link).where(link.c.id == r["id"]).values(quantity=qty))


# ------------------------------------------------------------------ confirmation


def confirm(conn: Connection, actor: Actor, *, key: DocKey | None = None,
            cascade_id: str | None = None, now: dt.datetime) -> list[tuple[DocKey, str]]:
    """The company confirms its Modified documents: one, or all of a cascade's."""
    if key is not None:
        row = store.find_instance(conn, key, lock=True)
        if row is None or not (actor.is_admin or actor.acts_as(row["company"])):
            raise NotFound(f"{key} is not one of your documents")
        rows = [row]
    else:
        log = conn.execute(select(cascade.c.plan).where(cascade.c.id == cascade_id)).first()
        if log is None:
            raise NotFound(f"no cascade {cascade_id}")
        ids = {s["id"] for s in json.loads(log[0])}
        lock(conn, ids)   # in id order, as every cascade locks
        rows = [r for r in sorted(store.instances_by_id(conn, list(ids)), key=lambda r: r["id"])
                if (actor.is_admin or actor.acts_as(r["company"]))
                and r["state"] == State.MODIFIED.value]
        if not rows:
            raise InvalidRequest(f"cascade {cascade_id} left none of your documents to confirm")
    done = []
    for r in rows:
        new_state = confirm_state(State(r["state"]), r["referenced_quantity"], r["quantity"])
        store.update_instance(conn, r["id"], now, state=new_state.value)
        done.append((store.key_of(r), new_state.value))
    store.log_event(conn, now=now, actor=actor.username, kind="change-confirmed",
                    company_code=actor.company, confirmed=[str(k) for k, _ in done])
    return done


__all__ = ["Outcome", "change", "confirm", "decide", "list_requests"]
