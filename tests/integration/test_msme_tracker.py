"""The order tracker with a clock the test controls: remaining quantity per
supplier from the TDIN, alerts to buyer and seller three days before the last
delivery date and once it has passed undelivered, each raised once."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from fixtures.gw_network import LATER, doc, install_network, mid, party, ref, rows, zeep_fault
from smart_gateway.msme.tracker import run_due_alerts
from smart_gateway.testing import start_gateway


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def on(self, day: dt.date) -> None:
        self.now = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.timezone.utc)


@pytest.fixture
def clocked(engine):
    install_network(engine)
    clock = Clock()
    running = start_gateway(engine, clock=clock)
    yield running, clock
    running.stop()


def sell(p_buyer, p_seller, po, so, qty):
    sent = p_buyer.service.SubmitTransaction(messageId=mid(), document=doc(
        "PurchaseOrder", po, "MOTHER", "T1A", qty=qty))   # due LATER (Feb 4)
    p_seller.service.FetchInbox(maxMessages=100)
    p_seller.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Approved")
    p_seller.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Created",
                                 documentNumber=so)


def deliver(p_seller, p_buyer, number, so, qty, receiving):
    sent = p_seller.service.SubmitTransaction(messageId=mid(), document=doc(
        "Delivery", number, "T1A", "MOTHER", qty=qty, refs=[ref("T1A", "SalesOrder", so)]))
    p_buyer.service.FetchInbox(maxMessages=100)
    p_buyer.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Approved")
    p_buyer.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Created",
                                documentNumber=receiving)


def alert_notices(p):
    return [(m.notice.topic, m.notice.subject.number)
            for m in p.service.FetchInbox(maxMessages=100).message
            if m.kind == "Notice" and m.notice.topic.startswith("Delivery")]


def test_alerts_come_three_days_before_and_after_the_date_once_each(clocked, engine):
    gw, clock = clocked
    mother, t1a, admin = party(gw, "MOTHER"), party(gw, "T1A"), party(gw, None)
    sell(mother, t1a, "PO-1", "SO-1", 10)      # 6 of 10 will come
    sell(mother, t1a, "PO-2", "SO-2", 5)       # delivered in full: never overdue
    deliver(t1a, mother, "DL-1", "SO-1", 6, "GR-1")
    deliver(t1a, mother, "DL-2", "SO-2", 5, "GR-2")
    tracked = mother.service.TrackOrder(company="MOTHER", number="PO-1")
    assert not tracked.parallel and [(s.supplier, s.ordered, s.delivered, s.remaining,
                                      s.lastDeliveryDate) for s in tracked.supplier] == [
        ("T1A", D(10), D(6), D(4), LATER)]
    mother.service.FetchInbox(maxMessages=100)   # leave the propagation traffic behind
    t1a.service.FetchInbox(maxMessages=100)

    clock.on(LATER - dt.timedelta(days=4))
    assert admin.service.RaiseDueAlerts().raised == 0
    clock.on(LATER - dt.timedelta(days=3))
    soon = admin.service.RaiseDueAlerts()
    assert [(a.kind, a.order.number, a.remaining) for a in soon.alert] == [
        ("DeliveryDueSoon", "PO-1", D(4))]
    assert admin.service.RaiseDueAlerts().raised == 0          # raised once
    clock.on(LATER)
    assert admin.service.RaiseDueAlerts().raised == 0          # still only due soon
    clock.on(LATER + dt.timedelta(days=1))
    # the worker's entry point, with the same clock
    late = run_due_alerts(engine, clock())
    assert [(a.kind, a.order.number, a.buyer, a.supplier) for a in late] == [
        ("DeliveryOverdue", "PO-1", "MOTHER", "T1A")]
    assert run_due_alerts(engine, clock() + dt.timedelta(days=5)) == []
    # buyer and seller each got both, through their inboxes
    expected = [("DeliveryDueSoon", "PO-1"), ("DeliveryOverdue", "PO-1")]
    assert alert_notices(mother) == expected and alert_notices(t1a) == expected
    listed = t1a.service.ListAlerts()
    assert [(a.kind, a.due, a.raisedAt.date()) for a in listed] == [
        ("DeliveryDueSoon", LATER, LATER - dt.timedelta(days=3)),
        ("DeliveryOverdue", LATER, LATER + dt.timedelta(days=1))]
    assert party(gw, "T2A").service.ListAlerts() == []


def test_tracker_faults_write_nothing(clocked, engine):
    gw, _ = clocked
    mother, t1a = party(gw, "MOTHER"), party(gw, "T1A")
    sell(mother, t1a, "PO-1", "SO-1", 10)
    before = rows(engine)
    zeep_fault(t1a, "Unauthorized", t1a.service.RaiseDueAlerts)
    zeep_fault(t1a, "Unauthorized", t1a.service.TrackOrder, company="MOTHER", number="PO-1")
    zeep_fault(t1a, "Unauthorized", t1a.service.ListAlerts, company="MOTHER")
    zeep_fault(mother, "NotFound", mother.service.TrackOrder, company="MOTHER", number="PO-9")
    zeep_fault(mother, "NotFound", mother.service.TrackOrder, company="MOTHER",
               parallelOrderId="77")
    assert rows(engine) == before


def test_workers_raising_at_once_send_each_alert_once(engine):
    import threading

    from sqlalchemy import func, select

    from smart_gateway.domain.documents import DocKey, DocType, Document, Line
    from smart_gateway.hq.actor import Actor
    from smart_gateway.msme import documents
    from smart_gateway.persistence.tables import outbox

    install_network(engine)
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    with engine.begin() as conn:
        for n in range(20):
            documents.place(conn, Actor("mother", "MOTHER"), Document(
                key=DocKey("MOTHER", DocType.PURCHASE_ORDER, f"PO-{n}"), partner="T1A",
                issue_date=dt.date(2026, 1, 1), requested_date=dt.date(2026, 2, 1),
                lines=(Line(1, "C1", D(1), "EA"),)), message_id=f"W-{n}", now=now)
    raised, errors = [], []

    def worker():
        try:
            raised.extend(run_due_alerts(engine, now))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A worker that lost a race on SQLite's write lock may fail its round; the next
    # round raises what is left.  Whatever happened, each alert exists once.
    raised.extend(run_due_alerts(engine, now))
    assert sorted(a.order.number for a in raised) == sorted(f"PO-{n}" for n in range(20))
    with engine.connect() as conn:
        notices = conn.execute(select(func.count()).select_from(outbox).where(
            outbox.c.kind == "Notice")).scalar_one()
    assert notices == 40  # to MOTHER and to T1A, once per order
