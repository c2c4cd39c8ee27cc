"""Native changes, cancellations and order responses (SubmitNative, file drop in/).

A partner's own ERP sends what it sends: an order change, a cancellation, an
order response.  Each is written here with the CSV adapter's write() and fed back
through SubmitNative or a drop folder, then checked in the database: the cascade
applied (UpdateTransaction / CancelTransaction semantics), the order's agent
acknowledged (Acknowledge semantics), or the whole file refused writing nothing.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import zeep
from lxml import etree
from sqlalchemy import select

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, ItemMap, Purpose, Response
from adapters.registry import adapter_for
from smart_gateway.delivery import file_drop
from smart_gateway.hq.store import count_rows
from smart_gateway.network.loader import install, load_network_from_string
from smart_gateway.persistence import tables as T
from smart_gateway.testing import start_gateway

NS = "urn:smart-gateway:v1"
T0 = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
DUE = dt.date(2030, 3, 1)   # far outside lead times and frozen horizons

NETWORK = """
[network]
name = "native-inbound"

[[company]]
code = "M"
name = "Buyer on CSV, pulling"
tier = 0
role = "mother"
erp_kind = "csv"
transport = "pull"
[company.format]
native = true
[company.credentials]
username = "m"
secret = "m-secret"

[[company]]
code = "S"
name = "Supplier on CSV, pulling"
tier = 1
role = "supplier"
erp_kind = "csv"
transport = "pull"
[company.format]
native = true
[company.credentials]
username = "s"
secret = "s-secret"

[[company]]
code = "B"
name = "Second buyer on CSV, file drop"
tier = 1
role = "supplier"
erp_kind = "csv"
transport = "file"
[company.format]
drop_folder = "${DROP}/b"
[company.credentials]
username = "b"
secret = "b-secret"

[[agreement]]
buyer = "M"
supplier = "S"
lead_time_days = 1
currency = "USD"
[[agreement.item]]
item = "BOLT"
supplier_part = "S-BOLT"
unit_price = "2.00"
[[agreement.item]]
item = "NUT"
supplier_part = "S-NUT"
unit_price = "4.00"
decoupling = "MTO"
[agreement.item.change]
frozen_days = 0
penalty_percent = "10"
penalty_fixed = "50.00"

[[agreement]]
buyer = "B"
supplier = "S"
lead_time_days = 1
currency = "USD"
[[agreement.item]]
item = "BOLT"
supplier_part = "S-BOLT"
unit_price = "2.00"
"""

SUPPLIER_PARTS = ItemMap({"S-BOLT": "BOLT", "S-NUT": "NUT"})


@pytest.fixture
def net(engine, tmp_path):
    network = load_network_from_string(NETWORK, variables={"DROP": str(tmp_path / "drop")})
    with engine.begin() as conn:
        install(conn, network)
    gw = start_gateway(engine, clock=lambda: T0)
    yield gw, tmp_path / "drop"
    gw.stop()


def _svc(gw, code):
    return gw.client(code.lower(), f"{code.lower()}-secret").service


def _doc(number, company, partner, *lines, doc_type="PurchaseOrder", due=DUE, note=None):
    return cd.Doc(type=doc_type, number=number, company=company, partner=partner,
                  issue_date=dt.date(2030, 1, 1), requested_date=due, currency="USD", note=note,
                  lines=tuple(cd.DocLine(n, item, Decimal(q), "EA", unit_price=Decimal(p))
                              for n, (item, q, p) in enumerate(lines, start=1)))


def _csv(*messages: Canonical, sender: str, receiver: str, items: ItemMap | None = None) -> bytes:
    return adapter_for("csv").write(list(messages),
                                    AdapterContext(sender, receiver, items=items or ItemMap()))


def _order(gw, number, company="M", lines=(("BOLT", 100, "2.00"),)):
    """A purchase order submitted canonically; its agent id."""
    answer = _svc(gw, company).SubmitTransaction(messageId=f"po-{number}", document={
        "type": "PurchaseOrder", "number": number, "company": company, "partner": "S",
        "issueDate": dt.date(2030, 1, 1), "requestedDate": DUE, "currency": "USD",
        "line": [{"lineNumber": n, "item": item, "quantity": Decimal(q), "unit": "EA",
                  "unitPrice": Decimal(p)} for n, (item, q, p) in enumerate(lines, start=1)]})
    return answer.agentId


def _accept_canonically(gw, agent_id, sales_order):
    s = _svc(gw, "S")
    for n, state in enumerate(("Received", "Approved", "Created")):
        s.Acknowledge(messageId=f"ack-{agent_id}-{n}", agentId=agent_id, state=state,
                      documentNumber=sales_order if state == "Created" else None)


def _instance(engine, company, doc_type, number):
    with engine.connect() as conn:
        return conn.execute(select(T.instance).where(
            T.instance.c.company == company, T.instance.c.doc_type == doc_type,
            T.instance.c.number == number)).mappings().first()


def _agent(engine, agent_id):
    with engine.connect() as conn:
        return conn.execute(select(T.agent).where(T.agent.c.id == agent_id)).mappings().one()


def _rows(engine):
    with engine.connect() as conn:
        return count_rows(conn)


def _raw(gw, code, message_id, data):
    """SubmitNative's answer as XML (the elements the schema gives it)."""
    client = gw.client(code.lower(), f"{code.lower()}-secret")
    with client.settings(raw_response=True):
        response = client.service.SubmitNative(messageId=message_id, erpKind="csv", content=data)
    assert response.status_code == 200, response.content
    return etree.fromstring(response.content).find(f".//{{{NS}}}SubmitNativeResponse")


def _t(el, path):
    return el.findtext("/".join(f"{{{NS}}}{p}" for p in path.split("/")))


# ------------------------------------------------------------------ changes

def test_a_native_change_cascades_to_the_sales_order_and_is_applied_once(net, engine):
    gw, _ = net
    agent_id = _order(gw, "PO-1")
    _accept_canonically(gw, agent_id, "SO-1")
    change = Canonical(Purpose.CHANGE, cd.to_element(_doc("PO-1", "M", "S", ("BOLT", 60, "2.00"))))
    answer = _raw(gw, "M", "chg-1", _csv(change, sender="M", receiver="S"))
    [changed] = answer.findall(f"{{{NS}}}changed")
    assert (_t(changed, "instance/number"), _t(changed, "instance/state"),
            _t(changed, "status"), _t(changed, "penalty"), _t(changed, "changeRequests"),
            _t(changed, "position")) == ("PO-1", "Modified", "CWG", "0", "0", "1")
    cascade_id = _t(changed, "cascadeId")
    assert cascade_id
    # 100 -> 60 on the order and, with grace, on the supplier's sales order
    assert _instance(engine, "M", "PurchaseOrder", "PO-1")["quantity"] == Decimal(60)
    assert _instance(engine, "S", "SalesOrder", "SO-1")["quantity"] == Decimal(60)
    # the same file again: the recorded answer, nothing applied again
    before = _rows(engine)
    again = _raw(gw, "M", "chg-1", _csv(change, sender="M", receiver="S"))
    assert _t(again.find(f"{{{NS}}}changed"), "cascadeId") == cascade_id
    assert _rows(engine) == before
    # the same message id for another document is a duplicate
    other = Canonical(Purpose.CHANGE, cd.to_element(_doc("PO-1", "M", "S", ("BOLT", 50, "2.00"))))
    with pytest.raises(zeep.exceptions.Fault) as fault:
        _svc(gw, "M").SubmitNative(messageId="chg-1", erpKind="csv",
                                   content=_csv(other, sender="M", receiver="S"))
    assert fault.value.code.endswith("Duplicate")
    assert _rows(engine) == before


def test_a_native_change_past_the_decoupling_point_opens_a_change_request(net, engine):
    gw, _ = net
    agent_id = _order(gw, "PO-2", lines=(("NUT", 100, "4.00"),))
    _accept_canonically(gw, agent_id, "SO-2")
    change = Canonical(Purpose.CHANGE, cd.to_element(_doc("PO-2", "M", "S", ("NUT", 60, "4.00"))))
    answer = _raw(gw, "M", "chg-2", _csv(change, sender="M", receiver="S"))
    changed = answer.find(f"{{{NS}}}changed")
    # MTO: with penalty 50 + 40 x 4.00 x 10% = 66.00, asked of S, the order unchanged
    assert (_t(changed, "status"), Decimal(_t(changed, "penalty")),
            _t(changed, "changeRequests")) == ("CWP", Decimal("66.00"), "1")
    assert _instance(engine, "M", "PurchaseOrder", "PO-2")["quantity"] == Decimal(100)
    requests = _svc(gw, "S").ListChangeRequests(state="pending")
    assert [(r.order.number, r.quantity) for r in requests] == [("PO-2", Decimal(60))]
    # the cascade's notices go out as for UpdateTransaction: S is asked, M waits
    with engine.connect() as conn:
        notices = conn.execute(select(T.outbox.c.recipient, T.outbox.c.payload).where(
            T.outbox.c.kind == "Notice")).all()
    asked = sorted(r for r, payload in notices if "ChangeRequested" in payload)
    assert asked == ["M", "S"]


def test_a_change_that_cannot_be_applied_refuses_the_whole_file(net, engine):
    gw, _ = net
    _order(gw, "PO-3")
    new = Canonical(Purpose.ORIGINAL, cd.to_element(_doc("PO-4", "M", "S", ("BOLT", 5, "2.00"))))
    cases = [
        # a line PO-3 does not have
        (Canonical(Purpose.CHANGE, cd.to_element(_doc("PO-3", "M", "S", ("BOLT", 100, "2.00"),
                                                      ("BOLT", 7, "2.00")))),
         "InvalidRequest", "line 2 is not a line of M.PurchaseOrder.PO-3"),
        # the same quantities and date: nothing to change
        (Canonical(Purpose.CHANGE, cd.to_element(_doc("PO-3", "M", "S", ("BOLT", 100, "2.00")))),
         "InvalidRequest", "changes nothing"),
        # an order that does not exist
        (Canonical(Purpose.CHANGE, cd.to_element(_doc("PO-9", "M", "S", ("BOLT", 1, "2.00")))),
         "NotFound", "PO-9"),
    ]
    before = _rows(engine)
    for n, (bad, code, text) in enumerate(cases):
        with pytest.raises(zeep.exceptions.Fault, match=text) as fault:
            _svc(gw, "M").SubmitNative(messageId=f"bad-{n}", erpKind="csv",
                                       content=_csv(new, bad, sender="M", receiver="S"))
        assert fault.value.code.endswith(code)
    # someone else's order: S may not change M's
    foreign = Canonical(Purpose.CHANGE, cd.to_element(_doc("PO-3", "M", "S", ("BOLT", 1, "2.00"))))
    with pytest.raises(zeep.exceptions.Fault) as fault:
        _svc(gw, "S").SubmitNative(messageId="bad-s", erpKind="csv",
                                   content=_csv(foreign, sender="S", receiver="M",
                                                items=SUPPLIER_PARTS))
    assert fault.value.code.endswith("Unauthorized")
    assert _rows(engine) == before   # not even PO-4 of the first document


# ------------------------------------------------------------------ cancellations

def test_a_cancellation_dropped_in_a_folder_cancels_the_order_and_reports_it(net, engine):
    gw, drop = net
    agent_id = _order(gw, "BPO-1", company="B")
    cancel = Canonical(Purpose.CANCELLATION,
                       cd.to_element(_doc("BPO-1", "B", "S", ("BOLT", 100, "2.00"))))
    folders = file_drop.folders(drop / "b")
    (folders["in"] / "cancel-1.csv").write_bytes(_csv(cancel, sender="B", receiver="S"))
    report = file_drop.poll(engine, now=T0)
    assert (report.done, report.rejected, report.documents) == (1, 0, 1)
    assert (folders["done"] / "cancel-1.csv").exists()
    result = etree.parse(str(folders["done"] / "cancel-1.csv.result.xml")).getroot()
    [cancelled] = result.findall(f"{{{NS}}}cancelled")
    assert (_t(cancelled, "instance/number"), _t(cancelled, "instance/state"),
            _t(cancelled, "status")) == ("BPO-1", "Canceled", "CWG")
    assert _instance(engine, "B", "PurchaseOrder", "BPO-1")["state"] == "Canceled"
    # an order cancelled before S created its sales order stops its agent
    assert _agent(engine, agent_id)["state"] == "Canceled"
    # a cancellation of what is already cancelled is refused whole, with its reason
    (folders["in"] / "cancel-2.csv").write_bytes(_csv(cancel, sender="B", receiver="S")
                                                 + b"\n")
    before = _rows(engine)
    report = file_drop.poll(engine, now=T0)
    assert (report.done, report.rejected) == (0, 1)
    error = (folders["rejected"] / "cancel-2.csv.error.txt").read_text()
    assert "nothing in it was submitted" in error and "BPO-1" in error
    assert _rows(engine) == before


# ------------------------------------------------------------------ responses

def _response(number, response, response_number=None, *, company="M", note=None,
              lines=(("BOLT", 100, "2.00"),)):
    return Canonical(Purpose.RESPONSE, cd.to_element(_doc(number, company, "S", *lines, note=note)),
                     response, response_number)


def test_an_accepting_response_creates_the_sales_order(net, engine):
    gw, _ = net
    agent_id = _order(gw, "PO-5")
    data = _csv(_response("PO-5", Response.ACCEPTED, "SO-5"), sender="S", receiver="M",
                items=SUPPLIER_PARTS)
    answer = _raw(gw, "S", "rsp-5", data)
    [ack] = answer.findall(f"{{{NS}}}acknowledged")
    assert (_t(ack, "agentId"), _t(ack, "agentState"), _t(ack, "receiverDocument/type"),
            _t(ack, "receiverDocument/number")) == (agent_id, "Created", "SalesOrder", "SO-5")
    agent = _agent(engine, agent_id)
    assert (agent["state"], agent["inter_company_fk"]) == ("Created", "S.SalesOrder.SO-5")
    so = _instance(engine, "S", "SalesOrder", "SO-5")
    assert (so["quantity"], so["partner_key"]) == (Decimal(100), "M.PurchaseOrder.PO-5")
    # M hears of it as it hears of an Acknowledge
    with engine.connect() as conn:
        kinds = conn.execute(select(T.outbox.c.kind).where(T.outbox.c.recipient == "M")).scalars()
        assert "Acknowledgement" in list(kinds)
    # sent again: nothing more
    before = _rows(engine)
    _raw(gw, "S", "rsp-5", data)
    assert _rows(engine) == before
    # answered again with another sales order number: refused, nothing written
    with pytest.raises(zeep.exceptions.Fault, match="already answered with S.SalesOrder.SO-5"):
        _svc(gw, "S").SubmitNative(messageId="rsp-5b", erpKind="csv", content=_csv(
            _response("PO-5", Response.ACCEPTED, "SO-55"), sender="S", receiver="M",
            items=SUPPLIER_PARTS))
    assert _rows(engine) == before


def test_an_accepting_response_without_a_number_approves_only(net, engine):
    gw, _ = net
    agent_id = _order(gw, "PO-6")
    answer = _raw(gw, "S", "rsp-6", _csv(_response("PO-6", Response.ACCEPTED), sender="S",
                                         receiver="M", items=SUPPLIER_PARTS))
    assert _t(answer.find(f"{{{NS}}}acknowledged"), "agentState") == "Approved"
    assert answer.find(f"{{{NS}}}acknowledged/{{{NS}}}receiverDocument") is None
    assert _agent(engine, agent_id)["state"] == "Approved"


def test_a_rejecting_response_rejects_the_order_with_its_reason(net, engine):
    gw, _ = net
    agent_id = _order(gw, "PO-7")
    _raw(gw, "S", "rsp-7", _csv(_response("PO-7", Response.REJECTED, note="no capacity in March"),
                                sender="S", receiver="M", items=SUPPLIER_PARTS))
    agent = _agent(engine, agent_id)
    assert (agent["state"], agent["reason"]) == ("Canceled", "no capacity in March")
    assert _instance(engine, "S", "SalesOrder", "PO-7") is None


def test_a_changed_response_with_the_same_quantities_creates_the_sales_order(net, engine):
    gw, _ = net
    agent_id = _order(gw, "PO-8")
    answer = _raw(gw, "S", "rsp-8", _csv(_response("PO-8", Response.CHANGED, "SO-8"),
                                         sender="S", receiver="M", items=SUPPLIER_PARTS))
    ack = answer.find(f"{{{NS}}}acknowledged")
    assert _t(ack, "agentState") == "Created"
    assert ack.find(f"{{{NS}}}changed") is None   # nothing differed
    assert _agent(engine, agent_id)["state"] == "Created"


def test_a_changed_response_with_other_quantities_is_refused_writing_nothing(net, engine):
    # The cascade changes only documents their owner submits; a sales order follows
    # its purchase order, so the supplier's counter-proposal cannot be applied to it.
    gw, _ = net
    agent_id = _order(gw, "PO-9")
    before = _rows(engine)
    with pytest.raises(zeep.exceptions.Fault, match="M.PurchaseOrder.PO-9") as fault:
        _svc(gw, "S").SubmitNative(messageId="rsp-9", erpKind="csv", content=_csv(
            _response("PO-9", Response.CHANGED, "SO-9", lines=(("BOLT", 80, "2.00"),)),
            sender="S", receiver="M", items=SUPPLIER_PARTS))
    assert fault.value.code.endswith("InvalidRequest")
    assert _rows(engine) == before
    assert _agent(engine, agent_id)["state"] == "Dispatched"


def test_only_the_receiver_of_the_order_may_respond(net, engine):
    gw, _ = net
    _order(gw, "PO-10")
    before = _rows(engine)
    # the buyer answering its own order
    with pytest.raises(zeep.exceptions.Fault, match="only its receiver responds") as fault:
        _svc(gw, "M").SubmitNative(messageId="rsp-10", erpKind="csv", content=_csv(
            _response("PO-10", Response.ACCEPTED, "X-1"), sender="M", receiver="S"))
    assert fault.value.code.endswith("Unauthorized")
    # an order nobody sent
    with pytest.raises(zeep.exceptions.Fault) as fault:
        _svc(gw, "S").SubmitNative(messageId="rsp-11", erpKind="csv", content=_csv(
            _response("PO-404", Response.ACCEPTED, "SO-404"), sender="S", receiver="M",
            items=SUPPLIER_PARTS))
    assert fault.value.code.endswith("UnknownReference")
    assert _rows(engine) == before
