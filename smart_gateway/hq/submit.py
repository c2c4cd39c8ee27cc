"""SubmitTransaction: a company registers a document with the instances that triggered it.

In one transaction: the TDIN node and its lines, the links to the instances
that triggered it (refused if any does not exist), the referencing state of
the instances it fulfils, and for an external document the propagation agent
in the registry and the message queued for the receiver.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Connection

from ..domain.documents import (
    FULFILS, INTERNAL, MAX_TOTAL_QUANTITY, MAY_REFERENCE, MUST_REFERENCE, PROPAGATION,
    SUBMITTABLE, DocType, Document, Submission, UseCase,
)
from ..domain.agreements import rush_rule as rush_rule_of
from ..domain.errors import (
    Duplicate, InvalidRequest, QuantityExceeded, Unauthorized, UnknownReference,
)
from ..domain.states import State, advance, reference_event
from . import amounts, messages_out, store
from .actor import Actor

HEADQUARTER = "HQ"  # the agent's location while it waits at the headquarter


@dataclass(frozen=True)
class SubmitResult:
    company: str
    doc_type: str
    number: str
    state: str
    rush: bool
    agent_id: str | None = None
    agent_kind: str | None = None
    receiver: str | None = None
    rush_rule: str | None = None


@dataclass(frozen=True)
class Prepared:
    """Everything about a submission that needs no database: worked out before
    the transaction opens, so that the write lock is held for writes only."""
    submission: Submission
    request_hash: str
    agent_id: str | None
    message_id: str | None
    payload: str | None


def prepare(submission: Submission, *, request_hash: str, now: dt.datetime,
            document_xml) -> Prepared:
    doc = submission.document
    _check_shape(doc)
    if doc.key.doc_type not in PROPAGATION:
        return Prepared(submission, request_hash, None, None, None)
    kind, counterpart = PROPAGATION[doc.key.doc_type]
    agent_id, message_id = f"TPA-{uuid.uuid4()}", f"MSG-{uuid.uuid4()}"
    payload = messages_out.propagation(
        message_id=message_id, agent_id=agent_id, agent_kind=kind.value, document=doc,
        receiver=doc.partner, counterpart=counterpart, sent_at=now,
        document_xml=document_xml).decode()
    return Prepared(submission, request_hash, agent_id, message_id, payload)


def submit(conn: Connection, actor: Actor, prepared: Prepared, *, now: dt.datetime) -> SubmitResult:
    submission, request_hash = prepared.submission, prepared.request_hash
    doc = submission.document
    if actor.is_admin or not actor.acts_as(doc.key.company):
        raise Unauthorized(
            f"user '{actor.username}' may submit only documents of its own company "
            f"({actor.company or 'none: administrator'}), not of {doc.key.company}")

    if (seen := store.recorded_reply(conn, actor.company, submission.message_id)) is not None:
        if seen["request_hash"] != request_hash or seen["operation"] != "SubmitTransaction":
            raise Duplicate(f"message id '{submission.message_id}' was already used by "
                            f"{actor.company} for a different request; use a new message id")
        return SubmitResult(**json.loads(seen["response"]))

    terms = _check_partner(conn, doc)
    # A document number used before is caught by the unique constraint on
    # (company, type, number) when the row is inserted: no read needed first.

    links, fulfilled = _resolve_references(conn, doc)
    rush_rule = rush_rule_of(doc, store.agreement_terms(conn, terms)) if terms else None

    instance_id = store.insert_instance(conn, doc, state=State.CREATED, now=now, rush_rule=rush_rule)
    store.insert_links(conn, ({**ln, "target_id": instance_id} for ln in links))
    for ref_id, qty in fulfilled.items():
        _reference(conn, ref_id, qty, now)

    result = SubmitResult(company=doc.key.company, doc_type=doc.key.doc_type.value,
                          number=doc.key.number, state=State.CREATED.value,
                          rush=rush_rule is not None, rush_rule=rush_rule)
    if doc.key.doc_type in PROPAGATION:
        result = _dispatch(conn, doc, instance_id, result, now, prepared)
    store.log_event(conn, now=now, actor=actor.username, kind="submitted",
                    company_code=doc.key.company, instance_id=instance_id,
                    agent_id=result.agent_id, key=str(doc.key), message_id=submission.message_id,
                    lines=len(doc.lines), quantity=str(doc.total_quantity), rush_rule=rush_rule)
    store.record_reply(conn, company_code=actor.company, message_id=submission.message_id,
                       operation="SubmitTransaction", request_hash=request_hash,
                       response=json.dumps(vars(result)), now=now)
    return result


def _check_shape(doc: Document) -> None:
    kind = doc.key.doc_type
    if kind not in SUBMITTABLE:
        raise InvalidRequest(
            f"a {kind.value} cannot be submitted: it is created at the receiver when it "
            f"acknowledges the document it answers (Acknowledge with state Created)")
    if not doc.lines:
        raise InvalidRequest(f"{doc.key} has no line; a document carries at least one "
                             f"(a cancellation is CancelTransaction, not a document)")
    numbers = [ln.number for ln in doc.lines]
    if len(set(numbers)) != len(numbers):
        raise InvalidRequest(f"{doc.key}: line numbers must be unique; got {numbers}")
    if doc.total_quantity > MAX_TOTAL_QUANTITY:
        raise InvalidRequest(f"{doc.key}: the lines carry {doc.total_quantity} in all; a "
                             f"document carries at most {MAX_TOTAL_QUANTITY}: split it")
    if kind in INTERNAL and doc.partner is not None:
        raise InvalidRequest(f"{kind.value} is internal to {doc.key.company}; leave out partner")
    if kind in PROPAGATION and doc.partner is None:
        raise InvalidRequest(f"{kind.value} goes to another company; name it in partner")
    if doc.partner == doc.key.company:
        raise InvalidRequest(f"{doc.key}: partner must be another company")
    if kind in MUST_REFERENCE and not doc.references:
        raise InvalidRequest(f"a {kind.value} must reference the instances it follows "
                             f"(one of {', '.join(sorted(t.value for t in MAY_REFERENCE[kind]))})")
    if kind is DocType.DELIVERY and not any(r.key.doc_type is DocType.SALES_ORDER
                                            for r in doc.references):
        # What a delivery fulfils is counted on sales orders, and through them on
        # the buyer's purchase orders; a delivery request alone leads to neither.
        raise InvalidRequest(f"{doc.key} must reference the sales order(s) it delivers; a "
                             f"DeliveryRequest may be referenced besides, not instead")
    if len(doc.references) > 1 and any(r.quantity is None for r in doc.references):
        raise InvalidRequest(f"{doc.key}: with several references, each must carry its quantity")
    amounts.check_document(doc)


def _check_partner(conn: Connection, doc: Document) -> dict | None:
    """The trading partner agreement the document travels under (None for internal ones)."""
    if doc.partner is None:
        return None
    buyer, supplier = _buyer_supplier(doc)
    terms = store.get_agreement(conn, buyer, supplier)
    if terms is not None:
        return terms  # an agreement row implies both companies exist (foreign keys)
    if store.get_company(conn, doc.partner) is None:
        raise UnknownReference(f"partner company {doc.partner} is not registered in the network")
    raise UnknownReference(f"there is no trading partner agreement with buyer {buyer} and "
                           f"supplier {supplier}; register one before trading")


def _buyer_supplier(doc: Document) -> tuple[str, str]:
    # The agreement is the buyer's with the supplier: orders, payments and
    # returns are sent by the buyer, deliveries and invoices by the supplier.
    if doc.key.doc_type in (DocType.PURCHASE_ORDER, DocType.OUTSOURCING_ORDER,
                            DocType.PAYMENT, DocType.RETURN):
        return doc.key.company, doc.partner  # type: ignore[return-value]
    return doc.partner, doc.key.company  # type: ignore[return-value]


_SAME_PARTNER = frozenset({DocType.DELIVERY, DocType.ACCOUNT_RECEIVABLE, DocType.PAYMENT,
                           DocType.RETURN})


def _resolve_references(conn: Connection, doc: Document) -> tuple[list[dict], dict[int, Decimal]]:
    allowed = MAY_REFERENCE.get(doc.key.doc_type, frozenset())
    links: list[dict] = []
    fulfilled: dict[int, Decimal] = {}
    money: dict[int, Decimal] = {}
    for ref in doc.references:
        if ref.key.doc_type not in allowed:
            raise InvalidRequest(f"a {doc.key.doc_type.value} cannot reference a "
                                 f"{ref.key.doc_type.value} ({ref.key})")
        if ref.key.company != doc.key.company:
            raise InvalidRequest(
                f"{doc.key} references {ref.key} of another company; a document references "
                f"its own company's instances, and the gateway links companies itself when "
                f"the receiver acknowledges")
        row = store.find_instance(conn, ref.key, lock=True)
        if row is None:
            raise UnknownReference(f"{ref.key} does not exist in the TDIN; submit it first")
        if row["state"] == State.CANCELED:
            raise InvalidRequest(f"{ref.key} is canceled; nothing can follow it")
        # A delivery, invoice, payment or return stays with the partner of the
        # instance it follows (an internal one, e.g. a DeliveryRequest, has none).
        if doc.key.doc_type in _SAME_PARTNER and row["partner"] is not None \
                and row["partner"] != doc.partner:
            raise InvalidRequest(f"{ref.key} is with {row['partner']}, but the "
                                 f"{doc.key.doc_type.value} goes to {doc.partner}")
        qty = ref.quantity if ref.quantity is not None else doc.total_quantity
        links.append({"source_id": row["id"], "quantity": qty, "scope": "RA-TDN",
                      "amount": amounts.carried(conn, doc, ref, row, money)})
        if (doc.key.doc_type, ref.key.doc_type) in FULFILS:
            fulfilled[row["id"]] = fulfilled.get(row["id"], Decimal(0)) + qty
    carried = sum(fulfilled.values(), Decimal(0))
    if carried > doc.total_quantity:
        raise QuantityExceeded(
            f"{doc.key} carries {doc.total_quantity} in its lines but its references claim "
            f"{carried} of the instances it fulfils; the references may claim at most what "
            f"the document carries")
    return links, fulfilled


def _reference(conn: Connection, instance_id: int, qty: Decimal, now: dt.datetime) -> None:
    """Add ``qty`` to what successors reference of an instance and move its state."""
    row = store.get_instance(conn, instance_id, lock=True)
    total = row["referenced_quantity"] + qty
    if total > row["quantity"]:
        raise QuantityExceeded(
            f"{store.key_of(row)} has {row['quantity']} in all and {row['referenced_quantity']} "
            f"already referenced; {qty} more would exceed it by {total - row['quantity']}")
    new_state = advance(State(row["state"]), reference_event(total, row["quantity"]))
    store.update_instance(conn, instance_id, now, referenced_quantity=total, state=new_state.value)


def _dispatch(conn: Connection, doc: Document, instance_id: int, result: SubmitResult,
              now: dt.datetime, prepared: Prepared) -> SubmitResult:
    kind, _ = PROPAGATION[doc.key.doc_type]
    store.insert_agent(
        conn, id=prepared.agent_id, kind=kind.value, use_case=UseCase.CREATE.value,
        state=State.DISPATCHED.value, location=HEADQUARTER, sender=doc.key.company,
        receiver=doc.partner, forwarder=doc.partner, sending_time=now,
        primary_key=str(doc.key), source_instance_id=instance_id, updated_at=now)
    store.enqueue(conn, message_id=prepared.message_id, recipient=doc.partner,
                  kind="Propagation", agent_id=prepared.agent_id, now=now,
                  payload=prepared.payload)
    return replace(result, agent_id=prepared.agent_id, agent_kind=kind.value,
                   receiver=doc.partner)


__all__ = ["Prepared", "SubmitResult", "prepare", "submit"]
