"""A gateway process killed with SIGKILL in the middle of deliveries loses and
doubles nothing: after a restart every order reaches the push partner, each
processed once, and every client retry is answered without a second order."""
from __future__ import annotations

import os
import signal
import threading
import time

import requests
import zeep
import zeep.exceptions
from sqlalchemy import func, select
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from smart_gateway.messages.schema import NS
from fixtures.serve_process import free_port, start_serve
from smart_gateway.persistence import tables as T
from smart_gateway.persistence.db import make_engine
from smart_gateway.simulator.partner_server import PATH, PartnerApp
from smart_gateway.testing import serve_in_thread


ORDERS = 40
NETWORK = """
[network]
name = "crash test"

[[company]]
code = "BUYER"
name = "Buyer Co"
tier = 0
role = "mother"
erp_kind = "sap-idoc"
transport = "pull"
[company.credentials]
username = "buyer"
secret = "buyer-secret"

[[company]]
code = "SELLER"
name = "Seller Co"
tier = 1
role = "supplier"
erp_kind = "csv"
transport = "push"
endpoint = "${SELLER_URL}"
[company.credentials]
username = "seller"
secret = "seller-secret"

[[agreement]]
buyer = "BUYER"
supplier = "SELLER"
lead_time_days = 5
"""


class SlowPartner:
    """The partner's ReceiveMessage, taking 20 ms a message: slow enough that
    the kill lands while the outbox still has work in flight."""

    def __init__(self) -> None:
        self.app = PartnerApp()

    def __call__(self, environ, start_response):
        time.sleep(0.02)
        return self.app(environ, start_response)


def _submit_all(wsdl: str, failures: list[int], errors: list[BaseException]) -> None:
    try:
        _submit_each(wsdl, failures)
    except BaseException as exc:  # seen by the test, not lost with the thread
        errors.append(exc)


def _submit_each(wsdl: str, failures: list[int]) -> None:
    """The buyer's ERP: each order sent until it gets an answer, always with the
    same message id, as a partner's retry loop does.  No answer is any reply
    that is not a SOAP envelope: a refused connection, a timeout, or a response
    cut off when the gateway died while writing it (a 200 with no body)."""
    transport = Transport(timeout=5, operation_timeout=5)
    client = zeep.Client(wsdl, transport=transport,
                         wsse=UsernameToken("buyer", "buyer-secret"))
    for i in range(ORDERS):
        while True:
            try:
                client.service.SubmitTransaction(messageId=f"order-{i}", document={
                    "type": "PurchaseOrder", "number": f"PO-{i}", "company": "BUYER",
                    "partner": "SELLER", "issueDate": "2030-01-01", "requestedDate": "2030-03-01",
                    "line": [{"lineNumber": 1, "item": "BOLT", "quantity": "100", "unit": "EA"}]})
                break
            except (requests.RequestException, zeep.exceptions.TransportError):
                failures[0] += 1
                time.sleep(0.2)  # the gateway is down: try again, same message id


def _outbox_states(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(T.outbox.c.state, func.count())
                                 .where(T.outbox.c.recipient == "SELLER")
                                 .group_by(T.outbox.c.state)).all())


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_sigkill_mid_delivery_then_restart_delivers_every_order_exactly_once(db_url, tmp_path):
    partner = SlowPartner()
    server, base = serve_in_thread(partner)
    network = tmp_path / "network.toml"
    network.write_text(NETWORK)
    port = free_port()
    env = {**os.environ, "SMART_GATEWAY_DATABASE_URL": db_url, "SMART_GATEWAY_PORT": str(port),
           "SELLER_URL": base + PATH, "SMART_GATEWAY_PUSH_TIMEOUT": "0.5",
           "SMART_GATEWAY_OUTBOX_BATCH": "2"}
    wsdl = f"http://127.0.0.1:{port}/soap?wsdl"
    queue = partner.app.queue
    seen: dict[str, str] = {}  # messageId -> document number, across drains

    def received() -> int:
        for m in queue.drain():
            seen[m.findtext(f"{{{NS}}}messageId")] = m.findtext(f"{{{NS}}}document/{{{NS}}}number")
        return len(seen)

    proc = start_serve(network, env)
    failures = [0]
    errors: list[BaseException] = []
    try:
        submitter = threading.Thread(target=_submit_all, args=(wsdl, failures, errors),
                                     daemon=True)
        submitter.start()
        # given: deliveries under way and orders still being submitted
        _wait(lambda: received() >= 8, 60, "the first deliveries")
        # when: the gateway dies without a chance to clean up, and comes back
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        delivered_before_kill = received()
        proc = start_serve(network, env)
        submitter.join(timeout=120)
        assert not submitter.is_alive(), "the buyer could not submit every order"
        assert not errors, f"the buyer's ERP stopped on {errors[0]!r}"
        # then: every order arrives, each processed once by the partner, and the
        # outbox knows it; a push the partner took just before the kill, unrecorded,
        # goes again once its lease is over and the partner drops the duplicate.
        engine = make_engine(db_url)
        try:
            _wait(lambda: received() >= ORDERS, 90, "every order at the partner")
            _wait(lambda: _outbox_states(engine) == {"delivered": ORDERS}, 90,
                  "every outbox row delivered")
            received()
            with engine.connect() as conn:
                orders = conn.execute(select(func.count()).select_from(T.instance).where(
                    T.instance.c.doc_type == "PurchaseOrder")).scalar_one()
                sent_ids = set(conn.execute(select(T.outbox.c.message_id).where(
                    T.outbox.c.recipient == "SELLER")).scalars())
        finally:
            engine.dispose()
        assert delivered_before_kill < ORDERS, "the kill came too late to test anything"
        assert sorted(seen.values()) == sorted(f"PO-{i}" for i in range(ORDERS))
        assert orders == ORDERS                       # no retry made a second order
        assert sent_ids == set(seen)                  # the partner got exactly what was sent
        assert partner.app.received == ORDERS + queue.duplicates  # duplicates dropped, not processed
    finally:
        proc.kill()
        proc.wait(timeout=10)
        server.shutdown()
        server.server_close()
