"""Orders down three tiers and deliveries back up, over SOAP, checked node by node."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from smart_gateway.persistence import tables as T
from smart_gateway.testing import start_gateway

COMPANIES = [("MOTHER", 0), ("T1A", 1), ("T2A", 2)]
_ids = itertools.count(1)
FETCHED: dict[str, list] = {}


@pytest.fixture
def gw(engine):
    with engine.begin() as c:
        for code, tier in COMPANIES:
            c.execute(insert(T.company).values(code=code, name=code, tier=tier, role="supplier",
                                               erp_kind="ubl-2.1", transport="pull"))
            c.execute(insert(T.credential).values(username=code.lower(), company=code,
                                                  is_admin=False, secret=f"{code}-secret"))
        c.execute(insert(T.credential).values(username="hq-admin", company=None, is_admin=True,
                                              secret="admin-secret"))
        c.execute(insert(T.agreement).values(buyer="MOTHER", supplier="T1A", lead_time_days=10))
        c.execute(insert(T.agreement).values(buyer="T1A", supplier="T2A", lead_time_days=10))
    running = start_gateway(engine)
    yield running
    running.stop()


def as_(gw, code):
    return gw.client(code.lower(), f"{code}-secret").service


def doc(doc_type, number, company, partner, qty, refs=(), item="MAINBOARD"):
    return {"type": doc_type, "number": number, "company": company, "partner": partner,
            "issueDate": dt.date(2026, 11, 2), "requestedDate": dt.date(2026, 12, 20),
            "line": [{"lineNumber": 1, "item": item, "quantity": Decimal(qty), "unit": "EA",
                      "unitPrice": Decimal("12.50"), "description": "주기판 เมนบอร์ด 主板"}],
            "reference": [{"company": company, "type": t, "number": n,
                           **({"quantity": Decimal(q)} if q else {})} for t, n, q in refs]}


def submit(gw, code, document):
    return as_(gw, code).SubmitTransaction(messageId=f"m-{next(_ids)}", document=document)


def receive_and_create(gw, code, number):
    """The receiver fetches its inbox, approves, and creates its own document."""
    inbox = as_(gw, code).FetchInbox(maxMessages=10)
    FETCHED.setdefault(code, []).extend(inbox.message)
    props = [m for m in inbox.message if m.kind == "Propagation"]
    assert len(props) == 1
    agent = props[0].agentId
    as_(gw, code).Acknowledge(messageId=f"a-{next(_ids)}", agentId=agent, state="Approved")
    ack = as_(gw, code).Acknowledge(messageId=f"a-{next(_ids)}", agentId=agent, state="Created",
                                    documentNumber=number)
    return props[0], ack


def instance(engine, company, doc_type, number):
    with engine.connect() as c:
        return c.execute(select(T.instance).where(
            T.instance.c.company == company, T.instance.c.doc_type == doc_type,
            T.instance.c.number == number)).mappings().one()


def test_order_down_and_deliveries_up_with_partial_referencing(gw, engine):
    FETCHED.clear()
    # given: the mother orders 100, T1A's sales order orders 100 from T2A
    submit(gw, "MOTHER", doc("PurchaseOrder", "PO-1", "MOTHER", "T1A", "100"))
    msg, ack = receive_and_create(gw, "T1A", "SO-1")
    assert msg.document.line[0].description == "주기판 เมนบอร์ด 主板"
    assert ack.receiverDocument.number == "SO-1"
    submit(gw, "T1A", doc("PurchaseOrder", "PO-2", "T1A", "T2A", "100",
                          refs=[("SalesOrder", "SO-1", None)], item="PCB"))
    receive_and_create(gw, "T2A", "SO-2")

    # when: T2A delivers 60 then 40, T1A delivers 100 to the mother
    submit(gw, "T2A", doc("Delivery", "DL-1", "T2A", "T1A", "60",
                          refs=[("SalesOrder", "SO-2", "60")], item="PCB"))
    partial = instance(engine, "T2A", "SalesOrder", "SO-2")
    receive_and_create(gw, "T1A", "GR-1")
    after_first = instance(engine, "T1A", "PurchaseOrder", "PO-2")
    submit(gw, "T2A", doc("Delivery", "DL-2", "T2A", "T1A", "40",
                          refs=[("SalesOrder", "SO-2", "40")], item="PCB"))
    receive_and_create(gw, "T1A", "GR-2")
    submit(gw, "T1A", doc("Delivery", "DL-3", "T1A", "MOTHER", "100",
                          refs=[("SalesOrder", "SO-1", None)]))
    receive_and_create(gw, "MOTHER", "GR-3")

    # then: referencing states moved 60 -> partial, 100 -> complete on both sides
    assert (partial["state"], partial["referenced_quantity"]) == ("PartiallyReferenced", Decimal(60))
    assert after_first["state"] == "PartiallyReferenced"
    for company, doc_type, number in [("T2A", "SalesOrder", "SO-2"), ("T1A", "PurchaseOrder", "PO-2"),
                                      ("T1A", "SalesOrder", "SO-1"), ("MOTHER", "PurchaseOrder", "PO-1")]:
        row = instance(engine, company, doc_type, number)
        assert row["state"] == "CompletelyReferenced", (company, number)
        assert row["referenced_quantity"] == row["quantity"] == Decimal(100)
    # inter-company foreign keys written on both sides of every hop
    assert instance(engine, "MOTHER", "PurchaseOrder", "PO-1")["partner_key"] == "T1A.SalesOrder.SO-1"
    assert instance(engine, "T1A", "SalesOrder", "SO-1")["partner_key"] == "MOTHER.PurchaseOrder.PO-1"
    assert instance(engine, "T2A", "Delivery", "DL-2")["partner_key"] == "T1A.Receiving.GR-2"

    # the senders got the acknowledgements with the partners' numbers
    for code in ("MOTHER", "T1A"):
        FETCHED.setdefault(code, []).extend(as_(gw, code).FetchInbox(maxMessages=50).message)
    created = {code: [m.acknowledgement.receiverDocument.number for m in msgs
                      if m.kind == "Acknowledgement" and m.acknowledgement.state == "Created"]
               for code, msgs in FETCHED.items()}
    assert created["MOTHER"] == ["SO-1"]
    assert created["T1A"] == ["SO-2", "GR-3"]

    # and the trace from either end is the same connected network
    admin = gw.client("hq-admin", "admin-secret").service
    down = admin.GetTrace(company="MOTHER", number="PO-1")
    up = admin.GetTrace(company="T2A", number="DL-1")
    with engine.connect() as c:
        n_instances = len(c.execute(select(T.instance.c.id)).all())
        n_links = len(c.execute(select(T.link.c.id)).all())
    assert len(down.node) == n_instances == 10
    assert len(down.edge) == n_links
    assert {n.id for n in down.node} == {n.id for n in up.node}
    assert {(e["from"], e.to, e.quantity) for e in down.edge} == {(e["from"], e.to, e.quantity) for e in up.edge}
    assert ("T2A.Delivery.DL-1", "T1A.Receiving.GR-1", Decimal(60)) in {(e["from"], e.to, e.quantity) for e in down.edge}
    tiers = {n.id: n.tier for n in down.node}
    assert tiers["T2A.SalesOrder.SO-2"] == 2 and tiers["MOTHER.PurchaseOrder.PO-1"] == 0


def test_delivery_beyond_the_order_is_refused_and_writes_nothing(gw, engine):
    from smart_gateway.hq.store import count_rows
    import zeep

    submit(gw, "MOTHER", doc("PurchaseOrder", "PO-9", "MOTHER", "T1A", "10"))
    receive_and_create(gw, "T1A", "SO-9")
    with engine.connect() as c:
        before = count_rows(c)
    with pytest.raises(zeep.exceptions.Fault) as err:
        submit(gw, "T1A", doc("Delivery", "DL-9", "T1A", "MOTHER", "11",
                              refs=[("SalesOrder", "SO-9", "11")]))
    assert err.value.code.endswith("Client.QuantityExceeded")
    with engine.connect() as c:
        assert count_rows(c) == before
