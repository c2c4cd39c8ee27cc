"""WS-Security UsernameToken (text and digest), replay and freshness, and visibility between companies."""
from __future__ import annotations

import datetime as dt

from lxml import etree

from fixtures.gw_network import (
    CREDENTIALS, assert_fault, chain, digest_security, doc, envelope, fetch_agent, mid,
    party, post_raw, ref, rows, zeep_fault,
)

NS = "urn:smart-gateway:v1"
GET_AGENT = "<g:GetAgent><g:agentId>TPA-none</g:agentId></g:GetAgent>"
SEARCH = ("<g:SearchAgents><g:company>MOTHER</g:company><g:type>PurchaseOrder</g:type>"
          "<g:number>PO-NONE</g:number></g:SearchAgents>")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def test_password_text_accepted(engine, gw):
    p = party(gw, "MOTHER")
    res = p.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-1", "MOTHER", "T1A"))
    assert res.instance.state == "Created" and res.receiver == "T1A"
    sent = etree.tostring(p.history.last_sent["envelope"]).decode()
    assert "#PasswordText" in sent


def test_password_digest_accepted(engine, gw):
    p = party(gw, "MOTHER", digest=True)
    res = p.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-1", "MOTHER", "T1A"))
    assert res.instance.state == "Created"
    sent = etree.tostring(p.history.last_sent["envelope"]).decode()
    assert "#PasswordDigest" in sent and "mother-secret" not in sent
    # Every call gets a fresh nonce, so a second call with the same client works.
    assert p.service.SearchAgents(company="MOTHER", type="PurchaseOrder", number="PO-1")


def test_digest_wrong_secret_refused(engine, gw):
    p = party(gw, "MOTHER", digest=True, password="wrong")
    before = rows(gw.engine)
    zeep_fault(p, "Unauthorized", p.service.GetAgent, agentId="TPA-none")
    assert rows(gw.engine) == before


def test_replayed_digest_refused(engine, gw):
    p = party(gw, "MOTHER", digest=True)
    p.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-1", "MOTHER", "T1A"))
    captured = etree.tostring(p.history.last_sent["envelope"], xml_declaration=True, encoding="UTF-8")
    before = rows(gw.engine)
    status, answer = post_raw(gw.soap_url, captured)
    fault = assert_fault(status, answer, "Unauthorized")
    assert "replay" in fault.findtext("faultstring")
    assert rows(gw.engine) == before


def test_replayed_handmade_nonce_refused(engine, gw):
    nonce = b"0123456789abcdef"
    user, secret = CREDENTIALS["MOTHER"]
    first = envelope(SEARCH, security=digest_security(user, secret, created=_now(), nonce=nonce))
    status, answer = post_raw(gw.soap_url, first)
    assert status == 200, answer
    # Same nonce, even with a new Created and a correct digest: refused.
    again = envelope(SEARCH, security=digest_security(user, secret, created=_now() + dt.timedelta(seconds=1),
                                                      nonce=nonce))
    assert_fault(*post_raw(gw.soap_url, again), "Unauthorized")


def test_stale_created_refused(engine, gw):
    user, secret = CREDENTIALS["MOTHER"]
    for created in (_now() - dt.timedelta(minutes=6), _now() + dt.timedelta(minutes=6)):
        body = envelope(SEARCH, security=digest_security(user, secret, created=created))
        before = rows(gw.engine)
        fault = assert_fault(*post_raw(gw.soap_url, body), "Unauthorized")
        assert "minutes" in fault.findtext("faultstring")
        assert rows(gw.engine) == before


def test_created_within_skew_accepted(engine, gw):
    user, secret = CREDENTIALS["MOTHER"]
    body = envelope(SEARCH, security=digest_security(user, secret,
                                                     created=_now() - dt.timedelta(minutes=4)))
    status, answer = post_raw(gw.soap_url, body)
    assert status == 200, answer


# ------------------------------------------------------------------ visibility


def test_other_companys_agent_is_invisible(engine, gw):
    agents = chain(gw)
    t2 = party(gw, "T2A")
    zeep_fault(t2, "NotFound", t2.service.GetAgent, agentId=agents["mother_t1a"])
    found = t2.service.SearchAgents(company="MOTHER", type="PurchaseOrder", number="PO-M1")
    assert not found
    # The parties to the agent see it; so does the administrator.
    for who in ("MOTHER", "T1A", None):
        p = party(gw, who)
        assert p.service.GetAgent(agentId=agents["mother_t1a"]).agentId == agents["mother_t1a"]
        assert [a.agentId for a in p.service.SearchAgents(
            company="MOTHER", type="PurchaseOrder", number="PO-M1")] == [agents["mother_t1a"]]


def test_trace_of_a_third_companys_order_is_not_found(engine, gw):
    chain(gw)
    t2 = party(gw, "T2A")
    fault = zeep_fault(t2, "NotFound", t2.service.GetTrace, company="MOTHER", number="PO-M1")
    assert "T1A" not in fault.message


def test_trace_shows_direct_partners_only(engine, gw):
    chain(gw)
    # T2A traces its own sales order: it sees T1A's purchase order (its direct
    # partner's document) but neither T1A's sales order nor anything of MOTHER.
    trace = party(gw, "T2A").service.GetTrace(company="T2A", number="SO-T2")
    ids = {n.id for n in trace.node}
    assert ids == {"T2A.SalesOrder.SO-T2", "T1A.PurchaseOrder.PO-T1"}, ids
    assert {(e["from"], e.to) for e in trace.edge or []} == {
        ("T1A.PurchaseOrder.PO-T1", "T2A.SalesOrder.SO-T2")}

    # T1A in the middle sees its own two documents and one of each neighbour.
    trace = party(gw, "T1A").service.GetTrace(company="T1A", number="SO-1")
    ids = {n.id for n in trace.node}
    assert ids == {"MOTHER.PurchaseOrder.PO-M1", "T1A.SalesOrder.SO-1",
                   "T1A.PurchaseOrder.PO-T1", "T2A.SalesOrder.SO-T2"}, ids

    # MOTHER sees its order and T1A's sales order, not T1A's own purchase order
    # nor T2A's sales order.
    trace = party(gw, "MOTHER").service.GetTrace(company="MOTHER", number="PO-M1")
    ids = {n.id for n in trace.node}
    assert ids == {"MOTHER.PurchaseOrder.PO-M1", "T1A.SalesOrder.SO-1"}, ids

    # The administrator sees the whole chain.
    trace = party(gw, None).service.GetTrace(company="MOTHER", number="PO-M1")
    assert {n.id for n in trace.node} == {
        "MOTHER.PurchaseOrder.PO-M1", "T1A.SalesOrder.SO-1",
        "T1A.PurchaseOrder.PO-T1", "T2A.SalesOrder.SO-T2"}
    assert {n.tier for n in trace.node} == {0, 1, 2}


def test_a_tier_2_supplier_learns_nothing_of_the_mother_companys_other_suppliers(engine, gw,
                                                                                 monkeypatch):
    from sqlalchemy import insert

    from smart_gateway.persistence.tables import agreement, company, credential
    # given: MOTHER's work order triggers two orders, one to T1A and one to T1B;
    # T1A orders from T2A.  All of it is one connected network.
    with engine.begin() as conn:
        conn.execute(insert(company).values(code="T1B", name="Tier one B", tier=1,
                                            role="supplier", erp_kind="csv", transport="pull"))
        conn.execute(insert(credential).values(username="t1b", company="T1B", is_admin=False,
                                               secret="t1b-secret"))
        conn.execute(insert(agreement).values(buyer="MOTHER", supplier="T1B", lead_time_days=10))
    monkeypatch.setitem(CREDENTIALS, "T1B", ("t1b", "t1b-secret"))
    mother = party(gw, "MOTHER")
    mother.service.SubmitTransaction(messageId=mid(), document=doc("WorkOrder", "WO-M", "MOTHER"))
    for supplier, po, so in (("T1A", "PO-A", "SO-A"), ("T1B", "PO-B", "SO-B")):
        sent = mother.service.SubmitTransaction(messageId=mid(), document=doc(
            "PurchaseOrder", po, "MOTHER", supplier, refs=[ref("MOTHER", "WorkOrder", "WO-M")]))
        p = party(gw, supplier)
        fetch_agent(p, sent.agentId)
        p.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Approved")
        p.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Created",
                              documentNumber=so)
    t1a = party(gw, "T1A")
    sent = t1a.service.SubmitTransaction(messageId=mid(), document=doc(
        "PurchaseOrder", "PO-2", "T1A", "T2A", refs=[ref("T1A", "SalesOrder", "SO-A")]))
    t2a = party(gw, "T2A")
    fetch_agent(t2a, sent.agentId)
    t2a.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Approved")
    t2a.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Created",
                            documentNumber="SO-2")
    assert len(party(gw, None).service.GetTrace(company="T2A", number="SO-2").node) == 7

    # when: T2A traces its sales order
    trace = t2a.service.GetTrace(company="T2A", number="SO-2")
    # then: it sees its own document and its customer's order, nothing of MOTHER or T1B
    assert {n.id for n in trace.node} == {"T2A.SalesOrder.SO-2", "T1A.PurchaseOrder.PO-2"}
    assert "T1B" not in str(trace) and "MOTHER" not in str(trace)
