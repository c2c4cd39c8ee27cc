"""Reads and writes of the headquarter's tables, as plain functions over a Connection.

SQLAlchemy Core, not the ORM: the submit path writes a document of up to a
thousand lines and the ORM's unit of work costs several times Core's insert.
Rows come back as domain values or small dicts; nothing here decides anything.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import Connection, bindparam, func, or_, select, update

from ..domain.agreements import AgreementTerms
from ..domain.documents import DocKey, DocType, Document, Line
from ..persistence.batches import chunks
from ..persistence.driver import FastInsert, FastSelect
from ..persistence.tables_msme import inventory
from ..persistence.tables import (
    agent, agreement, agreement_item, company, credential, event, inbox, instance, instance_line,
    link, outbox,
)


# The submit path's statements are built once: building insert(...).values(...)
# or a where-clause per call costs more than SQLite's own work on them.
_GET_COMPANY = select(company).where(company.c.code == bindparam("code"))
_GET_AGREEMENT = FastSelect(select(agreement).where(
    agreement.c.buyer == bindparam("buyer"), agreement.c.supplier == bindparam("supplier")))
_GET_CREDENTIAL = select(credential).where(credential.c.username == bindparam("username"))
_FIND_INSTANCE = select(instance).where(instance.c.company == bindparam("company"),
                                        instance.c.doc_type == bindparam("doc_type"),
                                        instance.c.number == bindparam("number"))
_GET_INSTANCE = select(instance).where(instance.c.id == bindparam("id"))
_INSERT_INSTANCE = FastInsert(instance, returning_id=True)
_INSERT_LINE = FastInsert(instance_line)
_INSERT_LINK = FastInsert(link)
_INSERT_AGENT = FastInsert(agent)
_INSERT_OUTBOX = FastInsert(outbox, returning_id=True)
_INSERT_EVENT = FastInsert(event, returning_id=True)
_INSERT_INBOX = FastInsert(inbox)
_AGREEMENT_ITEMS = FastSelect(select(agreement_item.c.item, agreement_item.c.unit_price,
                                     agreement_item.c.safety_stock).where(
    agreement_item.c.agreement_id == bindparam("agreement_id")))
_RECORDED_REPLY = FastSelect(select(inbox).where(
    inbox.c.company == bindparam("company"), inbox.c.message_id == bindparam("message_id")))


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def get_company(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(_GET_COMPANY, {"code": code}).mappings().first()
    return dict(row) if row else None


def get_agreement(conn: Connection, buyer: str, supplier: str) -> dict[str, Any] | None:
    return _GET_AGREEMENT(conn, {"buyer": buyer, "supplier": supplier})


def agreement_terms(conn: Connection, row: dict[str, Any]) -> AgreementTerms:
    """The rules of an agreement row: lead time, maximum quantity, items and prices,
    safety stocks with the supplier's reported stock of those items."""
    items = _AGREEMENT_ITEMS.all(conn, {"agreement_id": row["id"]})
    keep = {i["item"]: i["safety_stock"] for i in items if i["safety_stock"] is not None}
    on_hand = {}
    if keep:  # only agreements with safety stocks pay for the inventory read
        on_hand = dict(conn.execute(select(inventory.c.item, inventory.c.on_hand).where(
            inventory.c.company == row["supplier"], inventory.c.item.in_(list(keep)))).all())
    return AgreementTerms(lead_time_days=row["lead_time_days"], max_quantity=row["max_quantity"],
                          prices={i["item"]: i["unit_price"] for i in items},
                          safety_stock=keep, on_hand=on_hand)


def get_credential(conn: Connection, username: str) -> dict[str, Any] | None:
    row = conn.execute(_GET_CREDENTIAL, {"username": username}).mappings().first()
    return dict(row) if row else None


def find_instance(conn: Connection, key: DocKey, *, lock: bool = False) -> dict[str, Any] | None:
    q = _FIND_INSTANCE.with_for_update() if lock and is_postgres(conn) else _FIND_INSTANCE
    row = conn.execute(q, {"company": key.company, "doc_type": key.doc_type.value,
                           "number": key.number}).mappings().first()
    return dict(row) if row else None


def get_instance(conn: Connection, instance_id: int, *, lock: bool = False) -> dict[str, Any]:
    q = _GET_INSTANCE.with_for_update() if lock and is_postgres(conn) else _GET_INSTANCE
    return dict(conn.execute(q, {"id": instance_id}).mappings().one())


def key_of(row: dict[str, Any]) -> DocKey:
    return DocKey(row["company"], DocType(row["doc_type"]), row["number"])


def insert_instance(conn: Connection, doc: Document, *, state: str, now: dt.datetime,
                    rush_rule: str | None = None, partner_key: str | None = None) -> int:
    instance_id = _INSERT_INSTANCE.one(conn, dict(
        company=doc.key.company, doc_type=doc.key.doc_type.value, number=doc.key.number,
        partner=doc.partner, state=state, rush=rush_rule is not None, rush_rule=rush_rule,
        quantity=doc.total_quantity, referenced_quantity=Decimal(0), partner_key=partner_key,
        issue_date=doc.issue_date, requested_date=doc.requested_date, currency=doc.currency,
        note=doc.note, created_at=now, updated_at=now, version=1,
    ))
    _INSERT_LINE.many(conn, [
        {"instance_id": instance_id, "line_no": ln.number, "item": ln.item,
         "description": ln.description, "quantity": ln.quantity, "unit": ln.unit,
         "unit_price": ln.unit_price, "requested_date": ln.requested_date}
        for ln in doc.lines
    ])
    return instance_id


def lines_of(conn: Connection, instance_id: int) -> tuple[Line, ...]:
    rows = conn.execute(select(instance_line).where(instance_line.c.instance_id == instance_id)
                        .order_by(instance_line.c.line_no)).mappings()
    return tuple(Line(number=r["line_no"], item=r["item"], quantity=r["quantity"], unit=r["unit"],
                      unit_price=r["unit_price"], description=r["description"],
                      requested_date=r["requested_date"]) for r in rows)


def document_of(conn: Connection, row: dict[str, Any]) -> Document:
    return documents_of(conn, [row])[row["id"]]


def documents_of(conn: Connection, rows: list[dict[str, Any]]) -> dict[int, Document]:
    """document_of for many instances at once, by instance id: a few queries per
    chunk of ids instead of two per instance (a cascade judges thousands)."""
    from ..domain.documents import Reference
    lines: dict[int, list[Line]] = {}
    refs: dict[int, list[Reference]] = {}
    for chunk in chunks(r["id"] for r in rows):
        for r in conn.execute(select(instance_line).where(instance_line.c.instance_id.in_(chunk))
                              .order_by(instance_line.c.instance_id, instance_line.c.line_no)
                              ).mappings():
            lines.setdefault(r["instance_id"], []).append(Line(
                number=r["line_no"], item=r["item"], quantity=r["quantity"], unit=r["unit"],
                unit_price=r["unit_price"], description=r["description"],
                requested_date=r["requested_date"]))
        for target, c, t, n, q in conn.execute(
                select(link.c.target_id, instance.c.company, instance.c.doc_type,
                       instance.c.number, link.c.quantity)
                .join(link, link.c.source_id == instance.c.id)
                .where(link.c.target_id.in_(chunk)).order_by(link.c.id)):
            refs.setdefault(target, []).append(Reference(DocKey(c, DocType(t), n), q))
    return {r["id"]: Document(
        key=key_of(r), partner=r["partner"], issue_date=r["issue_date"],
        requested_date=r["requested_date"], currency=r["currency"], note=r["note"],
        lines=tuple(lines.get(r["id"], ())), references=tuple(refs.get(r["id"], ())))
        for r in rows}


def instances_by_id(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for chunk in chunks(ids):
        out += [dict(r) for r in conn.execute(
            select(instance).where(instance.c.id.in_(chunk))).mappings()]
    return out


def update_instance(conn: Connection, instance_id: int, now: dt.datetime, **values: Any) -> None:
    if values.get("state") == "CompletelyReferenced":
        # When the instance became complete: the end of its propagation's
        # duration in the TCM metrics (hq/metrics.py).
        values.setdefault("completed_at", now)
    conn.execute(update(instance).where(instance.c.id == instance_id).values(
        updated_at=now, version=instance.c.version + 1, **values))


def insert_links(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    rows = [{"amount": None, **r} for r in rows]
    if rows:
        _INSERT_LINK.many(conn, rows)


def inbound_links(conn: Connection, target_id: int) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(link).where(link.c.target_id == target_id)).mappings()]


def insert_agent(conn: Connection, **values: Any) -> None:
    _INSERT_AGENT.one(conn, {"version": 1, "target_instance_id": None,
                                 "inter_company_fk": None, "reason": None, **values})


def get_agent(conn: Connection, agent_id: str, *, lock: bool = False) -> dict[str, Any] | None:
    q = select(agent).where(agent.c.id == agent_id)
    if lock and is_postgres(conn):
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def agents_for_key(conn: Connection, key: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(agent).where(or_(agent.c.primary_key == key,
                                                agent.c.inter_company_fk == key))
                        .order_by(agent.c.sending_time, agent.c.id)).mappings()
    return [dict(r) for r in rows]


def update_agent(conn: Connection, agent_id: str, expected_version: int, **values: Any) -> None:
    # Optimistic check on top of the row lock: a concurrent acknowledgement of
    # the same agent on SQLite (no FOR UPDATE) shows up here.
    result = conn.execute(update(agent).where(agent.c.id == agent_id,
                                              agent.c.version == expected_version)
                          .values(version=expected_version + 1, **values))
    if result.rowcount != 1:
        from ..domain.errors import IllegalTransition
        raise IllegalTransition(f"agent {agent_id} was changed concurrently; fetch it and retry")


def enqueue(conn: Connection, *, message_id: str, recipient: str, kind: str, agent_id: str,
            payload: str, now: dt.datetime) -> None:
    _INSERT_OUTBOX.one(conn, dict(
        message_id=message_id, recipient=recipient, kind=kind, agent_id=agent_id,
        payload=payload, state="pending", attempts=0, next_attempt_at=now, created_at=now,
        last_error=None, delivered_at=None))


def log_event(conn: Connection, *, now: dt.datetime, actor: str, kind: str,
              company_code: str | None = None, instance_id: int | None = None,
              agent_id: str | None = None, **detail: Any) -> None:
    _INSERT_EVENT.one(conn, dict(
        at=now, actor=actor, kind=kind, company=company_code, instance_id=instance_id,
        agent_id=agent_id, detail=json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True)))


def recorded_reply(conn: Connection, company_code: str, message_id: str) -> dict[str, Any] | None:
    return _RECORDED_REPLY(conn, {"company": company_code, "message_id": message_id})


def record_reply(conn: Connection, *, company_code: str, message_id: str, operation: str,
                 request_hash: str, response: str, now: dt.datetime) -> None:
    _INSERT_INBOX.one(conn, dict(company=company_code, message_id=message_id,
                                     operation=operation, request_hash=request_hash,
                                     response=response, received_at=now))


def count_rows(conn: Connection) -> dict[str, int]:
    """Row count per table; tests compare it before and after a refused request."""
    from ..persistence.tables import metadata
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables}
