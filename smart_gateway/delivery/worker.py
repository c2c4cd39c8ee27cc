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

from ..domain.errors import GatewayError
from ..hq.inbox import mark_delivered
from ..hq.store import log_event
from ..msme.tracker import run_due_alerts
from ..messages.schema import NS
from ..persistence.db import READ_ONLY
from ..persistence.tables import company, outbox
from ..soap.wsdl import PARTNER_WSDL
from . import file_drop, native

log = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING = f"{{{NS}}}SmartPartnerSoap11"
SOAP_ACTION = f'"{NS}#ReceiveMessage"'
MAX_DELAY = 3600.0
DEFAULT_MAX_ATTEMPTS = 8      # config.py's defaults for a gateway started without settings
DEFAULT_BASE_DELAY = 1.0
ACTOR = "outbox-worker"
# Alerts are due by the day (three days before a delivery date, the day after
# it): a minute is late enough for anyone and cheap for the database.
ALERT_INTERVAL = dt.timedelta(seconds=60)


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
    recipient: str = ""
    transport: str = "push"


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


def _claim(engine: Engine, now: dt.datetime, batch: int, timeout: float) -> list[_Claim]:
    with engine.begin() as conn:
        q = (select(outbox.c.id, outbox.c.message_id, outbox.c.kind, outbox.c.agent_id,
                    outbox.c.payload, outbox.c.attempts, company.c.endpoint,
                    outbox.c.recipient, company.c.transport)
             .join(company, company.c.code == outbox.c.recipient)
             .where(outbox.c.state == "pending", outbox.c.next_attempt_at <= now,
                    company.c.transport.in_(("push", "file")))
             .order_by(outbox.c.id).limit(batch))
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True, of=outbox)
        rows = conn.execute(q).all()
        # The rows are sent one after the other, each within ``timeout``: the
        # lease covers the whole batch, so that a slow partner does not let the
        # last rows' leases run out while they wait (another worker would send
        # them too).  A worker that dies leaves its rows to whoever comes once
        # the lease is over.
        lease_until = now + lease_for(len(rows), timeout)
        if rows:
            conn.execute(update(outbox).where(outbox.c.id.in_([r.id for r in rows]))
                         .values(next_attempt_at=lease_until))
    return [_Claim(r.id, r.message_id, r.kind, r.agent_id, r.payload, r.attempts,
                   r.endpoint or "", lease_until, r.recipient, r.transport) for r in rows]


def lease_for(rows: int, timeout: float) -> dt.timedelta:
    return dt.timedelta(seconds=timeout * (rows + 1) + 5)


def _still_ours(conn, claim: _Claim) -> bool:
    q = select(outbox.c.state, outbox.c.next_attempt_at).where(outbox.c.id == claim.id)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    return row is not None and row.state == "pending" and row.next_attempt_at == claim.lease_until


def backoff(attempts: int, base_delay: float) -> dt.timedelta:
    """Delay before the next try after ``attempts`` failures: base * 2**(attempts-1), at most 1 h."""
    return dt.timedelta(seconds=min(base_delay * 2 ** max(attempts - 1, 0), MAX_DELAY))


def failed_attempt(attempts: int, error: str, now: dt.datetime, *,
                   max_attempts: int = DEFAULT_MAX_ATTEMPTS,
                   base_delay: float = DEFAULT_BASE_DELAY) -> dict:
    """The outbox row's new values after one more failed attempt (``attempts`` before
    it): due again after the backoff, or dead once the attempts are used up.  The one
    retry rule for pushes and for documents a pull partner could not be given."""
    attempts += 1
    values = {"attempts": attempts, "last_error": error[:500],
              "next_attempt_at": now + backoff(attempts, base_delay)}
    if attempts >= max_attempts:
        values["state"] = "dead"
    return values


def deliver_due(engine: Engine, *, now: dt.datetime, batch: int = 20,
                max_attempts: int = DEFAULT_MAX_ATTEMPTS, base_delay: float = DEFAULT_BASE_DELAY,
                timeout: float = 10.0) -> DeliveryReport:
    """Send every due push message (up to ``batch``) once; returns what became of them."""
    delivered = retried = dead = 0
    for claim in _claim(engine, now, batch, timeout):
        error: str | None = None
        notes: tuple[str, ...] = ()
        try:
            via, notes = _send(engine, claim, timeout)
        except GatewayError as exc:  # the document cannot be written in the partner's format
            error = f"{exc.code.value}: {exc}"
        except Exception as exc:  # noqa: BLE001 - any failure is a retry, recorded on the row
            error = f"{type(exc).__name__}: {exc}"
        with engine.begin() as conn:
            if not _still_ours(conn, claim):
                log.warning("outbox %s: lease lost while sending; leaving it alone", claim.id)
                continue
            if error is None:
                mark_delivered(conn, claim.id, claim.kind, claim.agent_id, now,
                               via=via, actor=ACTOR)
                if notes:  # the agreement's text rule changed text: the record says so
                    log_event(conn, now=now, actor=ACTOR, kind="transliterated",
                              company_code=claim.recipient, agent_id=claim.agent_id,
                              message_id=claim.message_id, notes=list(notes))
                delivered += 1
                continue
            values = failed_attempt(claim.attempts, error, now, max_attempts=max_attempts,
                                    base_delay=base_delay)
            if values.get("state") == "dead":
                dead += 1
                log.error("outbox %s (%s) is dead after %d attempts: %s",
                          claim.id, claim.message_id, values["attempts"], error)
            else:
                retried += 1
            conn.execute(update(outbox).where(outbox.c.id == claim.id).values(**values))
    return DeliveryReport(delivered, retried, dead)


def _send(engine: Engine, claim: _Claim, timeout: float) -> tuple[str, tuple[str, ...]]:
    """Deliver one claimed message the way its recipient's agreement says; returns how,
    and what the text rule transliterated on the way.

    A propagated document goes in the recipient's own format when its agreement
    says native (file drops always): rendered by its ERP kind's adapter, then
    pushed inside ReceiveMessage (the native element), or to SAP's own IDoc
    endpoint, or written into the drop folder.  A document the adapter cannot
    write faithfully raises, and the row is retried and finally dead-lettered
    like any failed delivery, never sent half right."""
    fmt = rendered = None
    if claim.transport == "file" or claim.kind == "Propagation":
        with engine.connect() as conn:
            conn.execution_options(**{READ_ONLY: True})
            fmt = native.format_of(conn, claim.recipient)
            if claim.kind == "Propagation" and (fmt.native or claim.transport == "file"):
                rendered = native.render(conn, fmt, claim.payload)
    if claim.transport == "file":
        file_drop.write_outbound(fmt, claim.message_id, claim.payload, rendered)
        return "file", rendered.notes if rendered else ()
    if not claim.endpoint:
        raise RuntimeError("the push company has no endpoint in its agreement")
    if rendered is not None and fmt.native_endpoint and rendered.kind == "sap-idoc":
        push_idoc(fmt.native_endpoint, claim.message_id, rendered.data, timeout=timeout)
        return "sap-idoc", rendered.notes
    payload = (claim.payload if rendered is None
               else native.with_native(claim.payload, rendered).decode("utf-8"))
    push(claim.endpoint, payload, timeout=timeout)
    return "push", rendered.notes if rendered else ()


@functools.lru_cache(maxsize=32)
def _sap_client(endpoint: str, timeout: float) -> zeep.Client:
    """SAP publishes its IDoc endpoint's WSDL at ?wsdl; read once per endpoint."""
    return zeep.Client(f"{endpoint}?wsdl",
                       transport=Transport(timeout=timeout, operation_timeout=timeout))


def push_idoc(endpoint: str, message_id: str, idoc: bytes, *, timeout: float) -> str:
    """Hand one IDoc XML file to SAP's inbound endpoint; returns SAP's IDoc number.
    A fault (SAP refused the IDoc) raises zeep's Fault with SAP's reason."""
    client = _sap_client(endpoint, timeout)
    service = client.create_service(next(iter(client.wsdl.bindings)), endpoint)
    number = service.IdocInbound(messageId=message_id, idoc=idoc.decode("utf-8"))
    if not number:
        raise RuntimeError("SAP answered no IDoc number")
    return number


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
                max_attempts: int = 8, base_delay: float = 1.0, timeout: float = 10.0,
                batch: int = 20) -> None:
    """Deliver until ``stop_event`` is set; meant for a daemon thread next to the gateway.

    Each round also takes in the files file-drop partners have put in their in/
    folders (file_drop.poll), so one loop serves both directions of every transport;
    and once a minute the order tracker raises the alerts that have come due, which
    this same loop then delivers."""
    next_alerts = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    while not stop_event.is_set():
        now = dt.datetime.now(dt.timezone.utc)
        if now >= next_alerts:
            try:
                run_due_alerts(engine, now)
            except Exception:  # noqa: BLE001 - a failed round is tried again next minute
                log.exception("order tracker round failed")
            next_alerts = now + ALERT_INTERVAL
        try:
            report = deliver_due(engine, now=dt.datetime.now(dt.timezone.utc), batch=batch,
                                 max_attempts=max_attempts, base_delay=base_delay,
                                 timeout=timeout)
        except Exception:  # noqa: BLE001 - a database hiccup must not kill the thread
            log.exception("outbox worker round failed")
            report = DeliveryReport()
        try:
            files = file_drop.poll(engine).total
        except Exception:  # noqa: BLE001 - an unreadable folder must not stop deliveries
            log.exception("file drop poll failed")
            files = 0
        if report.total == 0 and files == 0:
            stop_event.wait(interval)
