"""Lineless cancellations and order responses in the EDI and UBL formats.

A partner's OrderCancellation (UBL), 855 (X12) or ORDRSP (EDIFACT) names its
document and carries no line: the canonical document the adapter reads has
none, and the gateway applies it all the same (CancelTransaction, Acknowledge).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, Purpose, Response
from adapters.registry import adapter_for
from smart_gateway.delivery import file_drop
from smart_gateway.network.loader import install, load_network_from_string
from smart_gateway.persistence import tables as T
from smart_gateway.testing import start_gateway

T0 = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
DUE = dt.date(2030, 3, 1)

NETWORK = """
[network]
name = "native-inbound-formats"

[[company]]
code = "M"
name = "Buyer on UBL"
tier = 0
role = "mother"
erp_kind = "ubl-2.1"
transport = "pull"
[company.format]
native = true
[company.credentials]
username = "m"
secret = "m-secret"

[[company]]
code = "X"
name = "Supplier on X12, file drop"
tier = 1
role = "supplier"
erp_kind = "x12-4010"
transport = "file"
[company.format]
drop_folder = "${DROP}/x"
[company.credentials]
username = "x"
secret = "x-secret"

[[company]]
code = "E"
name = "Supplier on EDIFACT"
tier = 1
role = "supplier"
erp_kind = "edifact-d96a"
transport = "pull"
[company.format]
native = true
[company.credentials]
username = "e"
secret = "e-secret"

[[agreement]]
buyer = "M"
supplier = "X"
lead_time_days = 1
currency = "USD"
[[agreement.item]]
item = "BOLT"
unit_price = "2.00"

[[agreement]]
buyer = "M"
supplier = "E"
lead_time_days = 1
currency = "USD"
[[agreement.item]]
item = "BOLT"
unit_price = "2.00"
"""


@pytest.fixture
def net(engine, tmp_path):
    network = load_network_from_string(NETWORK, variables={"DROP": str(tmp_path / "drop")})
    with engine.begin() as conn:
        install(conn, network)
    gw = start_gateway(engine, clock=lambda: T0)
    yield gw, tmp_path / "drop"
    gw.stop()


def _order(gw, number, supplier):
    return gw.client("m", "m-secret").service.SubmitTransaction(
        messageId=f"po-{number}", document={
            "type": "PurchaseOrder", "number": number, "company": "M", "partner": supplier,
            "issueDate": dt.date(2030, 1, 1), "requestedDate": DUE, "currency": "USD",
            "line": [{"lineNumber": 1, "item": "BOLT", "quantity": Decimal(10), "unit": "EA",
                      "unitPrice": Decimal("2.00")}]}).agentId


def _lineless(number, supplier, purpose, response=None, response_number=None):
    doc = cd.Doc(type="PurchaseOrder", number=number, company="M", partner=supplier,
                 issue_date=dt.date(2030, 1, 2), lines=())
    return Canonical(purpose, cd.to_element(doc), response, response_number)


def _write(kind, message, sender, receiver):
    return adapter_for(kind).write([message], AdapterContext(sender, receiver))


def _agent(engine, agent_id):
    with engine.connect() as conn:
        return conn.execute(select(T.agent).where(T.agent.c.id == agent_id)).mappings().one()


def _state(engine, company, doc_type, number):
    with engine.connect() as conn:
        return conn.execute(select(T.instance.c.state).where(
            T.instance.c.company == company, T.instance.c.doc_type == doc_type,
            T.instance.c.number == number)).scalar_one_or_none()


def test_a_lineless_ubl_order_cancellation_cancels_the_order(net, engine):
    gw, _ = net
    agent_id = _order(gw, "PO-1", "X")
    data = _write("ubl-2.1", _lineless("PO-1", "X", Purpose.CANCELLATION), "M", "X")
    answer = gw.client("m", "m-secret").service.SubmitNative(
        messageId="cancel-1", erpKind="ubl-2.1", content=data)
    [cancelled] = answer.cancelled
    assert (cancelled.instance.number, cancelled.instance.state, cancelled.status) == \
        ("PO-1", "Canceled", "CWG")
    assert _state(engine, "M", "PurchaseOrder", "PO-1") == "Canceled"
    assert _agent(engine, agent_id)["state"] == "Canceled"


def test_a_lineless_x12_855_dropped_in_a_folder_creates_the_sales_order(net, engine):
    gw, drop = net
    agent_id = _order(gw, "PO-2", "X")
    folders = file_drop.folders(drop / "x")
    (folders["in"] / "855.x12").write_bytes(_write(
        "x12-4010", _lineless("PO-2", "X", Purpose.RESPONSE, Response.ACCEPTED, "XSO-2"),
        "X", "M"))
    report = file_drop.poll(engine, now=T0)
    assert (report.done, report.rejected) == (1, 0), list(folders["rejected"].iterdir())
    agent = _agent(engine, agent_id)
    assert (agent["state"], agent["inter_company_fk"]) == ("Created", "X.SalesOrder.XSO-2")
    assert _state(engine, "X", "SalesOrder", "XSO-2") == "Created"
    assert b"XSO-2" in (folders["done"] / "855.x12.result.xml").read_bytes()


def test_a_lineless_edifact_ordrsp_rejects_the_order(net, engine):
    gw, _ = net
    agent_id = _order(gw, "PO-3", "E")
    data = _write("edifact-d96a", _lineless("PO-3", "E", Purpose.RESPONSE, Response.REJECTED),
                  "E", "M")
    answer = gw.client("e", "e-secret").service.SubmitNative(
        messageId="rsp-3", erpKind="edifact-d96a", content=data)
    [ack] = answer.acknowledged
    assert (ack.agentId, ack.agentState) == (agent_id, "Canceled")
    agent = _agent(engine, agent_id)
    assert agent["state"] == "Canceled" and "rejected by E" in agent["reason"]
