"""The custom-specific negotiator (003 section 3.3).

A supplier defines predefined customizations of its items (price, days to
deliver).  A buyer's request that one of them fits is agreed at once on its
terms; otherwise a negotiation opens between the two companies: messages
(Propose terms, Accept the other side's last proposal, Refuse) recorded in
order, each delivered to the other side as a Negotiation notice, until the
terms are agreed or refused.  The buyer then orders on the agreed terms: the
purchase order carries the price, the due date and the customization (note
and line description), and the negotiation keeps the order's key.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, delete, func, insert, select, update

from ..domain.documents import DocKey, DocType, Document, Line
from ..domain.errors import IllegalTransition, InvalidRequest, NotFound, Unauthorized, UnknownReference
from ..hq import store
from ..hq.actor import Actor
from ..hq.notices import notify
from ..persistence.tables_msme import customization, negotiation, negotiation_message
from . import access, documents

OPEN, AGREED, REFUSED = "Open", "Agreed", "Refused"


def define(conn: Connection, actor: Actor, *, supplier: str, item: str, code: str,
           description: str, unit_price: Decimal, days: int) -> int:
    access.acting_as(conn, actor, supplier, what="define customizations")
    conn.execute(delete(customization).where(customization.c.supplier == supplier,
                                             customization.c.item == item,
                                             customization.c.code == code))
    conn.execute(insert(customization).values(supplier=supplier, item=item, code=code,
                                              description=description, unit_price=unit_price,
                                              days=days))
    return conn.execute(select(func.count()).select_from(customization).where(
        customization.c.supplier == supplier)).scalar_one()


@dataclass(frozen=True)
class View:
    row: dict
    messages: list[dict]
    order: DocKey | None


def _view(conn: Connection, negotiation_id: int) -> View:
    row = dict(conn.execute(select(negotiation).where(negotiation.c.id == negotiation_id))
               .mappings().one())
    msgs = [dict(m) for m in conn.execute(select(negotiation_message).where(
        negotiation_message.c.negotiation_id == negotiation_id)
        .order_by(negotiation_message.c.seq)).mappings()]
    order = None
    if row["order_instance_id"] is not None:
        order = store.key_of(store.get_instance(conn, row["order_instance_id"]))
    return View(row, msgs, order)


def _message(conn, negotiation_id: int, sender: str, action: str, *, price=None, days=None,
             text=None, now: dt.datetime) -> None:
    seq = conn.execute(select(func.coalesce(func.max(negotiation_message.c.seq), 0)).where(
        negotiation_message.c.negotiation_id == negotiation_id)).scalar_one() + 1
    conn.execute(insert(negotiation_message).values(
        negotiation_id=negotiation_id, seq=seq, sender=sender, action=action, unit_price=price,
        days=days, text=text, at=now))


def _tell(conn, row: dict, sender: str, text: str, now: dt.datetime, **detail) -> None:
    recipient = row["supplier"] if sender == row["buyer"] else row["buyer"]
    notify(conn, recipient=recipient, topic="Negotiation", sender=sender, now=now,
           text=f"negotiation {row['id']} on {row['item']}: {text}",
           detail=[("negotiationId", row["id"]), ("state", row["state"]),
                   *((k, v) for k, v in detail.items() if v is not None)])


def request(conn: Connection, actor: Actor, *, buyer: str, supplier: str, item: str,
            quantity: Decimal, description: str, code: str | None, max_price: Decimal | None,
            max_days: int | None, now: dt.datetime) -> View:
    access.acting_as(conn, actor, buyer, what="request customizations")
    access.require_company(conn, supplier)
    if access.lead_time(conn, buyer, supplier) is None:
        raise UnknownReference(f"{buyer} has no agreement with {supplier}; register one before "
                               f"negotiating")
    q = select(customization).where(customization.c.supplier == supplier,
                                    customization.c.item == item)
    offers = [dict(r) for r in conn.execute(q.order_by(customization.c.unit_price,
                                                       customization.c.days)).mappings()]
    if code is not None:
        fits = [o for o in offers if o["code"] == code]
        if not fits:
            raise NotFound(f"{supplier} has no predefined customization {code} of {item}")
    else:
        fits = offers if (max_price is not None or max_days is not None) else []
    fits = [o for o in fits if (max_price is None or o["unit_price"] <= max_price)
            and (max_days is None or o["days"] <= max_days)]
    chosen = fits[0] if fits else None
    values = dict(buyer=buyer, supplier=supplier, item=item, quantity=quantity,
                  created_at=now, updated_at=now)
    if chosen:
        values.update(state=AGREED, customization=chosen["code"],
                      description=chosen["description"], unit_price=chosen["unit_price"],
                      days=chosen["days"])
    else:
        values.update(state=OPEN, description=description)
    nid = conn.execute(insert(negotiation).values(**values)
                       .returning(negotiation.c.id)).scalar_one()
    _message(conn, nid, buyer, "Request", text=description, now=now)
    row = _view(conn, nid).row
    if chosen:
        _message(conn, nid, supplier, "Accept", price=chosen["unit_price"], days=chosen["days"],
                 text=f"predefined customization {chosen['code']}", now=now)
        _tell(conn, row, buyer, f"{buyer} takes predefined customization {chosen['code']} at "
              f"{chosen['unit_price']} in {chosen['days']} days", now)
    else:
        _tell(conn, row, buyer, f"{buyer} asks for {quantity} {item} customized: {description}",
              now, quantity=quantity)
    return _view(conn, nid)


def _mine(conn: Connection, actor: Actor, negotiation_id: int) -> dict:
    row = conn.execute(select(negotiation).where(negotiation.c.id == negotiation_id)
                       .with_for_update() if store.is_postgres(conn) else
                       select(negotiation).where(negotiation.c.id == negotiation_id)
                       ).mappings().first()
    if row is None or (not actor.is_admin and actor.company not in (row["buyer"], row["supplier"])):
        # Another pair's negotiation is not even acknowledged to exist.
        raise NotFound(f"negotiation {negotiation_id} does not exist between "
                       f"{actor.company or 'the administrator'} and a partner")
    if actor.is_admin:
        raise Unauthorized("negotiations are between the buyer and the supplier; the "
                           "administrator does not take part")
    return dict(row)


def negotiate(conn: Connection, actor: Actor, *, negotiation_id: int, action: str,
              price: Decimal | None, days: int | None, text: str | None,
              now: dt.datetime) -> View:
    row = _mine(conn, actor, negotiation_id)
    me = actor.company
    if row["state"] != OPEN:
        raise IllegalTransition(f"negotiation {negotiation_id} is {row['state']}; nothing more "
                                f"can be said in it")
    values: dict = {"updated_at": now}
    if action == "Propose":
        if price is None or days is None:
            raise InvalidRequest("a proposal names unitPrice and days")
        values.update(unit_price=price, days=days)
        said = f"{me} proposes {price} a unit in {days} days"
    else:
        last = conn.execute(select(negotiation_message).where(
            negotiation_message.c.negotiation_id == negotiation_id,
            negotiation_message.c.action == "Propose")
            .order_by(negotiation_message.c.seq.desc()).limit(1)).mappings().first()
        if action == "Accept":
            if last is None or last["sender"] == me:
                raise IllegalTransition(f"{me} can accept only the other side's last proposal, "
                                        f"and there is none yet")
            values.update(state=AGREED, unit_price=last["unit_price"], days=last["days"])
            price, days = last["unit_price"], last["days"]
            said = f"{me} accepts {price} a unit in {days} days"
        else:
            values.update(state=REFUSED)
            said = f"{me} refuses"
    conn.execute(update(negotiation).where(negotiation.c.id == negotiation_id).values(**values))
    _message(conn, negotiation_id, me, action, price=price, days=days, text=text, now=now)
    _tell(conn, {**row, **values}, me, said + (f": {text}" if text else ""), now,
          unitPrice=price, days=days)
    return _view(conn, negotiation_id)


def place_order(conn: Connection, actor: Actor, *, negotiation_id: int, message_id: str,
                number: str, unit: str, issue_date: dt.date, now: dt.datetime) -> View:
    row = _mine(conn, actor, negotiation_id)
    if actor.company != row["buyer"]:
        raise Unauthorized(f"only the buyer ({row['buyer']}) orders on negotiation "
                           f"{negotiation_id}")
    if row["state"] != AGREED:
        raise IllegalTransition(f"negotiation {negotiation_id} is {row['state']}: an order "
                                f"needs agreed terms")
    if row["order_instance_id"] is not None:
        raise IllegalTransition(f"negotiation {negotiation_id} was already ordered")
    terms = (f"customization {row['customization'] or 'negotiated'}: {row['description']}; "
             f"{row['unit_price']} a unit, {row['days']} days (negotiation {negotiation_id})")
    due = issue_date + dt.timedelta(days=row["days"])
    doc = Document(key=DocKey(row["buyer"], DocType.PURCHASE_ORDER, number),
                   partner=row["supplier"], issue_date=issue_date, requested_date=due,
                   note=terms[:512],
                   lines=(Line(number=1, item=row["item"], quantity=row["quantity"], unit=unit,
                               unit_price=row["unit_price"], description=terms[:512],
                               requested_date=due),))
    documents.place(conn, actor, doc, message_id=message_id, now=now)
    inst = store.find_instance(conn, doc.key)
    conn.execute(update(negotiation).where(negotiation.c.id == negotiation_id)
                 .values(order_instance_id=inst["id"], updated_at=now))
    return _view(conn, negotiation_id)


def parse_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise NotFound(f"negotiation {text!r} does not exist (ids are numbers)")
    return int(text)
