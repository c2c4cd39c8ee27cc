"""Abnormal propagation over SOAP: updates and cancellations cascading through three tiers.

MOTHER -> T1A -> T2A (tests/fixtures/gw_network.py).  Every expected quantity,
state and penalty below is worked out by hand from the rules in
smart_gateway/domain/change.py; the integrity checker runs after each test
(tests/integration/conftest.py).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select

from fixtures.gw_network import doc, mid, party, ref, rows, zeep_fault
from smart_gateway.persistence import tables as T
from smart_gateway.persistence.tables_cascade import change_term

C, M, CR, PR, CF, X = ("Created", "Modified", "CompletelyReferenced", "PartiallyReferenced",
                       "Confirmed", "Canceled")


class Net:
    def __init__(self, gw, engine):
        self.engine = engine
        self.p = {c: party(gw, c) for c in ("MOTHER", "T1A", "T2A", None)}

    def submit(self, doc_type, number, company, partner=None, *, qty, refs=None, lines=1,
               price=None):
        document = doc(doc_type, number, company, partner, qty=qty, refs=refs, lines=lines)
        for line in document["line"] if price is not None else ():
            line["unitPrice"] = Decimal(price)
        return self.p[company].service.SubmitTransaction(messageId=mid(), document=document)

    def send(self, doc_type, number, sender, receiver, created, *, qty, refs=None, price=None):
        agent_id = self.submit(doc_type, number, sender, receiver, qty=qty, refs=refs,
                               price=price).agentId
        rsv = self.p[receiver].service
        assert agent_id in [m.agentId for m in rsv.FetchInbox(maxMessages=100).message or []]
        rsv.Acknowledge(messageId=mid(), agentId=agent_id, state="Approved")
        rsv.Acknowledge(messageId=mid(), agentId=agent_id, state="Created", documentNumber=created)

    def tdin(self):
        """{key: (state, quantity, referenced)} and {(from, to): quantity} of the whole TDIN."""
        with self.engine.connect() as c:
            inst = {r.id: r for r in c.execute(select(T.instance))}
            links = c.execute(select(T.link)).all()
        key = {i: f"{r.company}.{r.doc_type}.{r.number}" for i, r in inst.items()}
        return ({key[i]: (r.state, r.quantity, r.referenced_quantity) for i, r in inst.items()},
                {(key[ln.source_id], key[ln.target_id]): ln.quantity for ln in links})

    def version(self, company, doc_type, number):
        with self.engine.connect() as c:
            return c.execute(select(T.instance.c.version).where(
                T.instance.c.company == company, T.instance.c.doc_type == doc_type,
                T.instance.c.number == number)).scalar_one()

    def notices(self, company):
        got = self.p[company].service.FetchInbox(maxMessages=100).message or []
        return [(m.notice.topic, m.notice.subject.number if m.notice.subject else None)
                for m in got if m.kind == "Notice"]

    def terms(self, buyer, supplier, item, *, decoupling="MTS", price=None, frozen=0,
              percent=0, fixed=0):
        with self.engine.begin() as c:
            ag = c.execute(select(T.agreement.c.id).where(T.agreement.c.buyer == buyer,
                                                          T.agreement.c.supplier == supplier)
                           ).scalar_one()
            c.execute(insert(T.agreement_item).values(agreement_id=ag, item=item,
                                                      unit_price=price, decoupling=decoupling))
            c.execute(insert(change_term).values(agreement_id=ag, item=item, frozen_days=frozen,
                                                 penalty_percent=percent, penalty_fixed=fixed))


def target(company, doc_type, number, version=None):
    d = {"company": company, "type": doc_type, "number": number}
    if version is not None:
        d["expectedVersion"] = version
    return d


def steps(result):
    return {f"{s.instance.company}.{s.instance.type}.{s.instance.number}":
            (s.action, s.status, s.oldState, s.instance.state, s.oldQuantity, s.newQuantity)
            for s in result.step or []}


def three_tiers(net, *, split=False):
    """MOTHER PO-M 100 -> T1A SO-1; WO-1 (2 per unit: 200) -> PO-1a 120 / PO-1b 80 -> T2A."""
    net.send("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", qty=100)
    if split:
        net.submit("WorkOrder", "WO-1", "T1A", qty=200, refs=[ref("T1A", "SalesOrder", "SO-1", 200)])
        net.send("PurchaseOrder", "PO-1a", "T1A", "T2A", "SO-2a", qty=120,
                 refs=[ref("T1A", "WorkOrder", "WO-1", 120)])
        net.send("PurchaseOrder", "PO-1b", "T1A", "T2A", "SO-2b", qty=80,
                 refs=[ref("T1A", "WorkOrder", "WO-1", 80)])
    else:
        net.send("PurchaseOrder", "PO-1", "T1A", "T2A", "SO-2", qty=100,
                 refs=[ref("T1A", "SalesOrder", "SO-1")])


def make_to_order_at_tier_two(net):
    """three_tiers, where T2A makes ITEM-1 to order for T1A: a change of PO-1 is
    asked of T2A, at 50 per line plus 10% of its value (at 4 a unit)."""
    net.terms("T1A", "T2A", "ITEM-1", decoupling="MTO", price=Decimal(4), percent=10, fixed=50)
    three_tiers(net)


def change_mother_order(net, quantity: int):
    """MOTHER changes PO-M's one line to ``quantity``; the UpdateTransaction answer."""
    return net.p["MOTHER"].service.UpdateTransaction(
        document=target("MOTHER", "PurchaseOrder", "PO-M"),
        line=[{"lineNumber": 1, "quantity": Decimal(quantity)}])


def test_a_cut_in_the_mother_order_is_cwg_all_the_way_down_split_in_whole_units(gw, engine):
    # given: a recipe of 2 per unit at T1A, split 120/80 over two orders to T2A, all make-to-stock
    net = Net(gw, engine)
    three_tiers(net, split=True)
    mother = net.p["MOTHER"].service
    # when: MOTHER plans, then makes, a cut from 100 to 33
    planned = mother.PlanChange(document=target("MOTHER", "PurchaseOrder", "PO-M"),
                                line=[{"lineNumber": 1, "quantity": Decimal(33)}])
    done = mother.UpdateTransaction(document=target("MOTHER", "PurchaseOrder", "PO-M"),
                                    line=[{"lineNumber": 1, "quantity": Decimal(33)}])
    # then: CWG; 33 -> 66 at the work order; 66 split 39.6 / 26.4 -> 40 / 26 (largest remainder)
    assert done.status == "CWG" and done.penalty == 0 and not done.changeRequest
    expected = {
        "MOTHER.PurchaseOrder.PO-M": 33, "T1A.SalesOrder.SO-1": 33, "T1A.WorkOrder.WO-1": 66,
        "T1A.PurchaseOrder.PO-1a": 40, "T2A.SalesOrder.SO-2a": 40,
        "T1A.PurchaseOrder.PO-1b": 26, "T2A.SalesOrder.SO-2b": 26,
    }
    # MOTHER sees its own and its direct partner's instances; T2A's are counted, not shown
    assert {k: v[5] for k, v in steps(done).items()} == {
        k: Decimal(v) for k, v in expected.items() if not k.startswith("T2A")}
    assert done.hiddenSteps == 2
    assert steps(planned) == steps(done)  # the plan said exactly this
    nodes, links = net.tdin()
    assert {k: (s, q) for k, (s, q, _) in nodes.items()} == {
        k: (M, Decimal(v)) for k, v in expected.items()}
    assert links[("T1A.SalesOrder.SO-1", "T1A.WorkOrder.WO-1")] == 66
    assert links[("T1A.WorkOrder.WO-1", "T1A.PurchaseOrder.PO-1a")] == 40
    assert links[("T1A.WorkOrder.WO-1", "T1A.PurchaseOrder.PO-1b")] == 26
    # every company was told; then each confirms what the cascade modified
    for company, first in (("MOTHER", "PO-M"), ("T1A", "SO-1"), ("T2A", "SO-2a")):
        assert ("ChangeApplied", first) in net.notices(company)
        net.p[company].service.ConfirmChange(cascadeId=done.cascadeId)
    assert {s for s, _, _ in net.tdin()[0].values()} == {CF}


def test_a_cut_stops_at_a_make_to_order_tier_two_with_a_penalty_then_accepted(gw, engine):
    net = Net(gw, engine)
    make_to_order_at_tier_two(net)
    # when: MOTHER cuts 100 -> 60
    done = change_mother_order(net, 60)
    # then: CWP: applied down to T1A's sales order, T1A's order to T2A asked, 50 + 40 x 4 x 10%
    assert done.status == "CWP" and done.penalty == Decimal("66")
    [req] = done.changeRequest
    assert (req.company, req.order.number, req.quantity, req.penalty) == \
        ("T2A", "PO-1", 60, Decimal(66))
    assert req.counterpart is None  # T2A's sales order: not MOTHER's direct partner's document
    [asked] = net.p["T2A"].service.ListChangeRequests()
    assert asked.counterpart.number == "SO-2"
    nodes, links = net.tdin()
    assert nodes["MOTHER.PurchaseOrder.PO-M"][:2] == (M, 60)
    assert nodes["T1A.SalesOrder.SO-1"][:2] == (M, 60)
    assert nodes["T1A.PurchaseOrder.PO-1"][:2] == (C, 100)   # not past the CWP point
    assert nodes["T2A.SalesOrder.SO-2"][:2] == (C, 100)
    assert links[("T1A.SalesOrder.SO-1", "T1A.PurchaseOrder.PO-1")] == 60
    assert ("ChangeRequested", "PO-1") in net.notices("T2A")
    assert ("ChangeRequested", "PO-1") in net.notices("T1A")  # whose order now waits
    # when: T2A accepts
    t2a = net.p["T2A"].service
    [listed] = t2a.ListChangeRequests(state="pending")
    assert listed.requestId == req.requestId
    decided = t2a.DecideChangeRequest(requestId=req.requestId, accept=True)
    # then: the cascade goes on from T1A's order
    assert decided.changeRequest.state == "accepted" and decided.result.status == "CWG"
    nodes, _ = net.tdin()
    assert nodes["T1A.PurchaseOrder.PO-1"][:2] == (M, 60)
    assert nodes["T2A.SalesOrder.SO-2"][:2] == (M, 60)
    assert ("ChangeAccepted", "PO-1") in net.notices("MOTHER")
    assert not t2a.ListChangeRequests(state="pending")
    # a request is decided once
    zeep_fault(net.p["T2A"], "IllegalTransition", t2a.DecideChangeRequest,
               requestId=req.requestId, accept=False)


def test_a_rejected_change_request_leaves_the_rest_untouched_and_tells_the_originator(gw, engine):
    net = Net(gw, engine)
    make_to_order_at_tier_two(net)
    done = change_mother_order(net, 60)
    [req] = done.changeRequest
    # only T2A decides: the originator may not, and another company does not even see it
    zeep_fault(net.p["MOTHER"], "Unauthorized", net.p["MOTHER"].service.DecideChangeRequest,
               requestId=req.requestId, accept=True)
    zeep_fault(net.p["T1A"], "NotFound", net.p["T1A"].service.DecideChangeRequest,
               requestId=req.requestId, accept=True)
    before = net.tdin()
    decided = net.p["T2A"].service.DecideChangeRequest(requestId=req.requestId, accept=False,
                                                       note="material already cut")
    assert decided.changeRequest.state == "rejected" and decided.result is None
    assert net.tdin() == before
    assert ("ChangeRejected", "PO-1") in net.notices("MOTHER")


def test_a_cancelled_order_cancels_what_depends_on_it_and_nothing_points_at_it(gw, engine):
    net = Net(gw, engine)
    three_tiers(net)
    mother = net.p["MOTHER"].service
    # the supplier may not cancel the buyer's order
    zeep_fault(net.p["T1A"], "Unauthorized", net.p["T1A"].service.CancelTransaction,
               document=target("MOTHER", "PurchaseOrder", "PO-M"))
    done = mother.CancelTransaction(document=target("MOTHER", "PurchaseOrder", "PO-M"))
    assert done.status == "CWG"
    nodes, _ = net.tdin()
    assert {k: s for k, (s, _, _) in nodes.items()} == {
        "MOTHER.PurchaseOrder.PO-M": X, "T1A.SalesOrder.SO-1": X,
        "T1A.PurchaseOrder.PO-1": X, "T2A.SalesOrder.SO-2": X}
    assert ("Cancelled", "SO-2") in net.notices("T2A")
    # cancelling it again is an illegal transition and writes nothing
    before = rows(engine)
    zeep_fault(net.p["MOTHER"], "IllegalTransition", mother.CancelTransaction,
               document=target("MOTHER", "PurchaseOrder", "PO-M"))
    assert rows(engine) == before
    # and nothing can follow a cancelled instance
    zeep_fault(net.p["T1A"], "InvalidRequest", net.p["T1A"].service.SubmitTransaction,
               messageId=mid(), document=doc("Delivery", "DL-X", "T1A", "MOTHER", qty=1,
                                             refs=[ref("T1A", "SalesOrder", "SO-1")]))


def test_an_order_cancelled_in_flight_stops_its_agent(gw, engine):
    net = Net(gw, engine)
    agent_id = net.submit("PurchaseOrder", "PO-F", "MOTHER", "T1A", qty=5).agentId
    net.p["MOTHER"].service.CancelTransaction(document=target("MOTHER", "PurchaseOrder", "PO-F"))
    zeep_fault(net.p["T1A"], "IllegalTransition", net.p["T1A"].service.Acknowledge,
               messageId=mid(), agentId=agent_id, state="Received")


def test_a_short_delivery_then_a_cancelled_one_move_the_order_back(gw, engine):
    net = Net(gw, engine)
    net.send("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", qty=100)
    net.send("Delivery", "DL-1", "T1A", "MOTHER", "GR-1", qty=100,
             refs=[ref("T1A", "SalesOrder", "SO-1")])
    nodes, _ = net.tdin()
    assert nodes["MOTHER.PurchaseOrder.PO-M"] == (CR, 100, 100)
    # the buyer may not cut its order below what was delivered; nothing is written
    before = rows(engine)
    zeep_fault(net.p["MOTHER"], "IllegalTransition", net.p["MOTHER"].service.UpdateTransaction,
               document=target("MOTHER", "PurchaseOrder", "PO-M"),
               line=[{"lineNumber": 1, "quantity": Decimal(50)}])
    assert rows(engine) == before
    # a stale version is refused
    version = net.version("T1A", "Delivery", "DL-1")
    zeep_fault(net.p["T1A"], "IllegalTransition", net.p["T1A"].service.UpdateTransaction,
               document=target("T1A", "Delivery", "DL-1", version=version - 1),
               line=[{"lineNumber": 1, "quantity": Decimal(60)}])
    # when: T1A delivered only 60
    done = net.p["T1A"].service.UpdateTransaction(
        document=target("T1A", "Delivery", "DL-1", version=version),
        line=[{"lineNumber": 1, "quantity": Decimal(60)}])
    assert done.status == "CWG"
    nodes, links = net.tdin()
    assert nodes["T1A.Delivery.DL-1"] == (M, 60, 0)
    assert nodes["MOTHER.Receiving.GR-1"] == (M, 60, 0)
    assert nodes["T1A.SalesOrder.SO-1"] == (PR, 100, 60)
    assert nodes["MOTHER.PurchaseOrder.PO-M"] == (PR, 100, 60)
    assert links[("MOTHER.PurchaseOrder.PO-M", "MOTHER.Receiving.GR-1")] == 60
    # when: the delivery is cancelled altogether
    net.p["T1A"].service.CancelTransaction(document=target("T1A", "Delivery", "DL-1"))
    nodes, _ = net.tdin()
    assert nodes["MOTHER.Receiving.GR-1"][0] == X
    assert nodes["T1A.SalesOrder.SO-1"] == (CF, 100, 0)
    assert nodes["MOTHER.PurchaseOrder.PO-M"] == (CF, 100, 0)
    # and the order can now be cut, and delivered again
    net.p["MOTHER"].service.UpdateTransaction(document=target("MOTHER", "PurchaseOrder", "PO-M"),
                                              line=[{"lineNumber": 1, "quantity": Decimal(50)}])
    nodes, _ = net.tdin()
    assert nodes["T1A.SalesOrder.SO-1"] == (M, 50, 0)


def test_a_cascade_that_fails_half_way_leaves_nothing_applied(gw, engine, monkeypatch):
    net = Net(gw, engine)
    three_tiers(net)
    before = rows(engine), net.tdin()

    def broken(*args, **kwargs):  # the notices come after every instance, line and link is written
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("smart_gateway.cascade.apply.notices.notify", broken)
    try:
        net.p["MOTHER"].service.UpdateTransaction(
            document=target("MOTHER", "PurchaseOrder", "PO-M"),
            line=[{"lineNumber": 1, "quantity": Decimal(10)}])
    except Exception as fault:  # noqa: BLE001 - a Server fault, whatever its text
        assert "Server" in getattr(fault, "code", ""), fault
    else:
        raise AssertionError("the broken cascade was answered as applied")
    assert (rows(engine), net.tdin()) == before


def test_the_supplier_confirms_a_changed_order_by_acknowledging_its_update_agent(gw, engine):
    net = Net(gw, engine)
    three_tiers(net)
    net.p["MOTHER"].service.UpdateTransaction(document=target("MOTHER", "PurchaseOrder", "PO-M"),
                                              line=[{"lineNumber": 1, "quantity": Decimal(80)}])
    # the cascade registered one agent per changed hop, use case update, waiting in Modified
    agents = net.p["MOTHER"].service.SearchAgents(company="MOTHER", type="PurchaseOrder",
                                                  number="PO-M")
    [update] = [a for a in agents if a.useCase == "update"]
    assert (update.kind, update.state, update.sender, update.receiver,
            update.interCompanyForeignKey) == ("O-TPA", M, "MOTHER", "T1A", "T1A.SalesOrder.SO-1")
    # the buyer does not confirm its own change; the supplier does
    zeep_fault(net.p["MOTHER"], "Unauthorized", net.p["MOTHER"].service.Acknowledge,
               messageId=mid(), agentId=update.agentId, state="Confirmed")
    net.p["T1A"].service.Acknowledge(messageId=mid(), agentId=update.agentId, state="Confirmed")
    nodes, _ = net.tdin()
    assert nodes["MOTHER.PurchaseOrder.PO-M"][:2] == (CF, 80)
    assert nodes["T1A.SalesOrder.SO-1"][:2] == (CF, 80)
    assert nodes["T2A.SalesOrder.SO-2"][:2] == (M, 80)  # its own hop waits for T2A
    # a confirmed order can be delivered against again
    net.send("Delivery", "DL-1", "T1A", "MOTHER", "GR-1", qty=80,
             refs=[ref("T1A", "SalesOrder", "SO-1")])
    assert net.tdin()[0]["MOTHER.PurchaseOrder.PO-M"] == (CR, 80, 80)


def test_a_second_cut_asks_again_from_what_was_asked_and_supersedes_the_first(gw, engine):
    net = Net(gw, engine)
    make_to_order_at_tier_two(net)
    first = change_mother_order(net, 60)
    # when: MOTHER cuts again, 60 -> 30, before T2A decided
    second = change_mother_order(net, 30)
    # then: T2A is asked for 100 -> 30 (50 + 70 x 4 x 10% = 78), the first request is moot
    [req] = second.changeRequest
    assert (req.quantity, req.penalty) == (30, Decimal(78))
    t2a = net.p["T2A"].service
    states = {r.requestId: r.state for r in t2a.ListChangeRequests()}
    assert states == {first.changeRequest[0].requestId: "superseded", req.requestId: "pending"}
    zeep_fault(net.p["T2A"], "IllegalTransition", t2a.DecideChangeRequest,
               requestId=first.changeRequest[0].requestId, accept=True)
    # T1A's sales order needs 30 of its order, which still has 100 until T2A decides
    nodes, links = net.tdin()
    assert links[("T1A.SalesOrder.SO-1", "T1A.PurchaseOrder.PO-1")] == 30
    t2a.DecideChangeRequest(requestId=req.requestId, accept=True)
    nodes, _ = net.tdin()
    assert nodes["T1A.PurchaseOrder.PO-1"][:2] == (M, 30)
    assert nodes["T2A.SalesOrder.SO-2"][:2] == (M, 30)


def test_a_rejected_increase_cuts_the_recipe_back_to_what_the_order_has(gw, engine):
    net = Net(gw, engine)
    make_to_order_at_tier_two(net)
    done = change_mother_order(net, 150)
    [req] = done.changeRequest
    assert (req.quantity, req.penalty) == (150, Decimal(70))  # 50 + 50 x 4 x 10%
    _, links = net.tdin()
    assert links[("T1A.SalesOrder.SO-1", "T1A.PurchaseOrder.PO-1")] == 150  # asked, not had
    net.p["T2A"].service.DecideChangeRequest(requestId=req.requestId, accept=False)
    nodes, links = net.tdin()
    assert nodes["T1A.PurchaseOrder.PO-1"][:2] == (C, 100)
    assert links[("T1A.SalesOrder.SO-1", "T1A.PurchaseOrder.PO-1")] == 100


def test_a_retried_update_with_its_message_id_is_answered_again_and_applied_once(gw, engine):
    net = Net(gw, engine)
    three_tiers(net)
    mother = net.p["MOTHER"].service
    message_id = mid()
    first = mother.UpdateTransaction(messageId=message_id,
                                     document=target("MOTHER", "PurchaseOrder", "PO-M"),
                                     line=[{"lineNumber": 1, "quantity": Decimal(70)}])
    before = rows(engine), net.tdin()
    again = mother.UpdateTransaction(messageId=message_id,
                                     document=target("MOTHER", "PurchaseOrder", "PO-M"),
                                     line=[{"lineNumber": 1, "quantity": Decimal(70)}])
    assert again.cascadeId == first.cascadeId and steps(again) == steps(first)
    assert (rows(engine), net.tdin()) == before
    # the same id for another request is refused
    zeep_fault(net.p["MOTHER"], "Duplicate", mother.UpdateTransaction, messageId=message_id,
               document=target("MOTHER", "PurchaseOrder", "PO-M"),
               line=[{"lineNumber": 1, "quantity": Decimal(50)}])


def test_a_short_delivery_takes_its_invoice_and_payable_down_but_never_below_what_was_paid(gw, engine):
    net = Net(gw, engine)
    net.send("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", qty=100)
    net.send("Delivery", "DL-1", "T1A", "MOTHER", "GR-1", qty=100, price="2.50",
             refs=[ref("T1A", "SalesOrder", "SO-1")])
    net.send("AccountReceivable", "AR-1", "T1A", "MOTHER", "AP-1", qty=100, price="2.50",
             refs=[ref("T1A", "Delivery", "DL-1")])
    net.send("Payment", "PAY-1", "MOTHER", "T1A", "RC-1", qty=30,
             refs=[ref("MOTHER", "AccountPayable", "AP-1")])
    t1a = net.p["T1A"].service
    # when: T1A delivered only 60
    t1a.UpdateTransaction(document=target("T1A", "Delivery", "DL-1"),
                          line=[{"lineNumber": 1, "quantity": Decimal(60)}])
    nodes, _ = net.tdin()
    assert nodes["T1A.Delivery.DL-1"] == (M, 60, 60)
    assert nodes["T1A.AccountReceivable.AR-1"] == (M, 60, 0)
    assert nodes["MOTHER.AccountPayable.AP-1"] == (M, 60, 30)   # 30 of it paid
    assert nodes["MOTHER.Receiving.GR-1"] == (M, 60, 0)
    assert nodes["MOTHER.PurchaseOrder.PO-M"] == (PR, 100, 60)
    with engine.connect() as c:  # what the invoice bills of the delivery follows it: 60 x 2.50
        billed = c.execute(select(T.link.c.amount).join(
            T.instance, T.instance.c.id == T.link.c.target_id).where(
            T.instance.c.number == "AR-1", T.link.c.scope == "RA-TDN")).scalar_one()
    assert billed == Decimal(150)
    # a cut below what was paid is refused, and so is cancelling the delivery; nothing is written
    before = rows(engine), net.tdin()
    zeep_fault(net.p["T1A"], "IllegalTransition", t1a.UpdateTransaction,
               document=target("T1A", "Delivery", "DL-1"),
               line=[{"lineNumber": 1, "quantity": Decimal(20)}])
    zeep_fault(net.p["T1A"], "IllegalTransition", t1a.CancelTransaction,
               document=target("T1A", "Delivery", "DL-1"))
    assert (rows(engine), net.tdin()) == before


def test_a_cancelled_delivery_cancels_its_unpaid_invoice_and_payable(gw, engine):
    net = Net(gw, engine)
    net.send("PurchaseOrder", "PO-M", "MOTHER", "T1A", "SO-1", qty=100)
    net.send("Delivery", "DL-1", "T1A", "MOTHER", "GR-1", qty=100,
             refs=[ref("T1A", "SalesOrder", "SO-1")])
    net.send("AccountReceivable", "AR-1", "T1A", "MOTHER", "AP-1", qty=100,
             refs=[ref("T1A", "Delivery", "DL-1")])
    net.p["T1A"].service.CancelTransaction(document=target("T1A", "Delivery", "DL-1"))
    nodes, _ = net.tdin()
    assert {k: v[0] for k, v in nodes.items()} == {
        "MOTHER.PurchaseOrder.PO-M": CF, "T1A.SalesOrder.SO-1": CF, "T1A.Delivery.DL-1": X,
        "MOTHER.Receiving.GR-1": X, "T1A.AccountReceivable.AR-1": X,
        "MOTHER.AccountPayable.AP-1": X}
    assert ("Cancelled", "GR-1") in net.notices("MOTHER")


def test_an_update_judges_the_order_by_its_agreement_again(gw, engine):
    import datetime as dt

    from fixtures.gw_network import ISSUE
    instance = T.instance
    # given: a regular order, due 30 days out under a 10-day lead time
    mother = party(gw, "MOTHER").service
    mother.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-R", "MOTHER",
                                                           "T1A"))

    def rush():
        with engine.connect() as conn:
            return conn.execute(select(instance.c.rush, instance.c.rush_rule)
                                .where(instance.c.number == "PO-R")).one()

    assert rush() == (False, None)
    # when: it is moved to 3 days after its issue date, then back to 30
    mother.UpdateTransaction(document=target("MOTHER", "PurchaseOrder", "PO-R"),
                             requestedDate=ISSUE + dt.timedelta(days=3))
    moved = rush()
    mother.UpdateTransaction(document=target("MOTHER", "PurchaseOrder", "PO-R"),
                             requestedDate=ISSUE + dt.timedelta(days=30))
    # then: rush with the lead-time rule, and regular again
    assert moved.rush and "inside the normal lead time of 10 days" in moved.rush_rule
    assert rush() == (False, None)
