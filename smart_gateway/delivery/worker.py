"""The outbox push worker: carries gw_outbox rows to push partners' ReceiveMessage.

Why it is shaped this way:

- The HTTP call happens outside any database transaction.  A slow partner
  must not hold row locks (PostgreSQL) or the single writer lock (SQLite)
  for up to ``timeout`` seconds, so a row is *claimed* in one short
  transaction, sent, and the outcome recorded in a second one.
- The claim is a lease: next_attempt_at is pushed to ``now + lease`` so no
  other worker picks the row while it is in flight; the outcome is recorded
  only if the lease is still ours (next_attempt_at unchanged, still pending),
  so a worker that lost its lease never double-counts.  On PostgreSQL the
  claim also uses FOR UPDATE SKIP LOCKED, so concurrent workers claim
  disjoint rows without waiting; SQLite's BEGIN IMMEDIATE serializes claims.
- The body is built with lxml from the stored payload's children, so the
  partner gets the exact bytes FetchInbox would have returned; zeep supplies
  the transport, the binding's reply processing and fault parsing.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from dataclasses import dataclass

import zeep
from lxml import etree
from sqlalchemy import Engine, select, update
from zeep.transports import Transport

from ..hq.inbox import mark_delivered
from ..messages.schema import NS
from ..persistence.tables import company, outbox
from ..soap.wsdl import PARTNER_WSDL

log = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING = f"{{{NS}}}SmartPartnerSoap11"
SOAP_ACTION = f'"{NS}#ReceiveMessage"'
MAX_DELAY = 3600.0
ACTOR = "outbox-worker"


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.retried + self.dead


@dataclass(frozen=True)
class _Claim:
    id: int
    message_id: str
    kind: str
    agent_id: str
    payload: str
    attempts: int
    endpoint: str
    lease_until: dt.datetime


@functools.lru_cache(maxsize=8)
def _partner_client(timeout: float) -> zeep.Client:
    """The partner WSDL, loaded once per timeout from the checked-in file (no network)."""
    return zeep.Client(str(PARTNER_WSDL),
                       transport=Transport(timeout=timeout, operation_timeout=timeout))


def receive_message_envelope(payload: str) -> etree._Element:
    """<Envelope><Body><ReceiveMessage><message>payload's children</message>... as gateway.xsd wants."""
    stored = etree.fromstring(payload.encode())
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    receive = etree.SubElement(body, f"{{{NS}}}ReceiveMessage", nsmap={None: NS})
    message = etree.SubElement(receive, f"{{{NS}}}message")
    message.text = stored.text
    for child in stored:
        message.append(child)
    return env


def push(endpoint: str, payload: str, *, timeout: float) -> None:
    """POST one ReceiveMessage; raises unless the partner answers accepted=true."""
    client = _partner_client(timeout)
    binding = client.wsdl.bindings[BINDING]
    operation = binding.get("ReceiveMessage")
    response = client.transport.post_xml(
        endpoint, receive_message_envelope(payload),
        {"SOAPAction": SOAP_ACTION, "Content-Type": "text/xml; charset=utf-8"})
    result = binding.process_reply(client, operation, response)  # raises zeep Fault on a fault
    accepted = getattr(result, "accepted", result)
    if accepted is not True:
        raise RuntimeError(f"partner answered accepted={accepted!r} (HTTP {response.status_code})")


def _claim(engine: Engine, now: dt.datetime, batch: int, lease: dt.timedelta) -> list[_Claim]:
    lease_until = now + lease
    with engine.begin() as conn:
        q = (select(outbox.c.id, outbox.c.message_id, outbox.c.kind, outbox.c.agent_id,
                    outbox.c.payload, outbox.c.attempts, company.c.endpoint)
             .join(company, company.c.code == outbox.c.recipient)
             .where(outbox.c.state == "pending", outbox.c.next_attempt_at <= now,
                    company.c.transport == "push")
             .order_by(outbox.c.id).limit(batch))
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True, of=outbox)
        rows = conn.execute(q).all()
        if rows:
            conn.execute(update(outbox).where(outbox.c.id.in_([r.id for r in rows]))
                         .values(next_attempt_at=lease_until))
    return [_Claim(r.id, r.message_id, r.kind, r.agent_id, r.payload, r.attempts,
                   r.endpoint or "", lease_until) for r in rows]


def _still_ours(conn, claim: _Claim) -> bool:
    q = select(outbox.c.state, outbox.c.next_attempt_at).where(outbox.c.id == claim.id)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    return row is not None and row.state == "pending" and row.next_attempt_at == claim.lease_until


def backoff(attempts: int, base_delay: float) -> dt.timedelta:
    """Delay before the next try after ``attempts`` failures: base * 2**(attempts-1), at most 1 h."""
    return dt.timedelta(seconds=min(base_delay * 2 ** max(attempts - 1, 0), MAX_DELAY))


def deliver_due(engine: Engine, *, now: dt.datetime, batch: int = 20, max_attempts: int = 8,
                base_delay: float = 1.0, timeout: float = 10.0) -> DeliveryReport:
    """Send every due push message (up to ``batch``) once; returns what became of them."""
    delivered = retried = dead = 0
    lease = dt.timedelta(seconds=timeout * 2 + 30)
    for claim in _claim(engine, now, batch, lease):
        error: str | None = None
        try:
            if not claim.endpoint:
                raise RuntimeError("the push company has no endpoint in its agreement")
            push(claim.endpoint, claim.payload, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - any failure is a retry, recorded on the row
            error = f"{type(exc).__name__}: {exc}"
        with engine.begin() as conn:
            if not _still_ours(conn, claim):
                log.warning("outbox %s: lease lost while sending; leaving it alone", claim.id)
                continue
            if error is None:
                mark_delivered(conn, claim.id, claim.kind, claim.agent_id, now,
                               via="push", actor=ACTOR)
                delivered += 1
                continue
            attempts = claim.attempts + 1
            values = {"attempts": attempts, "last_error": error[:500],
                      "next_attempt_at": now + backoff(attempts, base_delay)}
            if attempts >= max_attempts:
                values["state"] = "dead"
                dead += 1
                log.error("outbox %s (%s) is dead after %d attempts: %s",
                          claim.id, claim.message_id, attempts, error)
            else:
                retried += 1
            conn.execute(update(outbox).where(outbox.c.id == claim.id).values(**values))
    return DeliveryReport(delivered, retried, dead)


def list_dead(engine: Engine) -> list[dict]:
    """Dead messages, oldest first, for an administrator to inspect."""
    with engine.connect() as conn:
        rows = conn.execute(select(outbox.c.id, outbox.c.message_id, outbox.c.recipient,
                                   outbox.c.kind, outbox.c.agent_id, outbox.c.attempts,
                                   outbox.c.last_error, outbox.c.created_at)
                            .where(outbox.c.state == "dead").order_by(outbox.c.id)).mappings()
        return [dict(r) for r in rows]


def replay_dead(engine: Engine, message_id: str, now: dt.datetime) -> bool:
    """Put a dead message back in the queue with a fresh attempt count; False if none was dead."""
    with engine.begin() as conn:
        result = conn.execute(update(outbox).where(outbox.c.message_id == message_id,
                                                   outbox.c.state == "dead")
                              .values(state="pending", attempts=0, next_attempt_at=now))
        return result.rowcount == 1


def run_forever(engine: Engine, stop_event: threading.Event, interval: float = 0.5, *,
                max_attempts: int = 8, base_delay: float = 1.0, timeout: float = 10.0) -> None:
    """Deliver until ``stop_event`` is set; meant for a daemon thread next to the gateway."""
    while not stop_event.is_set():
        try:
            report = deliver_due(engine, now=dt.datetime.now(dt.timezone.utc),
                                 max_attempts=max_attempts, base_delay=base_delay,
                                 timeout=timeout)
        except Exception:  # noqa: BLE001 - a database hiccup must not kill the thread
            log.exception("outbox worker round failed")
            report = DeliveryReport()
        if report.total == 0:
            stop_event.wait(interval)
