"""Write a plan (domain/change.py) in the caller's transaction: all of it or, on any error, nothing.

The applied part changes instances, their lines and links; cancelled orders'
agents still in flight are cancelled with them; the frontier becomes change
requests; the cascade is logged with every step; and every company concerned
is told through its inbox (hq/notices.py), in the same transaction, so that a
notice exists exactly when the change it announces does.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection, bindparam, insert, select, update

from ..domain.agreements import ORDERS, AgreementTerms, rush_rule
from ..domain.change import APPLY, Plan, Step
from ..domain.documents import PROPAGATION, DocKey, DocType, UseCase
from ..domain.states import State
from ..hq import notices, store
from ..persistence.batches import chunks
from ..persistence.tables import agent, instance, instance_line, link
from ..persistence.tables_cascade import cascade, change_request

IN_FLIGHT = (State.DISPATCHED.value, State.RECEIVED.value, State.APPROVED.value,
             State.PENDING_APPROVAL.value)
_NOTICE_KEYS = 20
_MICRO = Decimal("0.000001")  # instance keys listed in one notice; the count says how many in all

_SET_INSTANCE = (update(instance).where(instance.c.id == bindparam("b_id"))
                 .values(quantity=bindparam("quantity"),
                         referenced_quantity=bindparam("referenced_quantity"),
                         state=bindparam("state"), requested_date=bindparam("requested_date"),
                         version=instance.c.version + 1, updated_at=bindparam("updated_at")))
_SET_LINE = (update(instance_line).where(instance_line.c.instance_id == bindparam("b_id"),
                                         instance_line.c.line_no == bindparam("b_no"))
             .values(quantity=bindparam("quantity"), requested_date=bindparam("requested_date")))
_SET_LINK = update(link).where(link.c.id == bindparam("b_id")).values(quantity=bindparam("quantity"))


def _scale_amounts(conn: Connection, plan: Plan) -> None:
    """The money a link carries (an invoice's of a delivery ...) follows its quantity."""
    changes = {c.id: c for c in plan.links}
    rows = []
    for chunk in chunks(changes):
        rows += conn.execute(select(link.c.id, link.c.amount).where(
            link.c.id.in_(chunk), link.c.amount.is_not(None))).all()
    updates = [{"b_id": lid, "amount": (amount * changes[lid].new_quantity
                                        / changes[lid].old_quantity).quantize(
                                            _MICRO, rounding=ROUND_HALF_UP)}
               for lid, amount in rows if changes[lid].old_quantity]
    if updates:
        conn.execute(update(link).where(link.c.id == bindparam("b_id"))
                     .values(amount=bindparam("amount")), updates)


def _reassess_rush(conn: Connection, applied: list[Step]) -> None:
    """An order whose quantities or dates changed is judged by its agreement again:
    moved inside the lead time or above the maximum it becomes rush, with the rule;
    moved back within them it is regular again.

    Read in bulk: a cascade may change thousands of orders, and one agreement
    serves every order between the same two companies."""
    ids = [s.id for s in applied if s.new_state != State.CANCELED.value and not (
        s.old_quantity == s.new_quantity and s.old_date == s.new_date and not s.lines)]
    orders = [row for row in store.instances_by_id(conn, ids)
              if row["doc_type"] in ORDERS and row["partner"] is not None]
    if not orders:
        return
    terms_of: dict[tuple[str, str], AgreementTerms | None] = {}
    for row in orders:
        pair = (row["company"], row["partner"])
        if pair not in terms_of:
            agreed = store.get_agreement(conn, *pair)
            terms_of[pair] = store.agreement_terms(conn, agreed) if agreed else None
    documents = store.documents_of(conn, orders)
    changes = []
    for row in orders:
        terms = terms_of[(row["company"], row["partner"])]
        if terms is None:
            continue
        rule = rush_rule(documents[row["id"]], terms)
        if rule != row["rush_rule"]:
            changes.append({"b_id": row["id"], "rush": rule is not None, "rush_rule": rule})
    if changes:
        conn.execute(update(instance).where(instance.c.id == bindparam("b_id")).values(
            rush=bindparam("rush"), rush_rule=bindparam("rush_rule")), changes)


def step_json(s: Step) -> dict[str, Any]:
    return {"id": s.id, "key": s.key, "action": s.action, "status": s.status,
            "old_state": s.old_state, "new_state": s.new_state,
            "old_quantity": str(s.old_quantity), "new_quantity": str(s.new_quantity),
            "old_referenced": str(s.old_referenced), "new_referenced": str(s.new_referenced),
            "old_date": s.old_date.isoformat() if s.old_date else None,
            "new_date": s.new_date.isoformat() if s.new_date else None,
            "version": s.version, "penalty": str(s.penalty), "reason": s.reason}


def apply(conn: Connection, plan: Plan, *, actor_name: str, originator: str | None,
          now: dt.datetime, request_id: int | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``plan``; returns the cascade id and the change requests opened."""
    cascade_id = f"CAS-{uuid.uuid4()}"
    applied = plan.applied
    if applied:
        conn.execute(_SET_INSTANCE, [
            {"b_id": s.id, "quantity": s.new_quantity, "referenced_quantity": s.new_referenced,
             "state": s.new_state, "requested_date": s.new_date, "updated_at": now}
            for s in applied])
    lines = [{"b_id": s.id, "b_no": n, "quantity": q, "requested_date": d}
             for s in applied if s.action == APPLY and s.new_state != State.CANCELED.value
             for n, q, d in s.lines]
    if lines:
        conn.execute(_SET_LINE, lines)
    if plan.links:
        conn.execute(_SET_LINK, [{"b_id": c.id, "quantity": c.new_quantity} for c in plan.links])
        _scale_amounts(conn, plan)
    _reassess_rush(conn, applied)
    cancelled = [s.id for s in applied if s.new_state == State.CANCELED.value]
    if cancelled:
        # An order cancelled before its supplier created the sales order: its
        # agent stops, so a late acknowledgement is refused by the state model.
        for chunk in chunks(cancelled):
            conn.execute(update(agent).where(agent.c.source_instance_id.in_(chunk),
                                             agent.c.state.in_(IN_FLIGHT))
                         .values(state=State.CANCELED.value, updated_at=now,
                                 reason="the document was cancelled", version=agent.c.version + 1))

    hops = _agents(conn, plan, now)
    # An order changed, or asked again, makes its earlier pending requests moot.
    changed = [s.id for s in plan.steps if s.action != "Referencing"]
    for chunk in chunks(changed):
        # A request made on an order that has changed since asks about what no
        # longer is: it is superseded (its decision would be refused as stale).
        conn.execute(update(change_request).where(
            change_request.c.order_instance_id.in_(chunk),
            change_request.c.state == "pending").values(
            state="superseded", decided_at=now, decided_by=actor_name,
            decision_note=f"the order changed again (cascade {cascade_id})"))
    conn.execute(insert(cascade).values(
        id=cascade_id, root_instance_id=plan.root, kind="cancel" if plan.cancel else "update",
        actor=actor_name, company=originator, status=plan.status, applied=len(applied),
        requests=len(plan.frontier), penalty=plan.penalty, request_id=request_id,
        created_at=now, plan=json.dumps([step_json(s) for s in plan.steps], sort_keys=True)))
    requests = [_open_request(conn, cascade_id, s, plan.cancel, actor_name, originator, now)
                for s in plan.frontier]
    _notify(conn, cascade_id, plan, requests, hops, now)
    store.log_event(conn, now=now, actor=actor_name, kind=f"cascade:{'cancel' if plan.cancel else 'update'}",
                    company_code=originator, instance_id=plan.root, cascade=cascade_id,
                    status=plan.status, applied=len(applied), requests=len(requests),
                    penalty=str(plan.penalty))
    return cascade_id, requests


def _open_request(conn: Connection, cascade_id: str, s: Step, cancel: bool, actor_name: str,
                  originator: str | None, now: dt.datetime) -> dict[str, Any]:
    order = store.get_instance(conn, s.id)
    row = {"cascade_id": cascade_id, "company": order["partner"], "order_instance_id": s.id,
           "counterpart_instance_id": s.counterpart, "order_version": s.version,
           "kind": "cancel" if cancel else "update",
           "proposal": json.dumps({"lines": [[n, str(q), d.isoformat() if d else None]
                                             for n, q, d in s.lines],
                                   "requested_date": s.new_date.isoformat() if s.new_date else None,
                                   "links": [[i, str(q)] for i, q in s.waiting]}),
           "quantity": s.new_quantity, "penalty": s.penalty, "reason": s.reason[:512],
           "state": "pending", "originator": originator, "originator_user": actor_name,
           "created_at": now}
    request_id = conn.execute(insert(change_request).values(**row)
                              .returning(change_request.c.id)).scalar_one()
    return {"id": request_id, **row}


def _agents(conn: Connection, plan: Plan, now: dt.datetime) -> dict[int, str]:
    """One agent per inter-company hop the cascade applied, with use case update or delete.

    The paper's TPA performs abnormal propagations too: an update agent waits
    in state Modified until the receiver acknowledges it Confirmed (which
    confirms both documents of the hop); a delete agent is Canceled at once.
    Returns the agent id by the receiver's instance.
    """
    applied = {s.id: s for s in plan.applied}
    rows, hops = [], {}
    for s in plan.applied:
        src = applied.get(s.mirror_of) if s.mirror_of is not None else None
        if src is None or s.action != APPLY:
            continue
        kind, _ = PROPAGATION.get(DocType(src.doc_type), (None, None))
        if kind is None:
            continue
        delete = s.new_state == State.CANCELED.value
        agent_id = f"TPA-{uuid.uuid4()}"
        hops[s.id] = agent_id
        rows.append(dict(
            id=agent_id, kind=kind.value, use_case=(UseCase.DELETE if delete else UseCase.UPDATE).value,
            state=(State.CANCELED if delete else State.MODIFIED).value, location=s.company,
            sender=src.company, receiver=s.company, forwarder=s.company, sending_time=now,
            primary_key=src.key, inter_company_fk=s.key, source_instance_id=src.id,
            target_instance_id=s.id, reason=None, updated_at=now, version=1))
    if rows:
        conn.execute(insert(agent), rows)
    return hops


def _notify(conn: Connection, cascade_id: str, plan: Plan, requests: list[dict[str, Any]],
            hops: dict[int, str], now: dt.datetime) -> None:
    by: dict[tuple[str, str], list[Step]] = {}
    for s in plan.applied:
        topic = "Cancelled" if s.new_state == State.CANCELED.value else "ChangeApplied"
        by.setdefault((s.company, topic), []).append(s)
    for (company_code, topic), steps in sorted(by.items()):
        first = steps[0]
        notices.notify(
            conn, recipient=company_code, topic=topic, now=now,
            subject=(_key(first.key), first.new_state),
            text=(f"{len(steps)} of your documents {'were cancelled' if topic == 'Cancelled' else 'changed'} "
                  f"by cascade {cascade_id} (from {plan.steps[0].key if plan.steps else '?'})"),
            detail=[("cascade", cascade_id), ("count", len(steps))] + [
                ("instance", f"{s.key}: {s.old_quantity} -> {s.new_quantity}, "
                             f"{s.old_state} -> {s.new_state}"
                             + (f", date {s.new_date}" if s.new_date != s.old_date else "")
                             + (f", confirm agent {hops[s.id]}" if s.id in hops
                                and s.new_state == State.MODIFIED.value else ""))
                for s in steps[:_NOTICE_KEYS]])
    for step, r in zip(plan.frontier, requests, strict=True):  # requests: in frontier order
        # The buyer whose order now waits hears of it too.
        notices.notify(
            conn, recipient=step.company, topic="ChangeRequested", now=now,
            subject=(_key(step.key), step.old_state),
            text=(f"{step.key} waits for {r['company']} to accept or reject change request "
                  f"{r['id']} ({step.reason})"),
            detail=[("cascade", cascade_id), ("request", r["id"]), ("penalty", step.penalty)])
        notices.notify(
            conn, recipient=r["company"], topic="ChangeRequested", now=now,
            subject=(_key(step.key), step.old_state),
            text=(f"{step.key} asks to {'cancel' if r['kind'] == 'cancel' else 'change'} "
                  f"its order ({step.reason}); accept or reject change request {r['id']} "
                  f"(DecideChangeRequest)"),
            detail=[("cascade", cascade_id), ("request", r["id"]),
                    ("quantity", f"{step.old_quantity} -> {step.new_quantity}"),
                    ("requestedDate", f"{step.old_date} -> {step.new_date}"),
                    ("penalty", step.penalty)])


def _key(text: str) -> DocKey:
    company, doc_type, number = text.split(".", 2)
    return DocKey(company, DocType(doc_type), number)


__all__ = ["apply", "step_json"]
