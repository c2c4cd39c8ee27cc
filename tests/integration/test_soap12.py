"""SOAP 1.2 on its own path, /soap12, with its own WSDL: the same operations and rules as SOAP 1.1."""
from __future__ import annotations

import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

from fixtures.gw_network import CREDENTIALS, NS, doc, envelope, mid, post_raw, rows, submit_xml
from smart_gateway.persistence.tables import instance

ENV12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP12_TYPE = "application/soap+xml; charset=utf-8"


def client12(gw, company_code):
    username, secret = CREDENTIALS[company_code]
    return zeep.Client(f"{gw.base_url}/soap12?wsdl",
                       wsse=UsernameToken(username, secret)).service


def envelope12(payload: str, company_code: str = "MOTHER") -> bytes:
    username, secret = CREDENTIALS[company_code]
    wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    return (f'<e:Envelope xmlns:e="{ENV12}" xmlns:g="{NS}"><e:Header>'
            f'<wsse:Security xmlns:wsse="{wsse}"><wsse:UsernameToken>'
            f"<wsse:Username>{username}</wsse:Username><wsse:Password>{secret}</wsse:Password>"
            f"</wsse:UsernameToken></wsse:Security></e:Header><e:Body>{payload}</e:Body>"
            f"</e:Envelope>").encode()


def fault12(status: int, body: bytes, code: str, *, http: int = 400) -> etree._Element:
    """A SOAP 1.2 fault: Code Sender, Subcode gw:<code>, Reason, Detail tns:GatewayFault."""
    text = body.decode("utf-8", "replace")
    assert status == http, (status, text)
    assert "Traceback" not in text, text
    fault = etree.fromstring(body).find(f"{{{ENV12}}}Body/{{{ENV12}}}Fault")
    assert fault is not None, text
    q = f"{{{ENV12}}}"
    assert fault.findtext(f"{q}Code/{q}Value") == "soap12env:Sender"
    sub = fault.find(f"{q}Code/{q}Subcode/{q}Value")
    prefix, _, local = sub.text.partition(":")
    assert (sub.nsmap[prefix], local) == (NS, code), text
    assert fault.findtext(f"{q}Reason/{q}Text")
    assert fault.findtext(f"{q}Detail/{{{NS}}}GatewayFault/{{{NS}}}code") == code
    return fault


def test_an_order_goes_through_soap12_end_to_end(gw, engine):
    mother, t1a = client12(gw, "MOTHER"), client12(gw, "T1A")
    sent = mother.SubmitTransaction(messageId=mid(), document=doc(
        "PurchaseOrder", "PO-12", "MOTHER", "T1A", qty="12.5"))
    assert sent.agentKind == "O-TPA"
    inbox = t1a.FetchInbox(maxMessages=5)
    assert [m.document.number for m in inbox.message] == ["PO-12"]
    assert str(inbox.message[0].document.line[0].quantity) == "12.5"
    t1a.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Approved")
    done = t1a.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Created",
                           documentNumber="SO-12")
    assert (done.state, done.receiverDocument.number) == ("Created", "SO-12")
    with engine.connect() as conn:
        po = conn.execute(instance.select().where(instance.c.number == "PO-12")).mappings().one()
    assert po["partner_key"] == "T1A.SalesOrder.SO-12"


def test_a_refusal_is_a_soap12_sender_fault_with_the_gateway_code_and_writes_nothing(gw, engine):
    before = rows(engine)
    # a schema violation: quantity must be positive
    status, body = post_raw(f"{gw.base_url}/soap12", envelope12(submit_xml(qty="-1")),
                            headers={"Content-Type": SOAP12_TYPE})
    fault12(status, body, "SchemaInvalid")
    # malformed bytes, and a SOAP 1.1 envelope sent to the SOAP 1.2 endpoint
    status, body = post_raw(f"{gw.base_url}/soap12", b"\xff\xfe<x", headers={"Content-Type": SOAP12_TYPE})
    fault12(status, body, "MalformedXml")
    status, body = post_raw(f"{gw.base_url}/soap12", envelope(submit_xml()),
                            headers={"Content-Type": SOAP12_TYPE})
    assert b"SOAP 1.1 envelope was sent" in fault12(status, body, "MalformedXml").findtext(
        f"{{{ENV12}}}Reason/{{{ENV12}}}Text").encode()
    # a body over the size limit is refused before it is read, still as SOAP 1.2
    status, body = post_raw(f"{gw.base_url}/soap12", b"x", content_length=10**9,
                            headers={"Content-Type": SOAP12_TYPE})
    fault12(status, body, "HostileXml")
    assert rows(engine) == before


def test_zeep_sees_the_code_as_a_subcode(gw):
    mother = client12(gw, "MOTHER")
    document = doc("PurchaseOrder", "PO-D", "MOTHER", "T1A")
    mother.SubmitTransaction(messageId=mid(), document=document)
    try:
        mother.SubmitTransaction(messageId=mid(), document=document)
    except zeep.exceptions.Fault as fault:
        assert fault.code == "soap12env:Sender"
        assert [etree.QName(s).localname for s in fault.subcodes] == ["Duplicate"]
    else:
        raise AssertionError("a second PO-D was accepted")
