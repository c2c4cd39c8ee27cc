"""Transports per agreement, on both databases: each company gets its documents in its
own format (FetchInbox native, SAP's own IDoc endpoint, a file drop), and sends them so
(SubmitNative, files dropped in its folder), with its agreement's part codes.

The native documents are checked by XPath or by segment position, values read out of
the bytes, not by the adapter that wrote them.
"""
from __future__ import annotations

import base64
import datetime as dt
import shutil
from decimal import Decimal

import pytest
import zeep
from lxml import etree
from sqlalchemy import func, select

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, ItemMap, Purpose
from adapters.registry import adapter_for
from smart_gateway.delivery import file_drop
from smart_gateway.delivery.worker import deliver_due
from smart_gateway.network.loader import install, load_network_from_string
from smart_gateway.persistence import tables as T
from smart_gateway.simulator.partner_server import start_partner_server
from smart_gateway.simulator.sap_endpoint import start_sap_endpoint
from smart_gateway.testing import start_gateway

NS = "urn:smart-gateway:v1"
_Q = "{%s}" % NS
T0 = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

NETWORK = """
[network]
name = "transports"

[[company]]
code = "M"
name = "Mother on SAP"
tier = 0
role = "mother"
erp_kind = "sap-idoc"
transport = "push"
endpoint = "${M_URL}"
[company.format]
native = true
native_endpoint = "${SAP_URL}"
[company.credentials]
username = "m"
secret = "m-secret"

[[company]]
code = "U"
name = "Tier one on UBL, pulling"
tier = 1
role = "supplier"
erp_kind = "ubl-2.1"
transport = "pull"
[company.format]
native = true
[company.credentials]
username = "u"
secret = "u-secret"

[[company]]
code = "X"
name = "Tier two on X12, file drop"
tier = 2
role = "supplier"
erp_kind = "x12-4010"
transport = "file"
[company.format]
drop_folder = "${DROP}/x"
charset = "x12-basic"
text_rule = "refuse"
[company.credentials]
username = "x"
secret = "x-secret"

[[company]]
code = "C"
name = "Small supplier on CSV, file drop"
tier = 3
role = "raw-material"
erp_kind = "csv"
transport = "file"
[company.format]
drop_folder = "${DROP}/c"
charset = "ascii"
text_rule = "transliterate"
[company.credentials]
username = "c"
secret = "c-secret"

[[company]]
code = "P"
name = "Tier one on cXML, pushed"
tier = 1
role = "supplier"
erp_kind = "cxml"
transport = "push"
endpoint = "${M_URL}"
[company.format]
native = true
[company.credentials]
username = "p"
secret = "p-secret"

[[agreement]]
buyer = "M"
supplier = "P"
lead_time_days = 1
currency = "USD"
[[agreement.item]]
item = "KEYPAD"
supplier_part = "P-KP-1"
unit_price = "1.25"

[[agreement]]
buyer = "M"
supplier = "U"
lead_time_days = 1
currency = "USD"
[[agreement.item]]
item = "MAINBOARD"
supplier_part = "U-MB-1"
unit_price = "38.50"

[[agreement]]
buyer = "U"
supplier = "X"
lead_time_days = 1
currency = "USD"
[[agreement.item]]
item = "PCB"
supplier_part = "X-PCB-9"
unit_price = "4.20"

[[agreement]]
buyer = "X"
supplier = "C"
lead_time_days = 1
currency = "USD"
[[agreement.item]]
item = "LAMINATE"
supplier_part = "C-LAM"
unit_price = "2.35"
"""


_NOW = [T0]   # the gateway's clock; a test that waits out a backoff moves it


@pytest.fixture
def net(engine, tmp_path):
    partner_server, partner_url, partner = start_partner_server()
    sap_server, sap_url, sap = start_sap_endpoint("M")
    network = load_network_from_string(NETWORK, variables={
        "M_URL": partner_url, "SAP_URL": sap_url, "DROP": str(tmp_path / "drop")})
    with engine.begin() as conn:
        install(conn, network)
    _NOW[0] = T0
    gw = start_gateway(engine, clock=lambda: _NOW[0])
    yield gw, partner, sap, tmp_path / "drop"
    gw.stop()
    for server in (partner_server, sap_server):
        server.shutdown()
        server.server_close()


def _client(gw, code):
    return gw.client(code.lower(), f"{code.lower()}-secret").service


def _po(number, company, partner, item, qty, price, description=None):
    line = {"lineNumber": 1, "item": item, "quantity": Decimal(qty), "unit": "EA",
            "unitPrice": Decimal(price)}
    if description:
        line["description"] = description
    return {"type": "PurchaseOrder", "number": number, "company": company, "partner": partner,
            "issueDate": dt.date(2030, 1, 1), "currency": "USD", "line": [line]}


def _count(engine, table, *where):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _fetch_raw(gw, code, **kwargs):
    client = gw.client(code.lower(), f"{code.lower()}-secret")
    with client.settings(raw_response=True):
        response = client.service.FetchInbox(maxMessages=10, **kwargs)
    body = etree.fromstring(response.content)
    return body.findall(f".//{_Q}FetchInboxResponse/{_Q}message")


def test_pull_partner_fetches_a_ubl_order_with_its_own_part_code(net):
    gw, *_ = net
    _client(gw, "M").SubmitTransaction(messageId="po-1", document=_po(
        "PO-1", "M", "U", "MAINBOARD", 7, "38.50"))
    # without the flag, U's agreement (native = true) decides
    [message] = _fetch_raw(gw, "U")
    native = message.find(_Q + "native")
    assert native.findtext(_Q + "erpKind") == "ubl-2.1"
    assert native.findtext(_Q + "mediaType") == "application/xml"
    order = etree.fromstring(base64.b64decode(native.findtext(_Q + "content")))
    assert etree.QName(order).localname == "Order"
    x = {"cac": UBL_CAC, "cbc": UBL_CBC}
    assert order.xpath("string(cbc:ID)", namespaces=x) == "PO-1"
    line = order.xpath("cac:OrderLine/cac:LineItem", namespaces=x)[0]
    assert line.xpath("string(cac:Item/cac:SellersItemIdentification/cbc:ID)",
                      namespaces=x) == "U-MB-1"   # U's part code, not MAINBOARD
    assert Decimal(line.xpath("string(cbc:Quantity)", namespaces=x)) == 7
    # the canonical document stays next to it; native = false leaves the native out
    assert message.findtext(f"{_Q}document/{_Q}line/{_Q}item") == "MAINBOARD"
    assert _fetch_raw(gw, "U", native=False) == []  # handed out; again only after a minute


def test_push_to_sap_delivers_the_idoc_to_its_own_endpoint(net, engine):
    gw, partner, sap, _ = net
    m, u = _client(gw, "M"), _client(gw, "U")
    order = m.SubmitTransaction(messageId="po-1", document=_po("PO-1", "M", "U", "MAINBOARD",
                                                               10, "38.50"))
    _fetch_raw(gw, "U")
    u.Acknowledge(messageId="a-1", agentId=order.agentId, state="Approved")
    u.Acknowledge(messageId="a-2", agentId=order.agentId, state="Created",
                  documentNumber="SO-1")
    delivery = u.SubmitTransaction(messageId="dl-1", document={
        "type": "Delivery", "number": "DL-1", "company": "U", "partner": "M",
        "issueDate": dt.date(2030, 1, 2), "currency": "USD",
        "line": [{"lineNumber": 1, "item": "MAINBOARD", "quantity": Decimal(10), "unit": "EA",
                  "unitPrice": Decimal("38.50")}],
        "reference": [{"company": "U", "type": "SalesOrder", "number": "SO-1",
                       "quantity": Decimal(10)}]})
    report = deliver_due(engine, now=T0)
    assert report.dead == 0 and report.delivered >= 1
    [idoc] = sap.received
    root = etree.fromstring(idoc.data)
    assert root.xpath("string(IDOC/EDI_DC40/MESTYP)") == "DESADV"
    assert root.xpath("string(IDOC/E1EDK01/BELNR)") == "DL-1"
    assert root.xpath("string(IDOC/E1EDP01/E1EDP19/IDTNR)") == "MAINBOARD"
    assert Decimal(root.xpath("string(IDOC/E1EDP01/MENGE)")) == 10
    # the acknowledgements, which have no IDoc form, went to M's ReceiveMessage
    kinds = [m.findtext(_Q + "kind") for m in partner.queue.drain()]
    assert kinds and set(kinds) == {"Acknowledgement"}
    with engine.connect() as conn:
        state = conn.execute(select(T.agent.c.state).where(
            T.agent.c.id == delivery.agentId)).scalar_one()
    assert state == "Received"
    # SAP deduplicates by message id: the worker's retry gets the same IDoc number
    from smart_gateway.delivery.worker import push_idoc
    assert push_idoc(sap_url_of(sap, net), idoc.message_id, idoc.data, timeout=5) \
        == idoc.idoc_number
    assert len(sap.received) == 1


def sap_url_of(sap, net):
    gw = net[0]
    with gw.engine.connect() as conn:
        from smart_gateway.persistence.tables_adapters import partner_format
        return conn.execute(select(partner_format.c.native_endpoint).where(
            partner_format.c.company == "M")).scalar_one()


def test_file_drop_out_writes_an_x12_850_with_the_suppliers_part(net, engine):
    gw, _, _, drop = net
    result = _client(gw, "U").SubmitTransaction(messageId="po-x", document=_po(
        "PO-X1", "U", "X", "PCB", 120, "4.20"))
    assert deliver_due(engine, now=T0).delivered == 1
    files = sorted((drop / "x" / "out").iterdir())
    assert [f.suffix for f in files] == [".x12"] and not files[0].name.startswith(".")
    segments = [s.split("*") for s in files[0].read_text().replace("\n", "").split("~") if s]
    tags = [s[0] for s in segments]
    assert tags[0] == "ISA" and "ST" in tags and tags[-1] == "IEA"
    st = segments[tags.index("ST")]
    assert st[1] == "850"
    beg = segments[tags.index("BEG")]
    assert beg[3] == "PO-X1"
    po1 = segments[tags.index("PO1")]
    assert Decimal(po1[2]) == 120 and po1[3] == "EA" and Decimal(po1[4]) == Decimal("4.20")
    assert "X-PCB-9" in po1[6:]          # X's own part code, after its qualifier
    assert "PCB" not in [v for v in po1[6:] if v != "X-PCB-9"]
    with engine.connect() as conn:
        assert conn.execute(select(T.agent.c.state).where(
            T.agent.c.id == result.agentId)).scalar_one() == "Received"


def test_unrepresentable_text_is_a_dead_letter_not_a_mangled_file(net, engine):
    gw, _, _, drop = net
    _client(gw, "U").SubmitTransaction(messageId="po-k", document=_po(
        "PO-K1", "U", "X", "PCB", 5, "4.20", description="회로기판 8층"))
    first = deliver_due(engine, now=T0, max_attempts=2, base_delay=1)
    second = deliver_due(engine, now=T0 + dt.timedelta(seconds=5), max_attempts=2, base_delay=1)
    assert (first.retried, second.dead) == (1, 1)
    with engine.connect() as conn:
        row = conn.execute(select(T.outbox).where(T.outbox.c.recipient == "X")).mappings().one()
    assert row["state"] == "dead" and row["attempts"] == 2
    assert row["last_error"].startswith("Unrepresentable:")
    assert "U+D68C" in row["last_error"] and "x12-basic" in row["last_error"]
    assert not list((drop / "x").glob("out/*"))   # nothing written


def test_unmapped_part_code_for_a_pull_partner_is_dead_after_bounded_fetches(net, engine):
    gw, *_ = net
    # an item outside the M->U agreement: U's mapping has no part code for it
    _client(gw, "M").SubmitTransaction(messageId="po-u", document=_po(
        "PO-U1", "M", "U", "SCREWS", 1, "1"))
    from smart_gateway.delivery.worker import DEFAULT_MAX_ATTEMPTS, backoff

    def attempts():
        with engine.connect() as conn:
            return conn.execute(select(T.outbox).where(T.outbox.c.recipient == "U")
                                ).mappings().one()

    for n in range(1, DEFAULT_MAX_ATTEMPTS + 1):
        assert _fetch_raw(gw, "U", native=True) == []
        # polling again at once does not spend another attempt: the row waits its backoff
        assert _fetch_raw(gw, "U", native=True) == [] and attempts()["attempts"] == n
        _NOW[0] += backoff(n, 1.0)
    row = attempts()
    assert row["state"] == "dead" and row["attempts"] == DEFAULT_MAX_ATTEMPTS
    assert row["last_error"].startswith("UnmappedCode:") and "SCREWS" in row["last_error"]
    # the canonical message was never handed out half right; canonical fetch finds nothing due
    assert _fetch_raw(gw, "U", native=False) == []


def _x12_po(number: str, qty: int) -> bytes:
    """What X's EDI translator writes for a purchase order to C: X orders with network codes."""
    doc = cd.Doc(type="PurchaseOrder", number=number, company="X", partner="C",
                 issue_date=dt.date(2030, 1, 1), currency="USD",
                 lines=(cd.DocLine(1, "LAMINATE", Decimal(qty), "EA", unit_price=Decimal("2.35")),))
    return adapter_for("x12-4010").write([Canonical(Purpose.ORIGINAL, cd.to_element(doc))],
                                         AdapterContext("X", "C", charset="x12-basic"))


def test_file_drop_in_submits_once_and_rejects_a_broken_file_whole(net, engine):
    gw, _, _, drop = net
    inbox = drop / "x" / "in"
    file_drop.folders(drop / "x")
    (inbox / "po-1.x12").write_bytes(_x12_po("XPO-1", 300))
    report = file_drop.poll(engine, now=T0)
    assert (report.done, report.rejected, report.documents) == (1, 0, 1)
    assert (drop / "x" / "done" / "po-1.x12").exists() and not list(inbox.iterdir())
    with engine.connect() as conn:
        po = conn.execute(select(T.instance).where(T.instance.c.company == "X")).mappings().one()
    assert (po["doc_type"], po["number"], po["partner"], po["quantity"]) == \
        ("PurchaseOrder", "XPO-1", "C", 300)
    # the same file dropped again is processed once
    shutil.copy(drop / "x" / "done" / "po-1.x12", inbox / "po-1.x12")
    assert file_drop.poll(engine, now=T0).done == 1
    assert _count(engine, T.instance, T.instance.c.company == "X") == 1
    assert _count(engine, T.outbox, T.outbox.c.recipient == "C") == 1

    # a broken trailer: the SE count says 99 segments; the file is refused whole
    good = _x12_po("XPO-2", 5).decode()
    se = next(s for s in good.split("~") if s.strip().startswith("SE*"))
    broken = good.replace(se, se.strip().split("*")[0] + "*99*" + se.strip().split("*")[2])
    (inbox / "po-2.x12").write_text(broken)
    report = file_drop.poll(engine, now=T0)
    assert (report.done, report.rejected) == (0, 1)
    error = (drop / "x" / "rejected" / "po-2.x12.error.txt").read_text()
    assert "SE" in error and "nothing in it was submitted" in error
    assert (drop / "x" / "rejected" / "po-2.x12").exists()
    assert _count(engine, T.instance, T.instance.c.company == "X") == 1

    # C gets the order as a CSV file in its own part code, its text rule applied
    assert deliver_due(engine, now=T0).delivered == 1
    [csv_file] = (drop / "c" / "out").iterdir()
    assert csv_file.suffix == ".csv"
    text = csv_file.read_text(encoding="utf-8-sig")
    assert "C-LAM" in text and "XPO-1" in text and "LAMINATE" not in text


def _ubl(doc: cd.Doc, items: ItemMap) -> bytes:
    return adapter_for("ubl-2.1").write([Canonical(Purpose.ORIGINAL, cd.to_element(doc))],
                                        AdapterContext(doc.company, doc.partner, items=items))


def test_submit_native_takes_a_ubl_file_and_refuses_a_broken_one_writing_nothing(net, engine):
    gw, *_ = net
    u = gw.client("u", "u-secret")
    doc = cd.Doc(type="PurchaseOrder", number="UPO-1", company="U", partner="X",
                 issue_date=dt.date(2030, 1, 1), currency="USD",
                 lines=(cd.DocLine(1, "PCB", Decimal(40), "EA", unit_price=Decimal("4.20")),))
    data = _ubl(doc, ItemMap())
    answer = u.service.SubmitNative(messageId="n-1", erpKind="ubl-2.1", content=data)
    [done] = answer.submitted if hasattr(answer, "submitted") else answer
    assert (done.instance.type, done.instance.number, done.receiver) == \
        ("PurchaseOrder", "UPO-1", "X")
    # sent again: processed once
    u.service.SubmitNative(messageId="n-1", erpKind="ubl-2.1", content=data)
    assert _count(engine, T.instance, T.instance.c.company == "U") == 1
    before = _count(engine, T.outbox)
    broken = data.replace(b"UPO-1", b"UPO-2").replace(b"<cac:OrderLine>", b"<cac:OrderLin>", 1)
    with pytest.raises(zeep.exceptions.Fault) as fault:
        u.service.SubmitNative(messageId="n-2", erpKind="ubl-2.1", content=broken)
    assert fault.value.code.endswith(("MalformedXml", "SchemaInvalid", "InvalidRequest"))
    assert _count(engine, T.instance, T.instance.c.company == "U") == 1
    assert _count(engine, T.outbox) == before
    # a kind that is not U's
    with pytest.raises(zeep.exceptions.Fault, match="speaks ubl-2.1"):
        u.service.SubmitNative(messageId="n-3", erpKind="csv", content=b"x")


def test_translate_document_maps_part_codes_both_ways(net):
    gw, *_ = net
    u = gw.client("u", "u-secret")
    delivery = {"type": "Delivery", "number": "DL-9", "company": "U", "partner": "M",
                "issueDate": dt.date(2030, 1, 2), "currency": "USD",
                "line": [{"lineNumber": 1, "item": "MAINBOARD", "quantity": Decimal(3),
                          "unit": "EA", "unitPrice": Decimal("38.50")}],
                "reference": [{"company": "U", "type": "SalesOrder", "number": "SO-1"}]}
    native = u.service.TranslateDocument(erpKind="ubl-2.1", document=[delivery]).native
    assert native.erpKind == "ubl-2.1"
    assert b"U-MB-1" in native.content and b"MAINBOARD" not in native.content
    back = u.service.TranslateDocument(erpKind="ubl-2.1", content=native.content).document
    assert [ln.item for ln in back[0].line] == ["MAINBOARD"]
    unknown = native.content.replace(b"U-MB-1", b"U-MB-404")
    with pytest.raises(zeep.exceptions.Fault, match="U-MB-404") as fault:
        u.service.TranslateDocument(erpKind="ubl-2.1", content=unknown)
    assert fault.value.code.endswith("UnmappedCode")


def test_native_push_carries_the_native_element_inside_receive_message(net, engine):
    gw, partner, _, _ = net
    _client(gw, "M").SubmitTransaction(messageId="po-p", document=_po(
        "PO-P1", "M", "P", "KEYPAD", 12, "1.25"))
    report = deliver_due(engine, now=T0)
    with engine.connect() as conn:
        error = conn.execute(select(T.outbox.c.last_error)).scalar()
    assert report.delivered == 1, error
    # the partner server accepts only a ReceiveMessage valid against gateway.xsd
    [message] = partner.queue.drain()
    native = message.find(_Q + "native")
    assert native.findtext(_Q + "erpKind") == "cxml"
    cxml = etree.fromstring(base64.b64decode(native.findtext(_Q + "content")))
    assert cxml.tag == "cXML"
    assert cxml.xpath("string(//OrderRequestHeader/@orderID)") == "PO-P1"
    assert cxml.xpath("string(//ItemOut/@quantity)") == "12"
    assert cxml.xpath("string(//ItemOut/ItemID/SupplierPartID)") == "P-KP-1"
    assert message.findtext(f"{_Q}document/{_Q}line/{_Q}item") == "KEYPAD"


def test_a_crash_between_writing_the_file_and_marking_it_leaves_one_file(net, engine,
                                                                          monkeypatch):
    gw, _, _, drop = net
    _client(gw, "U").SubmitTransaction(messageId="po-c", document=_po(
        "PO-C1", "U", "X", "PCB", 9, "4.20"))
    from smart_gateway.delivery import worker

    def crash(*args, **kwargs):
        raise SystemExit("killed after the rename, before the commit")
    monkeypatch.setattr(worker, "mark_delivered", crash)
    with pytest.raises(SystemExit):
        deliver_due(engine, now=T0)
    monkeypatch.undo()
    [written] = (drop / "x" / "out").iterdir()
    first = written.read_bytes()
    # the row is still leased: nothing happens until the lease is over, then it is redone
    assert deliver_due(engine, now=T0).total == 0
    later = T0 + worker.lease_for(20, 10.0) + dt.timedelta(seconds=1)
    assert deliver_due(engine, now=later).delivered == 1
    assert [p.name for p in (drop / "x" / "out").iterdir()] == [written.name]
    assert written.read_bytes().split(b"~")[3:] == first.split(b"~")[3:]  # same sets (ISA/GS time aside)
    with engine.connect() as conn:
        row = conn.execute(select(T.outbox).where(T.outbox.c.recipient == "X")).mappings().one()
    assert row["state"] == "delivered"


def _idoc_orders(*orders: tuple[str, str, str, int]) -> bytes:
    """What M's SAP writes: one ORDERS05 file with an IDoc per (number, supplier, item, qty)."""
    docs = [Canonical(Purpose.ORIGINAL, cd.to_element(cd.Doc(
        type="PurchaseOrder", number=number, company="M", partner=supplier,
        issue_date=dt.date(2030, 1, 1), currency="USD",
        lines=(cd.DocLine(1, item, Decimal(qty), "EA", unit_price=Decimal("1.25")),))))
        for number, supplier, item, qty in orders]
    return adapter_for("sap-idoc").write(docs, AdapterContext("M", "U"))


def test_submit_native_takes_every_idoc_of_a_file_or_none(net, engine):
    gw, *_ = net
    m = gw.client("m", "m-secret").service
    answer = m.SubmitNative(messageId="sap-1", erpKind="sap-idoc", content=_idoc_orders(
        ("MPO-1", "U", "MAINBOARD", 3), ("MPO-2", "P", "KEYPAD", 40)))
    submitted = answer if isinstance(answer, list) else answer.submitted
    assert [(s.instance.number, s.receiver) for s in submitted] == [("MPO-1", "U"), ("MPO-2", "P")]
    with engine.connect() as conn:
        replies = conn.execute(select(T.outbox.c.recipient)).scalars().all()
    assert sorted(replies) == ["P", "U"]
    # the second IDoc names a material outside the M->U agreement: the file is refused
    # whole, naming the code, and its first IDoc is not submitted either
    with pytest.raises(zeep.exceptions.Fault, match="SCREWS") as fault:
        m.SubmitNative(messageId="sap-2", erpKind="sap-idoc", content=_idoc_orders(
            ("MPO-3", "U", "MAINBOARD", 1), ("MPO-4", "U", "SCREWS", 1)))
    assert fault.value.code.endswith("UnmappedCode")
    # the same with the IDocs for two suppliers: each is read with its own agreement
    with pytest.raises(zeep.exceptions.Fault, match="'SCREWS' has no network item in the "
                                                    "agreement of M with P") as fault:
        m.SubmitNative(messageId="sap-3", erpKind="sap-idoc", content=_idoc_orders(
            ("MPO-3", "U", "MAINBOARD", 1), ("MPO-4", "P", "SCREWS", 1)))
    assert fault.value.code.endswith("UnmappedCode")
    assert _count(engine, T.instance, T.instance.c.company == "M") == 2


def test_transliteration_is_said_in_the_record_and_in_the_translation(net, engine):
    gw, _, _, drop = net
    # X orders through SOAP; C's agreement: ASCII, transliterate
    _client(gw, "X").SubmitTransaction(messageId="po-t", document=_po(
        "XPO-T1", "X", "C", "LAMINATE", 10, "2.35", description="동박 적층판 Café"))
    assert deliver_due(engine, now=T0).delivered == 1
    [written] = (drop / "c" / "out").iterdir()
    row = [r for r in written.read_text(encoding="utf-8-sig").splitlines() if r.startswith("L,")][0]
    assert "(U+B3D9)(U+BC15) (U+C801)(U+CE35)(U+D310) Cafe" in row
    with engine.connect() as conn:
        event = conn.execute(select(T.event).where(T.event.c.kind == "transliterated")
                             ).mappings().one()
    assert event["company"] == "C" and "line 1" in event["detail"] and "동박" in event["detail"]
    # TranslateDocument says so too, in the native element
    c = gw.client("c", "c-secret").service
    native = c.TranslateDocument(erpKind="csv", document=[{
        **_po("XPO-T2", "X", "C", "LAMINATE", 1, "2.35", description="Ωmega"),
        "issueDate": dt.date(2030, 1, 1)}]).native
    assert b"(U+03A9)mega" in native.content
    assert len(native.transliterated) == 1 and "Ωmega" in native.transliterated[0]



def test_a_file_the_gateway_keeps_failing_on_is_set_aside_but_one_waiting_for_the_database_is_not(
        net, engine, monkeypatch):
    # given: a well-formed file, and a fault in the gateway that fails every round on it
    from sqlalchemy.exc import OperationalError

    from smart_gateway.delivery import native
    gw, _, _, drop = net
    inbox = drop / "x" / "in"
    file_drop.folders(drop / "x")
    (inbox / "po-9.x12").write_bytes(_x12_po("XPO-9", 7))
    failure = [TypeError("unsupported operand")]

    def failing(*args, **kwargs):
        raise failure[0]
    monkeypatch.setattr(native, "submit_all", failing)
    # when: the database is unreachable, the file waits however many rounds it takes
    failure[0] = OperationalError("SELECT 1", {}, Exception("connection refused"))
    for _ in range(file_drop.MAX_FAILURES + 1):
        assert file_drop.poll(engine, now=T0).total == 0
    assert (inbox / "po-9.x12").exists()
    # when: the gateway itself fails on it, it is tried again MAX_FAILURES - 1 times ...
    failure[0] = TypeError("unsupported operand")
    for _ in range(file_drop.MAX_FAILURES - 1):
        assert file_drop.poll(engine, now=T0).total == 0
        assert (inbox / "po-9.x12").exists()
    # ... then set aside in rejected/, saying so, with nothing submitted
    assert file_drop.poll(engine, now=T0).rejected == 1
    assert not (inbox / "po-9.x12").exists()
    error = (drop / "x" / "rejected" / "po-9.x12.error.txt").read_text()
    assert "Server.Internal" in error and "TypeError: unsupported operand" in error
    assert _count(engine, T.instance, T.instance.c.company == "X") == 0
    # and once the fault is mended, the same file dropped again is submitted
    monkeypatch.undo()
    shutil.copy(drop / "x" / "rejected" / "po-9.x12", inbox / "po-9.x12")
    assert file_drop.poll(engine, now=T0).done == 1
    assert _count(engine, T.instance, T.instance.c.company == "X") == 1
