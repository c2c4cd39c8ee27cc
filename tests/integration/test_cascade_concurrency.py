"""Overlapping cascades from several threads at once, over SOAP, on SQLite and PostgreSQL.

Two gateways serve the same database, each with an engine (a connection pool)
of its own, as two gateway processes would: their cascades meet only in the
database's locks.  MOTHER keeps changing its order PO-M (a cascade over PO-M, SO-1, PO-1, SO-2)
while T1A keeps changing its own order PO-1 (a cascade over PO-1 and SO-2,
and the link from SO-1): the two kinds overlap on PO-1 and SO-2.  At the end
the TDIN is consistent (the checker runs after the test) and the cascade log
proves that each cascade was applied entirely, one after the other: for every
instance, each cascade found exactly the quantity and version the previous
one left, and the database holds what the last one wrote.
"""
from __future__ import annotations

import json
import random
import threading
import time
from decimal import Decimal

import pytest
import zeep
from sqlalchemy import select, text, update

from fixtures.gw_network import party, ref
from smart_gateway.persistence import tables as T
from smart_gateway.persistence.db import make_engine
from smart_gateway.persistence.tables_cascade import cascade, change_request
from smart_gateway.testing import start_gateway

from test_cascade_scenarios import Net, change_mother_order, make_to_order_at_tier_two, target

ROUNDS = 6


def test_overlapping_cascades_never_interleave(gw, engine):
    net = Net(gw, engine)
    net.send("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", qty=1000)
    net.send("PurchaseOrder", "PO-1", "T1A", "T2A", "SO-2", qty=1000,
             refs=[ref("T1A", "SalesOrder", "SO-1")])
    outcomes: list[str] = []
    lock = threading.Lock()
    second_engine = make_engine(engine.url.render_as_string(hide_password=False))
    second = start_gateway(second_engine)

    def worker(company, number, seed):
        p = party(gw if seed % 2 == 0 else second, company)  # one client per thread
        rnd = random.Random(seed)
        for _ in range(ROUNDS):
            qty = Decimal(rnd.randint(500, 1500))
            try:
                p.service.UpdateTransaction(document=target(company, "PurchaseOrder", number),
                                            line=[{"lineNumber": 1, "quantity": qty}])
                result = "applied"
            except zeep.exceptions.Fault as fault:
                result = fault.code.rsplit(".", 1)[-1]
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(c, n, seed))
               for seed, (c, n) in enumerate([("MOTHER", "PO-M"), ("MOTHER", "PO-M"),
                                               ("T1A", "PO-1"), ("T1A", "PO-1")])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.stop()
    second_engine.dispose()

    # refusals are clean ones (a change to the same quantity, a busy database), never a crash
    assert outcomes.count("applied") >= ROUNDS, outcomes
    assert set(outcomes) <= {"applied", "InvalidRequest", "Internal"}, outcomes

    with engine.connect() as c:
        # the order the cascades were committed in: their log events' ids
        order = {json.loads(d)["cascade"]: i for i, d in c.execute(
            select(T.event.c.id, T.event.c.detail).where(T.event.c.kind.like("cascade:%")))}
        logged = c.execute(select(cascade.c.id, cascade.c.plan)).all()
        final = {r.id: (r.quantity, r.version) for r in c.execute(select(T.instance))}
    assert len(logged) == outcomes.count("applied") == len(order)
    last: dict[int, tuple[Decimal, int]] = {}
    for cascade_id, plan in sorted(logged, key=lambda r: order[r[0]]):
        for step in json.loads(plan):
            if step["action"] == "Requested":
                continue
            seen = (Decimal(step["old_quantity"]), step["version"])
            if step["id"] in last:
                assert seen == last[step["id"]], (cascade_id, step)
            last[step["id"]] = (Decimal(step["new_quantity"]), step["version"] + 1)
    for instance_id, (qty, version) in last.items():
        assert final[instance_id] == (qty, version)


def test_a_decision_waits_for_a_cascade_over_its_order_instead_of_deadlocking(gw, engine):
    # A cascade locks the instances it reaches, then supersedes their pending
    # change requests.  A decision taken meanwhile must queue behind it on the
    # order, not hold the request while it waits (PostgreSQL would break that
    # deadlock by failing one of the two), and then find the request superseded.
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writing transaction at a time")
    net = Net(gw, engine)
    make_to_order_at_tier_two(net)
    done = change_mother_order(net, 60)
    [req] = done.changeRequest
    with engine.connect() as c:
        order_id = c.execute(select(change_request.c.order_instance_id).where(
            change_request.c.id == req.requestId)).scalar_one()
    decided: list[object] = []

    def decide():
        try:
            net.p["T2A"].service.DecideChangeRequest(requestId=req.requestId, accept=True)
            decided.append("accepted")
        except zeep.exceptions.Fault as fault:
            decided.append((fault.code.rsplit(".", 1)[-1], fault.message))

    cascade_conn = engine.connect()
    tx = cascade_conn.begin()
    try:
        # the "cascade": the order's row lock first ...
        cascade_conn.execute(select(T.instance.c.id).where(T.instance.c.id == order_id)
                             .with_for_update()).all()
        thread = threading.Thread(target=decide)
        thread.start()
        _wait_for_a_lock_wait(engine)
        # ... then the request, which the decision must not be holding
        cascade_conn.execute(update(change_request).where(change_request.c.id == req.requestId)
                             .values(state="superseded"))
        tx.commit()
    finally:
        cascade_conn.close()
    thread.join(timeout=30)
    assert decided == [("IllegalTransition",
                        f"change request {req.requestId} was already superseded")]


def _wait_for_a_lock_wait(engine, timeout: float = 10.0) -> None:
    """Until another session of this database waits for a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as c:
            waiting = c.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar_one()
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the decision never waited for the cascade's lock")
