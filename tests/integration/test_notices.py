"""Notices reach a company through the outbox like propagations: pulled with
FetchInbox, or pushed to its ReceiveMessage, valid against the schema either way."""
from __future__ import annotations

import datetime as dt

import pytest

from fixtures.gw_network import doc, mid, party
from smart_gateway.delivery.worker import deliver_due
from smart_gateway.network.loader import DEMO_NETWORK, install, load_network
from smart_gateway.simulator.partner_server import start_partner_server
from smart_gateway.domain.documents import DocKey, DocType
from smart_gateway.hq.notices import notify
from smart_gateway.messages.schema import NS

_Q = "{%s}" % NS


@pytest.fixture
def partner_network(engine):
    """The demo network with T1A pushed to a partner server on 127.0.0.1."""
    server, url, app = start_partner_server()
    network = load_network(DEMO_NETWORK, variables={
        "MOTHER_URL": url, "T1A_URL": url, "T2B_URL": url})
    with engine.begin() as conn:
        install(conn, network)
    yield app.queue
    server.shutdown()
    server.server_close()


def test_a_pull_partner_fetches_a_notice_with_its_subject_and_detail(gw, engine):
    mother, t1a = party(gw, "MOTHER"), party(gw, "T1A")
    mother.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-1",
                                                                   "MOTHER", "T1A"))
    # given: a notice about MOTHER's order, written like any cascade would
    with engine.begin() as conn:
        notify(conn, recipient="MOTHER", topic="ChangeApplied", text="quantity 10 -> 8",
               now=dt.datetime.now(dt.timezone.utc),
               subject=(DocKey("MOTHER", DocType.PURCHASE_ORDER, "PO-1"), "Modified"),
               detail=[("quantity", "8"), ("penalty", "0")])
    # when: MOTHER fetches
    fetched = mother.service.FetchInbox(maxMessages=10)
    # then: the notice is there, T1A's inbox is not touched by it
    notices = [m for m in fetched.message if m.kind == "Notice"]
    assert len(notices) == 1
    n = notices[0]
    assert n.agentId is None and n.sender == "HQ" and n.receiver == "MOTHER"
    assert n.notice.topic == "ChangeApplied" and n.notice.subject.number == "PO-1"
    assert [(d.name, d.value) for d in n.notice.detail] == [("quantity", "8"), ("penalty", "0")]
    assert all(m.kind == "Propagation" for m in t1a.service.FetchInbox(maxMessages=10).message)


def test_a_push_partner_gets_the_notice_and_the_row_is_delivered(engine, partner_network):
    queue = partner_network
    now = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
    with engine.begin() as conn:
        notify(conn, recipient="T1A", topic="DeliveryOverdue", text="SO-9 is overdue", now=now)
    report = deliver_due(engine, now=now)
    assert (report.delivered, report.dead) == (1, 0)
    [message] = queue.drain()  # the partner server accepts only a schema-valid ReceiveMessage
    assert message.findtext(f"{_Q}notice/{_Q}topic") == "DeliveryOverdue"
    assert message.find(f"{_Q}agentId") is None


def test_an_unknown_topic_is_refused_before_anything_is_written(engine, gw):
    with pytest.raises(ValueError, match="unknown notice topic"):
        with engine.begin() as conn:
            notify(conn, recipient="T1A", topic="Gossip", text="x",
                   now=dt.datetime.now(dt.timezone.utc))
