"""One test per link cardinality, each TDIN held against the expected one node by node.

separate (1:1), split (1:n), consolidated (n:1), split-and-consolidated (n:m),
over SOAP between MOTHER, T1A and T2A, compared through GetTrace as admin:
nodes as (id, state, quantity, referencedQuantity), edges as (from, to,
quantity, scope).
"""
from __future__ import annotations

from decimal import Decimal

from fixtures.gw_network import doc, mid, party, ref

ER, RA = "ER-TDN", "RA-TDN"
C, PR, CR = "Created", "PartiallyReferenced", "CompletelyReferenced"


class Net:
    def __init__(self, gw):
        self.p = {c: party(gw, c) for c in ("MOTHER", "T1A", "T2A", None)}

    def submit(self, doc_type, number, company, partner=None, *, qty, refs=None):
        return self.p[company].service.SubmitTransaction(
            messageId=mid(), document=doc(doc_type, number, company, partner, qty=qty, refs=refs))

    def send(self, doc_type, number, sender, receiver, created, *, qty, refs=None):
        """An external document, fetched, approved and created at the receiver as ``created``."""
        agent_id = self.submit(doc_type, number, sender, receiver, qty=qty, refs=refs).agentId
        rsv = self.p[receiver].service
        assert agent_id in [m.agentId for m in rsv.FetchInbox(maxMessages=100).message or []]
        rsv.Acknowledge(messageId=mid(), agentId=agent_id, state="Approved")
        rsv.Acknowledge(messageId=mid(), agentId=agent_id, state="Created", documentNumber=created)

    def tdin(self, company, number):
        t = self.p[None].service.GetTrace(company=company, number=number)
        return ({(n.id, n.state, n.quantity, n.referencedQuantity) for n in t.node},
                {(e["from"], e.to, e.quantity, e.scope) for e in t.edge})


def nodes(*spec):
    return {(k, s, Decimal(q), Decimal(r)) for k, s, q, r in spec}


def edges(*spec):
    return {(a, b, Decimal(q), scope) for a, b, q, scope in spec}


def test_separate_with_work_order_and_delivery_request(gw):
    net = Net(gw)
    # given: MOTHER orders 100; T1A's sales order triggers a work order, which
    # triggers T1A's purchase order to T2A, and a delivery request
    net.send("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", qty=100)
    net.submit("WorkOrder", "WO-1", "T1A", qty=100, refs=[ref("T1A", "SalesOrder", "SO-1")])
    net.send("PurchaseOrder", "PO-1", "T1A", "T2A", "SO-2", qty=100,
             refs=[ref("T1A", "WorkOrder", "WO-1")])
    net.submit("DeliveryRequest", "DR-1", "T1A", qty=100, refs=[ref("T1A", "SalesOrder", "SO-1")])
    # when: one delivery answers the sales order (and the delivery request), one receiving
    net.send("Delivery", "DL-1", "T1A", "MOTHER", "GR-M", qty=100,
             refs=[ref("T1A", "SalesOrder", "SO-1", 100), ref("T1A", "DeliveryRequest", "DR-1", 100)])
    # then
    assert net.tdin("MOTHER", "GR-M") == (nodes(
        ("MOTHER.PurchaseOrder.PO-M", CR, 100, 100),
        ("T1A.SalesOrder.SO-1", CR, 100, 100),
        ("T1A.WorkOrder.WO-1", C, 100, 0),
        ("T1A.PurchaseOrder.PO-1", C, 100, 0),
        ("T2A.SalesOrder.SO-2", C, 100, 0),
        ("T1A.DeliveryRequest.DR-1", C, 100, 0),
        ("T1A.Delivery.DL-1", C, 100, 0),
        ("MOTHER.Receiving.GR-M", C, 100, 0),
    ), edges(
        ("MOTHER.PurchaseOrder.PO-M", "T1A.SalesOrder.SO-1", 100, ER),
        ("T1A.SalesOrder.SO-1", "T1A.WorkOrder.WO-1", 100, RA),
        ("T1A.WorkOrder.WO-1", "T1A.PurchaseOrder.PO-1", 100, RA),
        ("T1A.PurchaseOrder.PO-1", "T2A.SalesOrder.SO-2", 100, ER),
        ("T1A.SalesOrder.SO-1", "T1A.DeliveryRequest.DR-1", 100, RA),
        ("T1A.SalesOrder.SO-1", "T1A.Delivery.DL-1", 100, RA),
        ("T1A.DeliveryRequest.DR-1", "T1A.Delivery.DL-1", 100, RA),
        ("T1A.Delivery.DL-1", "MOTHER.Receiving.GR-M", 100, ER),
        ("MOTHER.PurchaseOrder.PO-M", "MOTHER.Receiving.GR-M", 100, RA),
    ))


def test_split_with_outsourcing_order(gw):
    net = Net(gw)
    # given: MOTHER orders 100; T1A outsources the work to T2A from its sales order
    net.send("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", qty=100)
    net.send("OutsourcingOrder", "OO-1", "T1A", "T2A", "SO-2", qty=100,
             refs=[ref("T1A", "SalesOrder", "SO-1")])
    # when: the sales order is delivered in two deliveries, 60 and 40
    net.send("Delivery", "DL-1", "T1A", "MOTHER", "GR-1", qty=60,
             refs=[ref("T1A", "SalesOrder", "SO-1")])
    net.send("Delivery", "DL-2", "T1A", "MOTHER", "GR-2", qty=40,
             refs=[ref("T1A", "SalesOrder", "SO-1")])
    # then: the purchase order is fulfilled by both receivings
    assert net.tdin("MOTHER", "PO-M") == (nodes(
        ("MOTHER.PurchaseOrder.PO-M", CR, 100, 100),
        ("T1A.SalesOrder.SO-1", CR, 100, 100),
        ("T1A.OutsourcingOrder.OO-1", C, 100, 0),
        ("T2A.SalesOrder.SO-2", C, 100, 0),
        ("T1A.Delivery.DL-1", C, 60, 0),
        ("T1A.Delivery.DL-2", C, 40, 0),
        ("MOTHER.Receiving.GR-1", C, 60, 0),
        ("MOTHER.Receiving.GR-2", C, 40, 0),
    ), edges(
        ("MOTHER.PurchaseOrder.PO-M", "T1A.SalesOrder.SO-1", 100, ER),
        ("T1A.SalesOrder.SO-1", "T1A.OutsourcingOrder.OO-1", 100, RA),
        ("T1A.OutsourcingOrder.OO-1", "T2A.SalesOrder.SO-2", 100, ER),
        ("T1A.SalesOrder.SO-1", "T1A.Delivery.DL-1", 60, RA),
        ("T1A.SalesOrder.SO-1", "T1A.Delivery.DL-2", 40, RA),
        ("T1A.Delivery.DL-1", "MOTHER.Receiving.GR-1", 60, ER),
        ("T1A.Delivery.DL-2", "MOTHER.Receiving.GR-2", 40, ER),
        ("MOTHER.PurchaseOrder.PO-M", "MOTHER.Receiving.GR-1", 60, RA),
        ("MOTHER.PurchaseOrder.PO-M", "MOTHER.Receiving.GR-2", 40, RA),
    ))


def test_consolidated(gw):
    net = Net(gw)
    # given: two purchase orders, 40 and 70, each acknowledged into its own sales order
    net.send("PurchaseOrder", "PO-1", "MOTHER", "T1A", "SO-1", qty=40)
    net.send("PurchaseOrder", "PO-2", "MOTHER", "T1A", "SO-2", qty=70)
    # when: ONE delivery of 100 answers both, 30 and 70
    net.send("Delivery", "DL-1", "T1A", "MOTHER", "GR-1", qty=100,
             refs=[ref("T1A", "SalesOrder", "SO-1", 30), ref("T1A", "SalesOrder", "SO-2", 70)])
    # then: one receiving fulfils both purchase orders
    assert net.tdin("MOTHER", "GR-1") == (nodes(
        ("MOTHER.PurchaseOrder.PO-1", PR, 40, 30),
        ("MOTHER.PurchaseOrder.PO-2", CR, 70, 70),
        ("T1A.SalesOrder.SO-1", PR, 40, 30),
        ("T1A.SalesOrder.SO-2", CR, 70, 70),
        ("T1A.Delivery.DL-1", C, 100, 0),
        ("MOTHER.Receiving.GR-1", C, 100, 0),
    ), edges(
        ("MOTHER.PurchaseOrder.PO-1", "T1A.SalesOrder.SO-1", 40, ER),
        ("MOTHER.PurchaseOrder.PO-2", "T1A.SalesOrder.SO-2", 70, ER),
        ("T1A.SalesOrder.SO-1", "T1A.Delivery.DL-1", 30, RA),
        ("T1A.SalesOrder.SO-2", "T1A.Delivery.DL-1", 70, RA),
        ("T1A.Delivery.DL-1", "MOTHER.Receiving.GR-1", 100, ER),
        ("MOTHER.PurchaseOrder.PO-1", "MOTHER.Receiving.GR-1", 30, RA),
        ("MOTHER.PurchaseOrder.PO-2", "MOTHER.Receiving.GR-1", 70, RA),
    ))


def test_split_and_consolidated(gw):
    net = Net(gw)
    # given: T1A's two purchase orders of 100 each to T2A, each its own sales order
    net.send("PurchaseOrder", "PO-1", "T1A", "T2A", "SO-1", qty=100)
    net.send("PurchaseOrder", "PO-2", "T1A", "T2A", "SO-2", qty=100)
    # when: two deliveries each answer both sales orders: 60+30 and 40+70
    net.send("Delivery", "DL-1", "T2A", "T1A", "GR-1", qty=90,
             refs=[ref("T2A", "SalesOrder", "SO-1", 60), ref("T2A", "SalesOrder", "SO-2", 30)])
    net.send("Delivery", "DL-2", "T2A", "T1A", "GR-2", qty=110,
             refs=[ref("T2A", "SalesOrder", "SO-1", 40), ref("T2A", "SalesOrder", "SO-2", 70)])
    # then: every order is complete, each receiving fulfils both purchase orders
    assert net.tdin("T1A", "PO-1") == (nodes(
        ("T1A.PurchaseOrder.PO-1", CR, 100, 100),
        ("T1A.PurchaseOrder.PO-2", CR, 100, 100),
        ("T2A.SalesOrder.SO-1", CR, 100, 100),
        ("T2A.SalesOrder.SO-2", CR, 100, 100),
        ("T2A.Delivery.DL-1", C, 90, 0),
        ("T2A.Delivery.DL-2", C, 110, 0),
        ("T1A.Receiving.GR-1", C, 90, 0),
        ("T1A.Receiving.GR-2", C, 110, 0),
    ), edges(
        ("T1A.PurchaseOrder.PO-1", "T2A.SalesOrder.SO-1", 100, ER),
        ("T1A.PurchaseOrder.PO-2", "T2A.SalesOrder.SO-2", 100, ER),
        ("T2A.SalesOrder.SO-1", "T2A.Delivery.DL-1", 60, RA),
        ("T2A.SalesOrder.SO-2", "T2A.Delivery.DL-1", 30, RA),
        ("T2A.SalesOrder.SO-1", "T2A.Delivery.DL-2", 40, RA),
        ("T2A.SalesOrder.SO-2", "T2A.Delivery.DL-2", 70, RA),
        ("T2A.Delivery.DL-1", "T1A.Receiving.GR-1", 90, ER),
        ("T2A.Delivery.DL-2", "T1A.Receiving.GR-2", 110, ER),
        ("T1A.PurchaseOrder.PO-1", "T1A.Receiving.GR-1", 60, RA),
        ("T1A.PurchaseOrder.PO-2", "T1A.Receiving.GR-1", 30, RA),
        ("T1A.PurchaseOrder.PO-1", "T1A.Receiving.GR-2", 40, RA),
        ("T1A.PurchaseOrder.PO-2", "T1A.Receiving.GR-2", 70, RA),
    ))
