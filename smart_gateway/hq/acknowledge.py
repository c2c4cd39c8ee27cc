"""Acknowledge: the receiver reports what became of a propagation agent.

Received, Approved, PendingApproval and Rejected move the agent along the
state model.  Created names the receiver's own document: the gateway then
records it in the TDIN (a SalesOrder for an order, a Receiving for a
delivery ...), links it to the sender's document across the two companies,
writes the inter-company foreign key on both, and queues the acknowledgement
for the sender.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Connection

from ..domain.documents import PROPAGATION, AgentKind, DocKey, DocType, Document
from ..domain.errors import Duplicate, InvalidRequest, NotFound, Unauthorized
from ..domain.states import Event, State, advance, reference_event
from . import messages_out, store
from .actor import Actor
from .inbox import confirm_by_acknowledgement

ACK_EVENTS = {
    "Received": Event.RECEIVE,
    "Approved": Event.APPROVE,
    "PendingApproval": Event.HOLD,
    "Rejected": Event.REJECT,
    "Created": Event.CREATE,
    # A receiver confirms a change that a cascade propagated to it (an agent
    # with use case update, waiting in Modified): see cascade/apply.py.
    "Confirmed": Event.CONFIRM,
}
# The sender hears of the outcomes it must act on, not of every step.
TELL_SENDER = {"PendingApproval", "Rejected", "Created", "Confirmed"}


@dataclass(frozen=True)
class AckResult:
    agent_id: str
    state: str
    receiver_company: str | None = None
    receiver_type: str | None = None
    receiver_number: str | None = None


def acknowledge(conn: Connection, actor: Actor, *, message_id: str, agent_id: str, state: str,
                document_number: str | None, reason: str | None, request_hash: str,
                now: dt.datetime) -> AckResult:
    if actor.company is None:
        raise Unauthorized("the administrator does not acknowledge; the receiving company does")
    if (seen := store.recorded_reply(conn, actor.company, message_id)) is not None:
        if seen["request_hash"] != request_hash or seen["operation"] != "Acknowledge":
            raise Duplicate(f"message id '{message_id}' was already used by {actor.company} "
                            f"for a different request; use a new message id")
        return AckResult(**json.loads(seen["response"]))

    agent = store.get_agent(conn, agent_id, lock=True)
    if agent is None or actor.company not in (agent["receiver"],):
        if agent is not None and actor.company == agent["sender"]:
            raise Unauthorized(f"agent {agent_id} is acknowledged by its receiver "
                               f"{agent['receiver']}, not by its sender {actor.company}")
        raise NotFound(f"no agent {agent_id} addressed to {actor.company}")
    if state == "Rejected" and agent["kind"] != AgentKind.ORDER.value:
        raise InvalidRequest(f"only orders can be rejected; a {agent['kind']} is answered "
                             f"by a return or a correction")
    if state == "Created" and not document_number:
        raise InvalidRequest("state Created needs documentNumber: the number of the document "
                             "your ERP created (sales order number, receiving number ...)")
    if state != "Created" and document_number:
        raise InvalidRequest("documentNumber is given only with state Created")

    new_state = advance(State(agent["state"]), ACK_EVENTS[state])
    source = store.get_instance(conn, agent["source_instance_id"], lock=True)
    sender_key = store.key_of(source)
    values = {"state": new_state.value, "location": agent["receiver"], "updated_at": now}
    if reason:
        values["reason"] = reason
    result = AckResult(agent_id=agent_id, state=new_state.value)
    receiver_key: DocKey | None = None

    if new_state is State.CREATED:
        receiver_key, target_id = _create_counterpart(conn, agent, source, document_number, now)
        values.update(target_instance_id=target_id, inter_company_fk=str(receiver_key))
        result = replace(result, receiver_company=receiver_key.company,
                         receiver_type=receiver_key.doc_type.value, receiver_number=receiver_key.number)
    elif new_state is State.CANCELED:
        store.update_instance(conn, source["id"], now,
                              state=advance(State(source["state"]), Event.CANCEL).value)
    elif new_state is State.CONFIRMED:
        _confirm_change(conn, agent, now)

    store.update_agent(conn, agent_id, agent["version"], **values)
    confirm_by_acknowledgement(conn, agent_id, now)
    if state in TELL_SENDER:
        sender_state = store.get_instance(conn, source["id"])["state"]
        ack_id = f"MSG-{uuid.uuid4()}"
        store.enqueue(conn, message_id=ack_id, recipient=agent["sender"], kind="Acknowledgement",
                      agent_id=agent_id, now=now, payload=messages_out.acknowledgement(
                          message_id=ack_id, agent_id=agent_id, agent_kind=agent["kind"],
                          sender=agent["sender"], receiver=agent["receiver"],
                          state=new_state.value, sender_key=sender_key,
                          sender_state=sender_state, receiver_key=receiver_key, reason=reason,
                          sent_at=now).decode())
    store.log_event(conn, now=now, actor=actor.username, kind=f"acknowledged:{state}",
                    company_code=actor.company, instance_id=source["id"], agent_id=agent_id,
                    message_id=message_id, state=new_state.value, reason=reason,
                    receiver_key=str(receiver_key) if receiver_key else None)
    store.record_reply(conn, company_code=actor.company, message_id=message_id,
                       operation="Acknowledge", request_hash=request_hash,
                       response=json.dumps(vars(result)), now=now)
    return result


def _confirm_change(conn: Connection, agent: dict, now: dt.datetime) -> None:
    """The receiver confirmed a changed hop: both its documents still Modified are Confirmed."""
    from ..domain.change import confirm_state
    for instance_id in sorted(i for i in (agent["source_instance_id"], agent["target_instance_id"])
                              if i is not None):
        row = store.get_instance(conn, instance_id, lock=True)
        if row["state"] == State.MODIFIED.value:
            store.update_instance(conn, instance_id, now, state=confirm_state(
                State(row["state"]), row["referenced_quantity"], row["quantity"]).value)


def _create_counterpart(conn: Connection, agent: dict, source: dict, number: str,
                        now: dt.datetime) -> tuple[DocKey, int]:
    _, counterpart = PROPAGATION[DocType(source["doc_type"])]
    key = DocKey(agent["receiver"], counterpart, number)
    if store.find_instance(conn, key) is not None:
        raise Duplicate(f"{key} already exists; acknowledge with the number of the new document")
    sent = store.document_of(conn, source)
    doc = Document(key=key, partner=agent["sender"], issue_date=now.date(),
                   requested_date=sent.requested_date, currency=sent.currency, note=sent.note,
                   lines=sent.lines)
    target_id = store.insert_instance(conn, doc, state=State.CREATED, now=now,
                                      partner_key=str(store.key_of(source)))
    store.update_instance(conn, source["id"], now, partner_key=str(key))
    links = [{"source_id": source["id"], "target_id": target_id,
              "quantity": source["quantity"], "scope": "ER-TDN"}]
    if counterpart is DocType.RECEIVING:
        links += _receiving_fulfils_orders(conn, source, target_id, now)
    store.insert_links(conn, links)
    return key, target_id


def _receiving_fulfils_orders(conn: Connection, delivery: dict, receiving_id: int,
                              now: dt.datetime) -> list[dict]:
    """A receiving references the buyer's purchase orders that the delivery's sales orders answer.

    The delivery references sales orders at the supplier; each sales order's
    inter-company link leads back to the buyer's purchase order, which the
    receiving now fulfils by the delivered quantity.
    """
    links = []
    for ref in store.inbound_links(conn, delivery["id"]):
        sales_order = store.get_instance(conn, ref["source_id"])
        if sales_order["doc_type"] != DocType.SALES_ORDER.value:
            continue
        for origin in store.inbound_links(conn, sales_order["id"]):
            if origin["scope"] != "ER-TDN":
                continue
            order = store.get_instance(conn, origin["source_id"], lock=True)
            qty: Decimal = ref["quantity"]
            total = order["referenced_quantity"] + qty
            new_state = advance(State(order["state"]), reference_event(total, order["quantity"]))
            store.update_instance(conn, order["id"], now, referenced_quantity=total,
                                  state=new_state.value)
            links.append({"source_id": order["id"], "target_id": receiving_id,
                          "quantity": qty, "scope": "RA-TDN"})
    return links
