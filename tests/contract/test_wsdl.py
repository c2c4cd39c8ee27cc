"""The published contract: wsdl/*.wsdl, schemas/gateway/v1/gateway.xsd, and what the gateway serves and writes.

If a test here says the WSDL drifted, regenerate the checked-in files with
``smart-gateway export-wsdl`` (smart_gateway.soap.wsdl.export()) and review
the diff: partners generate their clients from these files.
"""
from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
import zeep
from lxml import etree

from smart_gateway.messages.schema import GATEWAY_XSD, NS, gateway_schema
from smart_gateway.soap import wsdl

from fixtures.gw_network import doc, mid, party, ref

W = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
XS = "http://www.w3.org/2001/XMLSchema"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"
DRIFT = ("{name} differs from what smart_gateway.soap.wsdl builds from gateway.xsd: "
         "run `smart-gateway export-wsdl` (smart_gateway.soap.wsdl.export()) and commit the result")

WSDLS = {"gateway": (wsdl.GATEWAY_WSDL, wsdl.gateway_wsdl, wsdl.GATEWAY_OPERATIONS),
         "gateway12": (wsdl.GATEWAY_WSDL_12, wsdl.gateway_wsdl_12, wsdl.GATEWAY_OPERATIONS),
         "partner": (wsdl.PARTNER_WSDL, wsdl.partner_wsdl, wsdl.PARTNER_OPERATIONS)}
# The SOAP versions each contract declares, in the order its ports are listed.
BINDINGS = {"gateway": [SOAP11], "gateway12": [SOAP12, SOAP11], "partner": [SOAP11]}


def _tree(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def _normalized(el: etree._Element):
    """Tag, attributes, stripped text and children; comments and layout whitespace dropped."""
    return (el.tag, sorted(el.attrib.items()), (el.text or "").strip(),
            [_normalized(c) for c in el if isinstance(c.tag, str)])


@pytest.mark.parametrize("name", WSDLS)
def test_checked_in_wsdl_matches_the_builder(name):
    path, builder, _ = WSDLS[name]
    assert builder() == path.read_bytes(), DRIFT.format(name=path.name)


def test_served_wsdl_is_the_checked_in_one(engine, gw):
    with urllib.request.urlopen(gw.wsdl_url, timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/xml")
        served = resp.read()
    assert f'location="{gw.soap_url}"'.encode() in served
    assert served.replace(gw.soap_url.encode(), wsdl.PLACEHOLDER.encode()) \
        == wsdl.GATEWAY_WSDL.read_bytes()


def test_served_soap12_wsdl_is_the_checked_in_one(engine, gw):
    with urllib.request.urlopen(f"{gw.base_url}/soap12?wsdl", timeout=10) as resp:
        assert resp.status == 200
        served = resp.read()
    assert f'location="{gw.base_url}/soap12"'.encode() in served
    assert f'location="{gw.soap_url}"'.encode() in served
    restored = (served.replace(f"{gw.base_url}/soap12".encode(), wsdl.PLACEHOLDER_12.encode())
                .replace(gw.soap_url.encode(), wsdl.PLACEHOLDER.encode()))
    assert restored == wsdl.GATEWAY_WSDL_12.read_bytes()


@pytest.mark.parametrize("name", WSDLS)
def test_every_operation_declares_the_gateway_fault(name):
    path, _, operations = WSDLS[name]
    root = _tree(path)
    names = [op for op, _ in operations]
    fault_msg = root.find(f"{{{W}}}message[@name='GatewayFault']/{{{W}}}part")
    assert fault_msg is not None and fault_msg.get("element") == "tns:GatewayFault"
    for port_type in root.findall(f"{{{W}}}portType"):
        ops = port_type.findall(f"{{{W}}}operation")
        assert [o.get("name") for o in ops] == names
        for op in ops:
            faults = op.findall(f"{{{W}}}fault")
            assert [(f.get("name"), f.get("message")) for f in faults] == \
                [("GatewayFault", "tns:GatewayFault")], op.get("name")
    for binding, ns in zip(root.findall(f"{{{W}}}binding"), BINDINGS[name]):
        for op in binding.findall(f"{{{W}}}operation"):
            fault = op.find(f"{{{W}}}fault[@name='GatewayFault']/{{{ns}}}fault")
            assert fault is not None and fault.get("use") == "literal", op.get("name")


@pytest.mark.parametrize("name", WSDLS)
def test_document_literal_bindings_for_exactly_the_versions_served(name):
    path, _, _ = WSDLS[name]
    root = _tree(path)
    expected = BINDINGS[name]
    if SOAP12 not in expected:
        assert SOAP12.encode() not in path.read_bytes()
        assert "http://www.w3.org/2003/05/soap-envelope" not in path.read_text()
    bindings = root.findall(f"{{{W}}}binding")
    assert len(bindings) == len(expected)
    for binding, ns in zip(bindings, expected):
        sb = binding.find(f"{{{ns}}}binding")
        assert sb is not None and sb.get("style") == "document"
        assert sb.get("transport") == "http://schemas.xmlsoap.org/soap/http"
        for body in binding.iter(f"{{{ns}}}body"):
            assert body.get("use") == "literal"
    ports = root.findall(f"{{{W}}}service/{{{W}}}port")
    assert [p.find(f"{{{ns}}}address") is not None for p, ns in zip(ports, expected)] \
        == [True] * len(expected)


@pytest.mark.parametrize("name", WSDLS)
def test_required_elements_are_not_nillable(name):
    path, _, _ = WSDLS[name]
    elements = list(_tree(path).iter(f"{{{XS}}}element"))
    assert elements
    nillable = [e.get("name") for e in elements if e.get("nillable") == "true"]
    required_nillable = [e.get("name") for e in elements
                         if e.get("minOccurs", "1") != "0" and e.get("nillable") == "true"]
    assert not required_nillable, f"required elements declared nillable: {required_nillable}"
    assert not nillable, f"the contract promises no xsi:nil anywhere: {nillable}"


@pytest.mark.parametrize("name", WSDLS)
def test_inlined_schema_is_gateway_xsd(name):
    path, _, _ = WSDLS[name]
    inlined = _tree(path).find(f"{{{W}}}types/{{{XS}}}schema")
    assert inlined is not None
    # gateway.xsd with its feature files (xs:include) in place of the includes
    source = wsdl.inline_schema(GATEWAY_XSD)
    assert not source.findall(f"{{{XS}}}include")
    assert _normalized(inlined) == _normalized(source), DRIFT.format(name=path.name)
    assert inlined.get("targetNamespace") == NS == _tree(path).get("targetNamespace")


@pytest.mark.parametrize("name", WSDLS)
def test_zeep_loads_the_wsdl_and_every_message_element_exists(name):
    path, _, operations = WSDLS[name]
    client = zeep.Client(str(path))
    globals_ = {e.get("name") for e in wsdl.inline_schema(GATEWAY_XSD).findall(f"{{{XS}}}element")}
    (service,) = client.wsdl.services.values()
    assert len(service.ports) == len(BINDINGS[name])
    for port in service.ports.values():
        _check_port_operations(port, operations, globals_, client)


def _check_port_operations(port, operations, globals_, client) -> None:
    ops = port.binding._operations
    assert sorted(ops) == sorted(op for op, _ in operations)
    for op_name, op in ops.items():
        for message in (op.input, op.output):
            qname = message.body.qname
            assert qname.namespace == NS, (op_name, qname)
            assert qname.localname in globals_, (op_name, qname)
            assert client.get_element(qname) is not None
        assert op.output.body.qname.localname == f"{op_name}Response"
        assert "GatewayFault" in op.faults


# --------------------------------------------------------- responses as written


def _check_body(history, operation: str) -> None:
    env = history.last_received["envelope"]
    body = env.find(f"{{{ENV}}}Body")
    payload = body[0]
    assert etree.QName(payload).localname == f"{operation}Response", etree.tostring(env)
    schema = gateway_schema()
    assert schema.validate(payload), (
        f"{operation}Response as spyne wrote it is not valid against gateway.xsd: "
        f"{[str(e) for e in schema.error_log]}\n{etree.tostring(payload, pretty_print=True).decode()}")


def test_responses_are_valid_against_the_schema(engine, gw):
    m, t1, t2, admin = (party(gw, c) for c in ("MOTHER", "T1A", "T2A", None))
    seen = set()

    def call(p, operation, **kwargs):
        result = getattr(p.service, operation)(**kwargs)
        _check_body(p.history, operation)
        seen.add(operation)
        return result

    res = call(m, "SubmitTransaction", messageId=mid(),
               document=doc("PurchaseOrder", "PO-1", "MOTHER", "T1A", lines=3))
    agent = res.agentId
    call(m, "FetchInbox")                       # empty inbox: just <remaining>
    call(t1, "FetchInbox", maxMessages=5)       # the propagated order
    call(t1, "Acknowledge", messageId=mid(), agentId=agent, state="Approved")
    call(t1, "Acknowledge", messageId=mid(), agentId=agent, state="Created", documentNumber="SO-1")
    call(m, "FetchInbox")                       # the acknowledgement
    # An internal document (no agent in the response) and a delivery (partial reference).
    call(t1, "SubmitTransaction", messageId=mid(),
         document=doc("WorkOrder", "WO-1", "T1A", refs=[ref("T1A", "SalesOrder", "SO-1")]))
    call(t1, "SubmitTransaction", messageId=mid(),
         document=doc("PurchaseOrder", "PO-T1", "T1A", "T2A",
                      refs=[ref("T1A", "SalesOrder", "SO-1")]))
    call(t1, "SubmitTransaction", messageId=mid(),
         document=doc("Delivery", "DL-1", "T1A", "MOTHER", qty=4,
                      refs=[ref("T1A", "SalesOrder", "SO-1")]))
    call(t2, "FetchInbox")
    call(m, "SearchAgents", company="MOTHER", type="PurchaseOrder", number="PO-1")
    call(t2, "SearchAgents", company="MOTHER", type="PurchaseOrder", number="PO-1")  # empty
    call(m, "GetAgent", agentId=agent)
    call(admin, "GetAgent", agentId=agent)
    call(m, "GetTrace", company="MOTHER", number="PO-1")
    call(admin, "GetTrace", company="T1A", number="SO-1", type="SalesOrder")
    call(t1, "ListPendingApprovals")
    call(admin, "ListPendingApprovals", company="T1A")
    call(admin, "GetMetrics")
    call(t1, "GetMetrics", company="T1A")
    call(m, "GetMetrics", order={"company": "MOTHER", "number": "PO-1"})
    # The feature operations (soap/operations.py) are called by their own tests,
    # through the same gateway, which checks every response it writes against
    # the schema (smart_gateway.testing).
    assert seen == {op for op, _ in wsdl.CORE_OPERATIONS}
