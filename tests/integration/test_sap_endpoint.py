"""The simulated SAP IDoc endpoint: its own WSDL, zeep calls, SAP's inbound check as faults."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import zeep
from lxml import etree

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, Purpose
from adapters.registry import adapter_for
from smart_gateway.delivery.worker import push_idoc
from smart_gateway.simulator.sap_endpoint import start_sap_endpoint


@pytest.fixture(scope="module")
def sap():
    server, url, inbox = start_sap_endpoint("MOTHER")
    yield url, inbox
    server.shutdown()
    server.server_close()


def _desadv(number: str, qty: int) -> bytes:
    doc = cd.Doc(type="Delivery", number=number, company="T1A", partner="MOTHER",
                 issue_date=dt.date(2030, 1, 2), currency="USD",
                 lines=(cd.DocLine(1, "MAINBOARD", Decimal(qty), "EA", unit_price=Decimal("38.5")),),
                 references=(cd.DocRef("T1A", "SalesOrder", "SO-1", Decimal(qty)),))
    return adapter_for("sap-idoc").write([Canonical(Purpose.ORIGINAL, cd.to_element(doc))],
                                         AdapterContext("T1A", "MOTHER"))


def test_an_idoc_gets_a_number_once_per_message_id(sap):
    url, inbox = sap
    data = _desadv("DL-1", 4)
    first = push_idoc(url, "msg-1", data, timeout=5)
    assert first == push_idoc(url, "msg-1", data, timeout=5)     # a retry: same number
    second = push_idoc(url, "msg-2", _desadv("DL-2", 6), timeout=5)
    assert len(first) == 16 and first.isdigit() and int(second) == int(first) + 1
    taken = inbox.drain()
    assert [i.message_id for i in taken] == ["msg-1", "msg-2"]
    assert etree.fromstring(taken[0].data).findtext("IDOC/E1EDK01/BELNR") == "DL-1"


@pytest.mark.parametrize("breakage, code, where", [
    # the control total E1EDS01 SUMID 001 says 3 items where there is one
    (lambda x: x.replace(b"<SUMID>001</SUMID><SUMME>1</SUMME>",
                         b"<SUMID>001</SUMID><SUMME>3</SUMME>"), "InvalidRequest", "E1EDS01"),
    # the header segment is missing
    (lambda x: etree.tostring(_without(x, "IDOC/E1EDK01")), "InvalidRequest", "E1EDK01"),
    # not an IDoc at all
    (lambda x: b"<Invoice/>", "SchemaInvalid", "Invoice"),
])
def test_sap_refuses_a_broken_idoc_with_a_fault_naming_where(sap, breakage, code, where):
    url, inbox = sap
    inbox.drain()
    broken = breakage(_desadv("DL-9", 2))
    with pytest.raises(zeep.exceptions.Fault) as fault:
        push_idoc(url, f"bad-{code}-{where}", broken, timeout=5)
    assert fault.value.code.endswith(f"Client.{code}")
    assert where in fault.value.message
    assert inbox.drain() == []


def _without(data: bytes, path: str) -> etree._Element:
    root = etree.fromstring(data)
    el = root.find(path)
    el.getparent().remove(el)
    return root


def test_the_endpoint_publishes_its_own_small_wsdl(sap):
    url, _ = sap
    client = zeep.Client(url + "?wsdl")
    [service] = client.wsdl.services.values()
    [port] = service.ports.values()
    assert list(port.binding._operations) == ["IdocInbound"]
