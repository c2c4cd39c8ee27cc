"""SOAP operations of the composition feature (see operations.py for the contract).

Compose solves in the request, with its time limit capped (COMPOSE_CAP): for
small networks.  SubmitComposition queues the solve in the background
(composition/jobs.py) and answers at once; GetComposition reports its state,
its progress while it runs and its result.  ExecuteComposition places the
purchase orders; Recompose replaces a disrupted provider.  Every solve runs
before the request's transaction opens, so no lock is held while SCIP works.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from lxml import etree

from ..cascade import service as cascade_service
from ..composition import compose, execute, jobs, recompose
from ..composition.feasibility import check as precheck
from ..composition.instance import validate
from ..composition.messages import (
    Request, chosen_from_result, num, request_from_xml, result_to_xml,
)
from ..composition.solution import EPS, Solution
from ..domain.documents import DocKey, DocType
from ..domain.errors import Duplicate, IllegalTransition, InvalidRequest
from ..messages.schema import NS
from ..persistence.db import READ_ONLY
from .operations import XmlOperation

_Q = "{%s}" % NS
COMPOSE_DEFAULT, COMPOSE_CAP = 5.0, 20.0        # seconds, in the request
SUBMIT_DEFAULT, SUBMIT_CAP = 60.0, 3600.0       # seconds, in the background
MAX_NUMBER = 35                                  # DocumentNumber's length


def _sub(parent, name: str, text: str | None):
    if text is None:
        return None
    child = etree.SubElement(parent, _Q + name)
    child.text = text
    return child


def _response(name: str, job_id: str):
    out = etree.Element(_Q + name, nsmap={None: NS})
    _sub(out, "compositionId", job_id)
    return out


def _request(el) -> tuple[Request, etree._Element]:
    comp = el.find(_Q + "composition")
    req = request_from_xml(comp)
    validate(req.instance)
    precheck(req.instance)
    return req, comp


def _solved(solution: Solution, limit: float) -> Solution:
    if not solution.has_solution:
        raise InvalidRequest(f"no feasible network was found within {limit:g} s; use "
                             f"SubmitComposition, which allows up to {SUBMIT_CAP:g} s")
    return solution


def compose_op(scope, el):
    req, comp = _request(el)
    limit = min(req.time_limit or COMPOSE_DEFAULT, COMPOSE_CAP)
    solution = _solved(compose.compose(req.instance, time_limit=limit), limit)
    job_id = jobs.new_id()
    jobs.create(scope.conn, scope.actor, job_id=job_id, request=comp, time_limit=limit,
                state="Solved", now=scope.now)
    jobs.record_result(scope.conn, job_id, req.instance, solution, scope.now)
    scope.commit()
    out = _response("ComposeResponse", job_id)
    out.append(result_to_xml(req.instance, solution))
    return out


def submit_op(scope, el):
    req, comp = _request(el)
    limit = min(req.time_limit or SUBMIT_DEFAULT, SUBMIT_CAP)
    job_id = jobs.new_id()
    jobs.create(scope.conn, scope.actor, job_id=job_id, request=comp, time_limit=limit,
                state="Queued", now=scope.now)
    scope.commit()  # the worker must find the row
    jobs.start(scope.engine, job_id, req.instance, limit)
    out = _response("SubmitCompositionResponse", job_id)
    _sub(out, "state", "Queued")
    return out


def get_op(scope, el):
    row = jobs.load(scope.conn, scope.actor, el.findtext(_Q + "compositionId"))
    if jobs.resume_if_orphaned(scope.engine, row, scope.now):
        row = {**row, "state": "Queued", "incumbent": None, "bound": None, "gap": None,
               "updated_at": scope.now}
    out = _response("GetCompositionResponse", row["id"])
    _sub(out, "state", row["state"])
    if row["state"] in ("Running", "Solved") and row["incumbent"] is not None \
            or row["state"] == "Running":
        progress = etree.SubElement(out, _Q + "progress")
        for name in ("incumbent", "bound", "gap"):
            if row[name] is not None:
                _sub(progress, name, num(row[name]))
        _sub(progress, "updatedAt", row["updated_at"].isoformat())
    if row["result_xml"]:
        out.append(etree.fromstring(row["result_xml"]))
    if row["state"] == "Failed":
        failure = etree.SubElement(out, _Q + "failure")
        _sub(failure, "code", row["failure_code"])
        _sub(failure, "message", (row["failure_message"] or "")[:512])
    return out


def _solved_job(conn, actor, job_id: str, *, lock: bool) -> tuple[dict, Request, dict]:
    row = jobs.load(conn, actor, job_id, lock=lock)
    if row["state"] != "Solved":
        raise InvalidRequest(f"composition {job_id} is {row['state']}, not Solved: "
                             f"only a solved composition can be executed or recomposed")
    req = request_from_xml(etree.fromstring(row["request_xml"]))
    chosen = chosen_from_result(etree.fromstring(row["result_xml"]))
    return row, req, chosen


def _prefix(el, needed: int) -> str:
    prefix = el.findtext(_Q + "orderPrefix")
    if prefix is None:
        raise InvalidRequest("orders are placed for this composition: give orderPrefix and "
                             "issueDate")
    if len(f"{prefix}-{needed}") > MAX_NUMBER:
        raise InvalidRequest(f"orderPrefix {prefix!r} is too long: order numbers "
                             f"({prefix}-{needed}) have at most {MAX_NUMBER} characters")
    return prefix


def _order_xml(parent, name: str, order: execute.Order, cascade=None) -> None:
    o = etree.SubElement(parent, _Q + name)
    _sub(o, "activity", order.activity)
    _sub(o, "provider", order.provider)
    _sub(o, "item", order.item)
    _sub(o, "quantity", num(order.quantity))
    _sub(o, "number", order.number)
    _sub(o, "agentId", order.agent_id)
    if cascade is not None:
        _sub(o, "cascadeId", cascade.cascade_id)
        _sub(o, "cascadeStatus", cascade.plan.status)


def execute_op(scope, el):
    jobs.require_company(scope.actor, "ExecuteComposition")
    job_id = el.findtext(_Q + "compositionId")
    row, req, chosen = _solved_job(scope.conn, scope.actor, job_id, lock=True)
    if row["orders"]:
        raise Duplicate(f"composition {job_id} was already executed; its orders are "
                        f"placed (GetTrace shows them)")
    orders = execute.planned(req.instance, chosen)
    placed = execute.place(
        scope.conn, scope.actor, job_id, req.instance, orders,
        prefix=_prefix(el, len(orders)), first=1,
        issue=dt.date.fromisoformat(el.findtext(_Q + "issueDate")[:10]),
        requested=_date(el.findtext(_Q + "requestedDate")), currency=req.currency,
        now=scope.now)
    jobs.record_orders(scope.conn, job_id, [o.as_dict() for o in placed], scope.now)
    scope.commit()
    out = _response("ExecuteCompositionResponse", job_id)
    for order in placed:
        _order_xml(out, "order", order)
    return out


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def recompose_op(scope, el):
    job_id = el.findtext(_Q + "compositionId")
    disrupted = (el.findtext(_Q + "activity"), el.findtext(_Q + "provider"))
    # Read without the request's transaction: no lock is held while SCIP works.
    with scope.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        row, req, chosen = _solved_job(conn, scope.actor, job_id, lock=False)
        _not_superseded(conn, job_id, row)
    limit = min(row["time_limit"], COMPOSE_CAP)
    before_cost = float(etree.fromstring(row["result_xml"]).findtext(_Q + "objective"))
    rc = recompose.recompose(req.instance, chosen, disrupted, time_limit=limit)
    inst, solution = rc.instance, rc.solution
    new_id = jobs.new_id()
    previous = json.loads(row["orders"]) if row["orders"] else None
    to_place = [_order_of(c, inst) for c in rc.place]
    to_cancel = [_order_of(c, inst) for c in rc.cancel]
    placed, cancelled = to_place, [(o, None) for o in to_cancel]
    conn = scope.conn
    if previous is not None:
        # Checked again under the job's lock: two Recompose calls of one executed
        # composition must not both change its orders.
        jobs.load(conn, scope.actor, job_id, lock=True)
        _not_superseded(conn, job_id, row)
    jobs.create(conn, scope.actor, job_id=new_id, request=_request_xml(row, disrupted),
                time_limit=limit, state="Solved", now=scope.now, parent_id=job_id)
    jobs.record_result(conn, new_id, inst, solution, scope.now)
    if previous is not None:
        # The composition was executed: the new orders go out now, and the
        # cancellations and cuts go through the cascade machinery.
        jobs.require_company(scope.actor, "Recompose of an executed composition")
        placed = execute.place(conn, scope.actor, new_id, inst, to_place,
                               prefix=_prefix(el, len(to_place)), first=1,
                               issue=_date(el.findtext(_Q + "issueDate")) or scope.now.date(),
                               requested=None, currency=req.currency, now=scope.now)
        dropped = {(c.activity, c.provider) for c in rc.cancel
                   if rc.solution.chosen.get((c.activity, c.provider), 0.0) <= EPS}
        changes, kept = execute.reductions(previous, to_cancel, dropped)
        cascades = _carry_out(conn, scope, changes)
        cancelled = [(r.order, cascades[r.order.number]) for r in changes]
        # The orders as they stand after the cuts: a later Recompose starts from them.
        jobs.record_orders(conn, new_id, kept + [o.as_dict() for o in placed], scope.now)
    scope.commit()
    out = _response("RecomposeResponse", new_id)
    _sub(out, "kept", "true" if rc.kept else "false")
    _sub(out, "costBefore", num(before_cost))
    _sub(out, "costAfter", num(solution.objective))
    _sub(out, "costChange", num(solution.objective - before_cost))
    out.append(result_to_xml(inst, solution))
    for order in placed:
        _order_xml(out, "place", order)
    for order, cascade in cancelled:
        _order_xml(out, "cancel", order, cascade)
    return out


def _not_superseded(conn, job_id: str, row: dict) -> None:
    if row["orders"] and (later := jobs.superseded_by(conn, job_id)) is not None:
        raise IllegalTransition(f"composition {job_id} was recomposed as {later}, which changed "
                                f"its orders: recompose {later} instead")


def _carry_out(conn, scope, changes: list[execute.Reduction]) -> dict:
    """The order changes of a recomposition, through the cascade machinery: an order
    cancelled whole, or cut to what it keeps; either goes on downstream as far as
    change with grace allows, and a change with penalty becomes a change request
    to that provider.  Returns the cascade of each order number."""
    out = {}
    for r in changes:
        key = DocKey(scope.actor.company, DocType.PURCHASE_ORDER, r.order.number)
        if r.cancel:
            out[r.order.number] = cascade_service.change(conn, scope.actor, key, cancel=True,
                                                         now=scope.now)
        else:
            out[r.order.number] = cascade_service.change(
                conn, scope.actor, key, cancel=False, lines={1: Decimal(num(r.left))},
                now=scope.now)
    return out


def _order_of(change, inst) -> execute.Order:
    """A recomposition's change as an order of the activity's item, not yet placed."""
    a = inst.activity(change.activity)
    return execute.Order(change.activity, change.provider, a.item or a.code,
                         change.units * a.units_per_product)


def _request_xml(row: dict, disrupted: tuple[str, str]) -> etree._Element:
    """The parent's request without the disrupted provider's bid."""
    comp = etree.fromstring(row["request_xml"])
    for act in comp.iterfind(_Q + "activity"):
        if act.findtext(_Q + "code") != disrupted[0]:
            continue
        for bid in act.findall(_Q + "bid"):
            if bid.findtext(_Q + "provider") == disrupted[1]:
                act.remove(bid)
    for lane in comp.findall(_Q + "lane"):
        if (lane.findtext(_Q + "fromActivity"), lane.findtext(_Q + "fromProvider")) == disrupted:
            comp.remove(lane)
    return comp


OPERATIONS: list[XmlOperation] = [
    XmlOperation("Compose", "Choose providers for an order's activities (000 section VI) "
                 "within the request; for small networks.", compose_op),
    XmlOperation("SubmitComposition", "Queue a composition to be solved outside the request; "
                 "follow it with GetComposition.", submit_op),
    XmlOperation("GetComposition", "A composition's state, progress and result.", get_op,
                 read_only=True),
    XmlOperation("ExecuteComposition", "Place purchase orders to the chosen providers through "
                 "the normal propagation.", execute_op),
    XmlOperation("Recompose", "Replace a disrupted provider, keeping the rest of the network "
                 "where feasible; report the change in cost and orders.", recompose_op),
]
