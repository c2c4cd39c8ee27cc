"""Every TPA kind over SOAP across three tiers: O-, D-, A-, P- and R-TPA.

MOTHER buys from T1A, T1A buys from T2A.  Orders go down, deliveries come up,
and on each hop the supplier invoices the delivery (AccountReceivable ->
AccountPayable), the buyer pays the payable (Payment -> Receipt) and returns
part of what it received (Return -> ReturnReceiving).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from fixtures.gw_network import doc, mid, party, ref, rows, zeep_fault
from smart_gateway.persistence import tables as T

# sender's document -> (agent kind, the receiver's document)
KIND = {
    "PurchaseOrder": ("O-TPA", "SalesOrder"),
    "Delivery": ("D-TPA", "Receiving"),
    "AccountReceivable": ("A-TPA", "AccountPayable"),
    "Payment": ("P-TPA", "Receipt"),
    "Return": ("R-TPA", "ReturnReceiving"),
}


class Net:
    """One zeep client per company, and a hop: submit, fetch, approve, create."""

    def __init__(self, gw, engine):
        self.engine = engine
        self.p = {c: party(gw, c) for c in ("MOTHER", "T1A", "T2A", None)}

    def submit(self, company, document):
        return self.p[company].service.SubmitTransaction(messageId=mid(), document=document)

    def hop(self, doc_type, number, sender, receiver, created, qty, refs=None):
        """Propagate one document and check both sides of the inter-company link."""
        agent_id = self.submit(sender, doc(doc_type, number, sender, receiver, qty=qty,
                                           refs=refs)).agentId
        inbox = self.p[receiver].service.FetchInbox(maxMessages=100)
        assert agent_id in [m.agentId for m in inbox.message or []]
        rsv = self.p[receiver].service
        rsv.Acknowledge(messageId=mid(), agentId=agent_id, state="Approved")
        rsv.Acknowledge(messageId=mid(), agentId=agent_id, state="Created", documentNumber=created)

        kind, counterpart = KIND[doc_type]
        sender_key = f"{sender}.{doc_type}.{number}"
        receiver_key = f"{receiver}.{counterpart}.{created}"
        # the inter-company foreign key, on both sides
        assert self.row(sender, doc_type, number)["partner_key"] == receiver_key
        assert self.row(receiver, counterpart, created)["partner_key"] == sender_key
        # the agent: kind, state and location, by id and by either key
        agent = self.p[None].service.GetAgent(agentId=agent_id)
        assert (agent.kind, agent.state, agent.location) == (kind, "Created", receiver)
        assert (agent.sender, agent.receiver) == (sender, receiver)
        assert (agent.primaryKey, agent.interCompanyForeignKey) == (sender_key, receiver_key)
        for company, t, n in [(sender, doc_type, number), (receiver, counterpart, created)]:
            found = self.p[sender].service.SearchAgents(company=company, type=t, number=n)
            assert [(a.agentId, a.kind, a.state) for a in found] == [(agent_id, kind, "Created")]
        return agent_id

    def row(self, company, doc_type, number):
        with self.engine.connect() as c:
            return c.execute(select(T.instance).where(
                T.instance.c.company == company, T.instance.c.doc_type == doc_type,
                T.instance.c.number == number)).mappings().one()

    def state(self, company, doc_type, number):
        r = self.row(company, doc_type, number)
        return r["state"], r["referenced_quantity"]

    def trace(self, company, number, doc_type=None):
        t = self.p[None].service.GetTrace(company=company, number=number, type=doc_type)
        return ({(n.id, n.state, n.quantity, n.referencedQuantity) for n in t.node},
                {(e["from"], e.to, e.quantity, e.scope) for e in t.edge})


def orders_down_deliveries_up(net):
    """MOTHER PO-M (100) -> T1A SO-1 -> PO-1 -> T2A SO-2; DL-2 -> GR-1, DL-1 -> GR-M."""
    net.hop("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", 100)
    net.hop("PurchaseOrder", "PO-1", "T1A", "T2A", "SO-2", 100,
            refs=[ref("T1A", "SalesOrder", "SO-1")])
    net.hop("Delivery", "DL-2", "T2A", "T1A", "GR-1", 100, refs=[ref("T2A", "SalesOrder", "SO-2")])
    net.hop("Delivery", "DL-1", "T1A", "MOTHER", "GR-M", 100,
            refs=[ref("T1A", "SalesOrder", "SO-1")])


def test_every_tpa_kind_on_every_hop_of_three_tiers(gw, engine):
    # given: orders down three tiers and deliveries back up (O-TPA, D-TPA)
    net = Net(gw, engine)
    orders_down_deliveries_up(net)

    for buyer, supplier, delivery, receiving in [("T1A", "T2A", "DL-2", "GR-1"),
                                                 ("MOTHER", "T1A", "DL-1", "GR-M")]:
        s, b = supplier, buyer
        # when: the supplier invoices 60 of the delivery (A-TPA) ...
        net.hop("AccountReceivable", f"AR-{s}-1", s, b, f"AP-{b}-1", 60,
                refs=[ref(s, "Delivery", delivery)])
        # then: the delivery is partially referenced
        assert net.state(s, "Delivery", delivery) == ("PartiallyReferenced", Decimal(60))
        # when: ... and the remaining 40
        net.hop("AccountReceivable", f"AR-{s}-2", s, b, f"AP-{b}-2", 40,
                refs=[ref(s, "Delivery", delivery)])
        assert net.state(s, "Delivery", delivery) == ("CompletelyReferenced", Decimal(100))
        # when: the buyer pays the first payable in full (P-TPA)
        net.hop("Payment", f"PAY-{b}-1", b, s, f"RC-{s}-1", 60,
                refs=[ref(b, "AccountPayable", f"AP-{b}-1")])
        assert net.state(b, "AccountPayable", f"AP-{b}-1") == ("CompletelyReferenced", Decimal(60))
        assert net.state(b, "AccountPayable", f"AP-{b}-2") == ("Created", Decimal(0))
        # when: the buyer returns 5 of what it received (R-TPA)
        net.hop("Return", f"RET-{b}-1", b, s, f"RR-{s}-1", 5, refs=[ref(b, "Receiving", receiving)])
        assert net.state(b, "Receiving", receiving) == ("PartiallyReferenced", Decimal(5))

    # then: the trace from any invoice, payment or return is the mother's whole network
    whole = net.trace("MOTHER", "PO-M")
    nodes, edges = whole
    with engine.connect() as c:
        assert len(nodes) == len(c.execute(select(T.instance.c.id)).all()) == 8 + 2 * 8
        assert len(edges) == len(c.execute(select(T.link.c.id)).all())
    for company, number in [("T2A", "AR-T2A-1"), ("T1A", "AR-T1A-2"), ("T1A", "PAY-T1A-1"),
                            ("MOTHER", "PAY-MOTHER-1"), ("MOTHER", "RET-MOTHER-1"),
                            ("T2A", "RR-T2A-1"), ("T1A", "RC-T1A-1")]:
        assert net.trace(company, number) == whole, (company, number)
    # the A/P/R links: within a company (RA-TDN) and across (ER-TDN)
    assert {("T1A.Delivery.DL-1", "T1A.AccountReceivable.AR-T1A-1", Decimal(60), "RA-TDN"),
            ("T1A.AccountReceivable.AR-T1A-1", "MOTHER.AccountPayable.AP-MOTHER-1",
             Decimal(60), "ER-TDN"),
            ("MOTHER.AccountPayable.AP-MOTHER-1", "MOTHER.Payment.PAY-MOTHER-1",
             Decimal(60), "RA-TDN"),
            ("MOTHER.Payment.PAY-MOTHER-1", "T1A.Receipt.RC-T1A-1", Decimal(60), "ER-TDN"),
            ("MOTHER.Receiving.GR-M", "MOTHER.Return.RET-MOTHER-1", Decimal(5), "RA-TDN"),
            ("MOTHER.Return.RET-MOTHER-1", "T1A.ReturnReceiving.RR-T1A-1", Decimal(5), "ER-TDN"),
            } <= edges


def test_refused_invoices_payments_and_returns_change_nothing(gw, engine):
    # given: MOTHER received 100 from T1A, was invoiced 60 of it and owes AP-1 (60)
    net = Net(gw, engine)
    net.hop("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", 100)
    net.hop("Delivery", "DL-1", "T1A", "MOTHER", "GR-M", 100,
            refs=[ref("T1A", "SalesOrder", "SO-1")])
    net.hop("AccountReceivable", "AR-1", "T1A", "MOTHER", "AP-1", 60,
            refs=[ref("T1A", "Delivery", "DL-1")])

    cases = [
        # (who, fault code, document)
        ("T1A", "QuantityExceeded",  # 60 + 41 invoiced of 100 delivered
         doc("AccountReceivable", "AR-X", "T1A", "MOTHER", qty=41,
             refs=[ref("T1A", "Delivery", "DL-1")])),
        ("MOTHER", "QuantityExceeded",  # 61 paid of a 60 payable
         doc("Payment", "PAY-X", "MOTHER", "T1A", qty=61,
             refs=[ref("MOTHER", "AccountPayable", "AP-1")])),
        ("MOTHER", "QuantityExceeded",  # 101 returned of 100 received
         doc("Return", "RET-X", "MOTHER", "T1A", qty=101,
             refs=[ref("MOTHER", "Receiving", "GR-M")])),
        ("T1A", "InvalidRequest",  # an invoice bills a delivery, not a sales order
         doc("AccountReceivable", "AR-Y", "T1A", "MOTHER", qty=10,
             refs=[ref("T1A", "SalesOrder", "SO-1")])),
        ("MOTHER", "InvalidRequest",  # a payment must name the payable it pays
         doc("Payment", "PAY-Y", "MOTHER", "T1A", qty=10)),
        ("MOTHER", "UnknownReference",  # no such receiving
         doc("Return", "RET-Y", "MOTHER", "T1A", qty=1,
             refs=[ref("MOTHER", "Receiving", "GR-NONE")])),
        ("T1A", "UnknownReference",  # an invoice goes to the buyer, not to T2A
         doc("AccountReceivable", "AR-Z", "T1A", "T2A", qty=10,
             refs=[ref("T1A", "Delivery", "DL-1")])),
    ]
    for who, code, document in cases:
        # when: the document is submitted
        before = rows(engine), net.trace("MOTHER", "PO-M")
        zeep_fault(net.p[who], code, net.p[who].service.SubmitTransaction,
                   messageId=mid(), document=document)
        # then: refused with the right code, and nothing changed
        assert (rows(engine), net.trace("MOTHER", "PO-M")) == before, document["number"]


def test_invoice_payment_and_return_stay_with_the_partner_of_what_they_follow(gw, engine):
    # given: MOTHER received 100 from T1A and owes AP-1, and T1A and T2A may also
    # trade the other way round with MOTHER and T1A (agreements exist)
    with engine.begin() as c:
        c.execute(T.agreement.insert(), [
            {"buyer": "T2A", "supplier": "T1A", "lead_time_days": 10},
            {"buyer": "MOTHER", "supplier": "T2A", "lead_time_days": 10},
        ])
    net = Net(gw, engine)
    net.hop("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", 100)
    net.hop("Delivery", "DL-1", "T1A", "MOTHER", "GR-M", 100,
            refs=[ref("T1A", "SalesOrder", "SO-1")])
    net.hop("AccountReceivable", "AR-1", "T1A", "MOTHER", "AP-1", 60,
            refs=[ref("T1A", "Delivery", "DL-1")])
    for who, document in [
        # T1A invoices T2A for the delivery it made to MOTHER
        ("T1A", doc("AccountReceivable", "AR-X", "T1A", "T2A", qty=10,
                    refs=[ref("T1A", "Delivery", "DL-1")])),
        # MOTHER pays T2A for T1A's invoice
        ("MOTHER", doc("Payment", "PAY-X", "MOTHER", "T2A", qty=10,
                       refs=[ref("MOTHER", "AccountPayable", "AP-1")])),
        # MOTHER returns to T2A what T1A delivered
        ("MOTHER", doc("Return", "RET-X", "MOTHER", "T2A", qty=1,
                       refs=[ref("MOTHER", "Receiving", "GR-M")])),
    ]:
        before = rows(engine)
        # when / then: refused, nothing written
        zeep_fault(net.p[who], "InvalidRequest", net.p[who].service.SubmitTransaction,
                   messageId=mid(), document=document)
        assert rows(engine) == before, document["number"]


def test_references_may_claim_no_more_than_the_document_carries(gw, engine):
    # given: two sales orders at T1A, for 50 each
    net = Net(gw, engine)
    net.hop("PurchaseOrder", "PO-A", "MOTHER", "T1A", "SO-A", 50)
    net.hop("PurchaseOrder", "PO-B", "MOTHER", "T1A", "SO-B", 50)
    before = rows(engine)
    # when: a delivery of 60 claims 40 of one and 30 of the other (70 in all)
    t1a = net.p["T1A"]
    fault = zeep_fault(t1a, "QuantityExceeded", t1a.service.SubmitTransaction, messageId=mid(),
                       document=doc("Delivery", "DL-X", "T1A", "MOTHER", qty=60,
                                    refs=[ref("T1A", "SalesOrder", "SO-A", 40),
                                          ref("T1A", "SalesOrder", "SO-B", 30)]))
    # then: refused, and nothing written
    assert "claim 70" in fault.message
    assert rows(engine) == before


def test_a_delivery_names_the_sales_order_it_delivers(gw, engine):
    # given: a sales order and a delivery request for it
    net = Net(gw, engine)
    net.hop("PurchaseOrder", "PO-DR", "MOTHER", "T1A", "SO-DR", 10)
    net.submit("T1A", doc("DeliveryRequest", "DR-9", "T1A", qty=10,
                          refs=[ref("T1A", "SalesOrder", "SO-DR")]))
    before = rows(engine)
    # when: a delivery references only the request, it is refused: it would fulfil nothing
    t1a = net.p["T1A"]
    fault = zeep_fault(t1a, "InvalidRequest", t1a.service.SubmitTransaction, messageId=mid(),
                       document=doc("Delivery", "DL-9", "T1A", "MOTHER", qty=10,
                                    refs=[ref("T1A", "DeliveryRequest", "DR-9")]))
    assert "must reference the sales order" in fault.message
    assert rows(engine) == before
