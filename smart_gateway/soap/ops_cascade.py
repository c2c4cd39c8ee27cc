"""SOAP operations of the cascade feature (see operations.py for the contract).

UpdateTransaction, CancelTransaction, PlanChange, ListChangeRequests,
DecideChangeRequest and ConfirmChange: each reads its validated request
element, calls one use case of smart_gateway/cascade/service.py and writes the
response element; the rules live in domain/change.py.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from lxml import etree

from ..cascade import service
from ..domain.documents import DocKey, DocType
from ..domain.errors import Duplicate
from ..hq import store
from ..messages.canonical import format_decimal
from ..messages.schema import NS
from .operations import XmlOperation

_Q = "{%s}" % NS


def _t(el, name: str) -> str | None:
    return el.findtext(_Q + name)


def _target(request) -> tuple[DocKey, int | None]:
    el = request.find(_Q + "document")
    version = _t(el, "expectedVersion")
    return (DocKey(_t(el, "company"), DocType(_t(el, "type")), _t(el, "number")),
            int(version) if version is not None else None)


def _lines(request) -> dict[int, Decimal]:
    return {int(_t(ln, "lineNumber")): Decimal(_t(ln, "quantity").strip())
            for ln in request.findall(_Q + "line")}


def _date(request) -> dt.date | None:
    text = _t(request, "requestedDate")
    return dt.date.fromisoformat(text.strip()[:10]) if text else None


def _sub(parent, name: str, value) -> None:
    if value is None:
        return
    el = etree.SubElement(parent, _Q + name)
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, Decimal):
        el.text = format_decimal(value)
    elif isinstance(value, dt.date):
        el.text = value.isoformat()
    else:
        el.text = str(value)


def _ref(parent, name: str, key: str, state: str) -> None:
    company, doc_type, number = key.split(".", 2)
    el = etree.SubElement(parent, _Q + name)
    for n, v in (("company", company), ("type", doc_type), ("number", number), ("state", state)):
        _sub(el, n, v)


def _seen(actor, row) -> bool:
    """A company sees its own documents and those of its direct partners linked to its own."""
    return actor.is_admin or actor.company in (row["company"], row["partner"])


def _request(parent, r: dict, actor) -> None:
    el = etree.SubElement(parent, _Q + "changeRequest")
    order = r.get("order")
    _sub(el, "requestId", r["id"])
    _sub(el, "cascadeId", r["cascade_id"])
    _sub(el, "company", r["company"])
    _sub(el, "kind", r["kind"])
    _sub(el, "state", r["state"])
    if order is not None:
        _ref(el, "order", str(store.key_of(order)), order["state"])
    if r.get("counterpart") is not None and _seen(actor, r["counterpart"]):
        _ref(el, "counterpart", str(store.key_of(r["counterpart"])), r["counterpart"]["state"])
    _sub(el, "quantity", r["quantity"])
    proposal = json.loads(r["proposal"])
    if proposal.get("requested_date"):
        _sub(el, "requestedDate", dt.date.fromisoformat(proposal["requested_date"]))
    _sub(el, "penalty", r["penalty"])
    _sub(el, "reason", r["reason"] or "-")
    _sub(el, "originator", r["originator"])


def _result(parent, outcome: service.Outcome, conn, actor) -> None:
    el = etree.SubElement(parent, _Q + "result")
    plan = outcome.plan
    _sub(el, "cascadeId", outcome.cascade_id)
    _sub(el, "status", plan.status)
    _sub(el, "penalty", plan.penalty)
    hidden = 0
    for s in plan.steps:
        if outcome.visible is not None and s.company not in outcome.visible:
            hidden += 1
            continue
        st = etree.SubElement(el, _Q + "step")
        _ref(st, "instance", s.key, s.new_state)
        for name, value in (("action", s.action), ("status", s.status), ("oldState", s.old_state),
                            ("oldQuantity", s.old_quantity), ("newQuantity", s.new_quantity),
                            ("oldReferencedQuantity", s.old_referenced),
                            ("newReferencedQuantity", s.new_referenced),
                            ("oldRequestedDate", s.old_date), ("newRequestedDate", s.new_date),
                            ("version", s.version),
                            ("penalty", s.penalty if s.penalty else None),
                            ("reason", s.reason[:512] or None)):
            _sub(st, name, value)
    _sub(el, "hiddenSteps", hidden)
    for r in outcome.requests:
        order = store.get_instance(conn, r["order_instance_id"])
        counterpart = (store.get_instance(conn, r["counterpart_instance_id"])
                       if r["counterpart_instance_id"] else None)
        _request(el, {**r, "order": order, "counterpart": counterpart}, actor)


def _out(name: str):
    return etree.Element(_Q + name, nsmap={None: NS})


def _once(operation: str, handler):
    """A request with a messageId is processed once per company: a retry (same id, same
    content) gets the first answer again; the same id for other content is a Duplicate."""
    def run(scope, request):
        message_id = _t(request, "messageId")
        if message_id is None or scope.actor.company is None:
            return handler(scope, request)
        # The content as read (namespace URIs, not prefixes; no layout whitespace), so
        # that a retry from another SOAP stack is still recognised.
        fingerprint = hashlib.sha256(repr([(el.tag, (el.text or "").strip())
                                           for el in request.iter()]).encode()).hexdigest()
        seen = store.recorded_reply(scope.conn, scope.actor.company, message_id)
        if seen is not None:
            if seen["request_hash"] != fingerprint or seen["operation"] != operation:
                raise Duplicate(f"message id '{message_id}' was already used by "
                                f"{scope.actor.company} for a different request; use a new one")
            return seen["response"].encode()
        out = handler(scope, request)
        store.record_reply(scope.conn, company_code=scope.actor.company, message_id=message_id,
                           operation=operation, request_hash=fingerprint,
                           response=etree.tostring(out, encoding="unicode"), now=scope.now)
        return out
    return run


def update_transaction(scope, request):
    key, version = _target(request)
    outcome = service.change(scope.conn, scope.actor, key, cancel=False, lines=_lines(request),
                             requested_date=_date(request), expected_version=version,
                             now=scope.now)
    out = _out("UpdateTransactionResponse")
    _result(out, outcome, scope.conn, scope.actor)
    return out


def cancel_transaction(scope, request):
    key, version = _target(request)
    outcome = service.change(scope.conn, scope.actor, key, cancel=True,
                             expected_version=version, now=scope.now)
    out = _out("CancelTransactionResponse")
    _result(out, outcome, scope.conn, scope.actor)
    return out


def plan_change(scope, request):
    key, version = _target(request)
    cancel = (_t(request, "cancel") or "").strip() in ("true", "1")
    outcome = service.change(scope.conn, scope.actor, key, cancel=cancel, lines=_lines(request),
                             requested_date=_date(request), expected_version=version,
                             now=scope.now, dry_run=True)
    out = _out("PlanChangeResponse")
    _result(out, outcome, scope.conn, scope.actor)
    return out


def list_change_requests(scope, request):
    out = _out("ListChangeRequestsResponse")
    for r in service.list_requests(scope.conn, scope.actor, state=_t(request, "state")):
        _request(out, r, scope.actor)
    return out


def decide_change_request(scope, request):
    accept = (_t(request, "accept") or "").strip() in ("true", "1")
    req, outcome = service.decide(scope.conn, scope.actor, int(_t(request, "requestId")),
                                  accept=accept, note=_t(request, "note"), now=scope.now)
    out = _out("DecideChangeRequestResponse")
    order = store.get_instance(scope.conn, req["order_instance_id"])
    counterpart = (store.get_instance(scope.conn, req["counterpart_instance_id"])
                   if req["counterpart_instance_id"] else None)
    _request(out, {**req, "order": order, "counterpart": counterpart}, scope.actor)
    if outcome is not None:
        _result(out, outcome, scope.conn, scope.actor)
    return out


def confirm_change(scope, request):
    key = None
    if request.find(_Q + "document") is not None:
        key, _ = _target(request)
    done = service.confirm(scope.conn, scope.actor, key=key,
                           cascade_id=_t(request, "cascadeId"), now=scope.now)
    out = _out("ConfirmChangeResponse")
    for k, state in done:
        _ref(out, "instance", str(k), state)
    return out


OPERATIONS: list[XmlOperation] = [
    XmlOperation("UpdateTransaction", "Change line quantities and/or the requested date of a "
                 "document and cascade the change through the TDIN.",
                 _once("UpdateTransaction", update_transaction)),
    XmlOperation("CancelTransaction", "Cancel a document and what depends on it downstream, as "
                 "far as CWG allows.", _once("CancelTransaction", cancel_transaction)),
    XmlOperation("PlanChange", "What an update or a cancellation would do, without doing it.",
                 plan_change, read_only=True),
    XmlOperation("ListChangeRequests", "Change requests the caller decides or asked for.",
                 list_change_requests, read_only=True),
    XmlOperation("DecideChangeRequest", "Accept or reject a change request of a cascade's CWP "
                 "frontier.", _once("DecideChangeRequest", decide_change_request)),
    XmlOperation("ConfirmChange", "Confirm the caller's Modified documents.", confirm_change),
]
