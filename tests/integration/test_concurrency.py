"""Requests racing for the same document or message id: one wins, nothing is written twice."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import zeep
from sqlalchemy import func, select

from fixtures.gw_network import doc, mid, party
from smart_gateway.persistence.tables import agent, instance, outbox

RACERS = 8


def _race(gw, calls):
    parties = [party(gw, "MOTHER") for _ in range(RACERS)]  # one HTTP client each

    def run(i):
        try:
            return calls(parties[i], i)
        except zeep.exceptions.Fault as fault:
            return fault
    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(run, range(RACERS)))


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_the_same_document_number_from_racing_requests_is_recorded_once(gw, engine):
    document = doc("PurchaseOrder", "PO-RACE", "MOTHER", "T1A")
    results = _race(gw, lambda p, i: p.service.SubmitTransaction(messageId=mid(), document=document))
    won = [r for r in results if not isinstance(r, zeep.exceptions.Fault)]
    lost = [r for r in results if isinstance(r, zeep.exceptions.Fault)]
    assert len(won) == 1
    assert all(f.code.endswith("Client.Duplicate") for f in lost), [f.code for f in lost]
    assert (_count(engine, instance), _count(engine, agent), _count(engine, outbox)) == (1, 1, 1)


def test_the_same_message_sent_by_racing_retries_creates_one_order(gw, engine):
    message_id, document = mid(), doc("PurchaseOrder", "PO-RETRY", "MOTHER", "T1A")
    results = _race(gw, lambda p, i: p.service.SubmitTransaction(messageId=message_id,
                                                                 document=document))
    answers = {r.agentId for r in results if not isinstance(r, zeep.exceptions.Fault)}
    faults = [r for r in results if isinstance(r, zeep.exceptions.Fault)]
    # every answer names the one agent; a retry that lost the race is told to retry,
    # and that retry then gets the same answer
    assert len(answers) == 1
    assert all(f.code.endswith("Client.Duplicate") for f in faults)
    retry = party(gw, "MOTHER").service.SubmitTransaction(messageId=message_id, document=document)
    assert {retry.agentId} == answers
    assert (_count(engine, instance), _count(engine, agent), _count(engine, outbox)) == (1, 1, 1)


def test_reads_do_not_wait_for_a_writer(gw, engine):
    """A trace or a registry lookup answers while another request holds the write lock."""
    import threading
    import time

    mother, admin = party(gw, "MOTHER"), party(gw, None)  # clients built before the clock runs
    sent = mother.service.SubmitTransaction(messageId=mid(), document=doc(
        "PurchaseOrder", "PO-READ", "MOTHER", "T1A"))
    release, holding = threading.Event(), threading.Event()

    def writer():
        with engine.begin() as conn:  # on SQLite: the gateway's file lock and BEGIN IMMEDIATE
            conn.execute(select(func.count()).select_from(instance))
            holding.set()
            release.wait(10)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(5)
        started = time.monotonic()
        assert mother.service.GetAgent(agentId=sent.agentId).state == "Dispatched"
        trace = admin.service.GetTrace(company="MOTHER", number="PO-READ")
        assert [n.number for n in trace.node] == ["PO-READ"]
        # the writer holds its lock for 10 s: a read that waited for it would take that long
        assert time.monotonic() - started < 5, "a read waited for the writer"
    finally:
        release.set()
        thread.join()
