"""The outbox push worker against a real partner server on 127.0.0.1, on both databases."""
from __future__ import annotations

import datetime as dt
import socket
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from smart_gateway.delivery import worker
from smart_gateway import cli
from smart_gateway.delivery.worker import deliver_due, list_dead
from smart_gateway.network.loader import DEMO_NETWORK, install, load_network
from smart_gateway.persistence import tables as T
from smart_gateway.simulator.partner_server import start_partner_server
from smart_gateway.testing import start_gateway

T0 = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/partner"  # nothing listens there any more


@pytest.fixture
def partner():
    server, url, app = start_partner_server()
    yield url, app
    server.shutdown()
    server.server_close()


def _setup(engine, t1a_url: str, other_url: str):
    network = load_network(DEMO_NETWORK, variables={
        "MOTHER_URL": other_url, "T1A_URL": t1a_url, "T2B_URL": other_url})
    with engine.begin() as conn:
        install(conn, network)
    # The gateway's clock is pinned, so the outbox rows are due at T0.
    gw = start_gateway(engine, clock=lambda: T0)
    mother = gw.client("mother", "MOTHER-secret").service
    result = mother.SubmitTransaction(messageId="po-1", document={
        "type": "PurchaseOrder", "number": "PO-1", "company": "MOTHER", "partner": "T1A",
        "issueDate": dt.date(2030, 1, 1), "currency": "USD",
        "line": [{"lineNumber": 1, "item": "MAINBOARD", "quantity": Decimal(10), "unit": "EA",
                  "unitPrice": Decimal("38.50")}]})
    return gw, result.agentId


def _row(engine):
    with engine.connect() as conn:
        return conn.execute(select(T.outbox).where(T.outbox.c.recipient == "T1A")).mappings().one()


def _agent_state(engine, agent_id):
    with engine.connect() as conn:
        return conn.execute(select(T.agent.c.state).where(T.agent.c.id == agent_id)).scalar_one()


def test_push_delivers_and_agent_is_received(engine, partner):
    url, app = partner
    gw, agent_id = _setup(engine, url, _closed_port_url())
    try:
        assert _agent_state(engine, agent_id) == "Dispatched"
        report = deliver_due(engine, now=T0)
        assert (report.delivered, report.retried, report.dead) == (1, 0, 0)
        [message] = app.queue.drain()
        assert message.findtext("{urn:smart-gateway:v1}agentId") == agent_id
        assert message.findtext("{urn:smart-gateway:v1}document/{urn:smart-gateway:v1}number") == "PO-1"
        row = _row(engine)
        assert row["state"] == "delivered" and row["attempts"] == 1
        assert _agent_state(engine, agent_id) == "Received"
        assert deliver_due(engine, now=T0 + dt.timedelta(hours=2)).total == 0  # nothing left
    finally:
        gw.stop()


def test_endpoint_down_backs_off_then_dies_and_replay_delivers(engine, partner, monkeypatch,
                                                               capsys):
    url, app = partner
    gw, agent_id = _setup(engine, _closed_port_url(), _closed_port_url())
    try:
        kw = {"max_attempts": 3, "base_delay": 2.0, "timeout": 2.0}
        assert deliver_due(engine, now=T0, **kw).retried == 1
        row = _row(engine)
        assert row["attempts"] == 1 and row["state"] == "pending"
        assert row["next_attempt_at"] == T0 + dt.timedelta(seconds=2)
        assert "ConnectionError" in row["last_error"] or "onnect" in row["last_error"]
        assert deliver_due(engine, now=T0 + dt.timedelta(seconds=1), **kw).total == 0  # not due

        t1 = T0 + dt.timedelta(seconds=2)
        assert deliver_due(engine, now=t1, **kw).retried == 1
        assert _row(engine)["next_attempt_at"] == t1 + dt.timedelta(seconds=4)  # doubled

        t2 = t1 + dt.timedelta(seconds=4)
        assert deliver_due(engine, now=t2, **kw).dead == 1
        assert _row(engine)["state"] == "dead" and _row(engine)["attempts"] == 3
        assert deliver_due(engine, now=t2 + dt.timedelta(days=1), **kw).total == 0
        [dead] = list_dead(engine)
        assert dead["agent_id"] == agent_id and dead["attempts"] == 3 and dead["last_error"]
        assert _agent_state(engine, agent_id) == "Dispatched"

        # The partner is reachable again; the administrator replays the message.
        with engine.begin() as conn:
            conn.execute(update(T.company).where(T.company.c.code == "T1A").values(endpoint=url))
        # The administrator's view of it, and the replay, on the command line.
        monkeypatch.setenv("SMART_GATEWAY_DATABASE_URL",
                           engine.url.render_as_string(hide_password=False))
        assert cli.main(["dead-letters"]) == 0
        listing = capsys.readouterr().out
        assert dead["message_id"] in listing and "3 attempts" in listing
        assert "1 dead message(s)" in listing
        assert cli.main(["dead-letters", "--replay", dead["message_id"]]) == 0
        assert cli.main(["dead-letters", "--replay", dead["message_id"]]) == 2  # no longer dead
        with engine.begin() as conn:  # the replay queued it for now; the test's clock is earlier
            conn.execute(update(T.outbox).values(next_attempt_at=T0))
        t3 = t2 + dt.timedelta(minutes=5)
        assert _row(engine)["attempts"] == 0
        assert deliver_due(engine, now=t3, **kw).delivered == 1
        assert len(app.queue.drain()) == 1
        assert list_dead(engine) == []
        assert _agent_state(engine, agent_id) == "Received"
    finally:
        gw.stop()


def test_claimed_row_is_not_sent_twice(engine, partner):
    url, app = partner
    gw, _ = _setup(engine, url, _closed_port_url())
    try:
        claimed = worker._claim(engine, T0, 10, timeout=10)     # worker A, in flight
        assert len(claimed) == 1
        lease = worker.lease_for(1, timeout=10)                   # one row: 25 s
        assert deliver_due(engine, now=T0).total == 0                               # worker B: nothing
        assert deliver_due(engine, now=T0 + lease - dt.timedelta(seconds=1)).total == 0  # still A's
        assert deliver_due(engine, now=T0 + lease).delivered == 1                   # lease over
        assert len(app.queue.drain()) == 1
    finally:
        gw.stop()


def test_duplicate_push_is_processed_once(engine, partner):
    url, app = partner
    gw, _ = _setup(engine, url, _closed_port_url())
    try:
        payload = _row(engine)["payload"]
        worker.push(url, payload, timeout=5)
        worker.push(url, payload, timeout=5)   # e.g. the first answer was lost: a retry
        assert app.received == 2
        assert len(app.queue.drain()) == 1
        assert app.queue.duplicates == 1
    finally:
        gw.stop()


def test_several_workers_at_once_send_each_message_exactly_once(engine, partner):
    url, app = partner
    gw, _ = _setup(engine, url, _closed_port_url())
    try:
        mother = gw.client("mother", "MOTHER-secret").service
        for i in range(2, 31):
            mother.SubmitTransaction(messageId=f"po-{i}", document={
                "type": "PurchaseOrder", "number": f"PO-{i}", "company": "MOTHER",
                "partner": "T1A", "issueDate": dt.date(2030, 1, 1),
                "line": [{"lineNumber": 1, "item": "MAINBOARD", "quantity": Decimal(1),
                          "unit": "EA"}]})
        # when: three workers drain the outbox at the same moment, in small batches
        reports, start = [], threading.Barrier(3)

        def work():
            start.wait()
            while (report := deliver_due(engine, now=T0, batch=3)).total:
                reports.append(report)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        # then: each of the 30 messages was sent by one worker only
        assert sum(r.delivered for r in reports) == 30
        assert app.received == 30 and app.queue.duplicates == 0
        assert len({m.findtext("{urn:smart-gateway:v1}messageId") for m in app.queue.drain()}) == 30
    finally:
        gw.stop()


def test_the_worker_loop_raises_the_order_trackers_alerts(gw, engine):
    # given: MOTHER's order to T1A, due in two days, nothing delivered
    from fixtures.gw_network import doc, mid, party
    due = dt.date.today() + dt.timedelta(days=2)
    mother = party(gw, "MOTHER")
    mother.service.SubmitTransaction(messageId=mid(), document=doc(
        "PurchaseOrder", "PO-DUE", "MOTHER", "T1A", requested=due))
    # when: the worker loop runs a round
    stop = threading.Event()
    loop = threading.Thread(target=worker.run_forever, args=(engine, stop),
                            kwargs={"interval": 0.05})
    loop.start()
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=20)
        notices = []
        while not notices and dt.datetime.now() < deadline:
            notices = [m for m in mother.service.FetchInbox(maxMessages=20).message or []
                       if m.kind == "Notice"]
    finally:
        stop.set()
        loop.join(timeout=10)
    # then: the buyer is told its order is due soon, about that order
    assert [(n.notice.topic, n.notice.subject.number) for n in notices] == [
        ("DeliveryDueSoon", "PO-DUE")]
