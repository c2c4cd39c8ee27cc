"""A message sent again with the same message id is processed once and answered the same."""
from __future__ import annotations

from lxml import etree
from sqlalchemy import func, select
from zeep.helpers import serialize_object

from smart_gateway.persistence.tables import instance

from fixtures.gw_network import doc, fetch_agent, mid, party, post_raw, rows


def _body(p) -> bytes:
    """The SOAP body of the last answer, without the envelope."""
    env = p.history.last_received["envelope"]
    return etree.tostring(env.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0],
                          method="c14n")


def _sales_orders(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(instance)
                            .where(instance.c.doc_type == "SalesOrder")).scalar_one()


def test_submit_twice_creates_once(engine, gw):
    p, message_id = party(gw, "MOTHER"), mid()
    document = doc("PurchaseOrder", "PO-1", "MOTHER", "T1A")
    before = rows(engine)
    first = p.service.SubmitTransaction(messageId=message_id, document=document)
    first_body = _body(p)
    after_first = rows(engine)
    second = p.service.SubmitTransaction(messageId=message_id, document=document)
    assert serialize_object(second) == serialize_object(first)
    assert _body(p) == first_body
    assert rows(engine) == after_first
    for table in ("gw_instance", "gw_agent", "gw_outbox", "gw_inbox"):
        assert after_first[table] == before[table] + 1, table


def test_submit_resent_as_identical_bytes(engine, gw):
    p = party(gw, "MOTHER")
    p.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-1", "MOTHER", "T1A"))
    sent = etree.tostring(p.history.last_sent["envelope"], xml_declaration=True, encoding="UTF-8")
    answer = etree.tostring(p.history.last_received["envelope"], method="c14n")
    before = rows(engine)
    status, again = post_raw(gw.soap_url, sent)
    assert status == 200
    assert etree.tostring(etree.fromstring(again), method="c14n") == answer
    assert rows(engine) == before


def test_acknowledge_created_twice_creates_one_sales_order(engine, gw):
    m, t = party(gw, "MOTHER"), party(gw, "T1A")
    agent = m.service.SubmitTransaction(messageId=mid(),
                                        document=doc("PurchaseOrder", "PO-1", "MOTHER", "T1A")).agentId
    fetch_agent(t, agent)
    t.service.Acknowledge(messageId=mid(), agentId=agent, state="Approved")
    message_id = mid()
    first = t.service.Acknowledge(messageId=message_id, agentId=agent, state="Created",
                                  documentNumber="SO-1")
    after_first = rows(engine)
    second = t.service.Acknowledge(messageId=message_id, agentId=agent, state="Created",
                                   documentNumber="SO-1")
    assert serialize_object(second) == serialize_object(first)
    assert first.receiverDocument.number == "SO-1" and first.state == "Created"
    assert rows(engine) == after_first
    assert _sales_orders(engine) == 1


def test_acknowledge_received_twice_same_answer(engine, gw):
    m, t = party(gw, "MOTHER"), party(gw, "T1A")
    agent = m.service.SubmitTransaction(messageId=mid(),
                                        document=doc("PurchaseOrder", "PO-1", "MOTHER", "T1A")).agentId
    fetched = t.service.FetchInbox()
    assert [x.agentId for x in fetched.message] == [agent]
    assert t.service.GetAgent(agentId=agent).state == "Received"
    # The fetched propagation is acknowledged Approved twice with one message id:
    # the second is answered from the inbox, not refused as an illegal transition.
    message_id = mid()
    first = t.service.Acknowledge(messageId=message_id, agentId=agent, state="Approved")
    first_body = _body(t)
    after_first = rows(engine)
    second = t.service.Acknowledge(messageId=message_id, agentId=agent, state="Approved")
    assert serialize_object(second) == serialize_object(first)
    assert _body(t) == first_body
    assert rows(engine) == after_first
    # Fetching again returns nothing new: the message was delivered once.
    assert not t.service.FetchInbox().message


def test_retry_with_other_envelope_namespaces_is_the_same_request(engine, gw):
    # A retry through another SOAP stack declares other namespaces on the
    # envelope; the operation element itself is the same, so is the answer.
    from fixtures.gw_network import envelope, submit_xml
    first = envelope(submit_xml("PO-NS", message_id="MSG-NS-1"))
    status, answer = post_raw(gw.soap_url, first)
    assert status == 200, answer
    before = rows(engine)
    retry = first.replace(b"<soap:Envelope ",
                          b'<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                          b'xmlns:wsu="urn:unused" ')
    status, again = post_raw(gw.soap_url, retry)
    assert status == 200, again
    assert etree.tostring(etree.fromstring(again), method="c14n") == \
        etree.tostring(etree.fromstring(answer), method="c14n")
    assert rows(engine) == before
