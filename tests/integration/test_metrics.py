"""The TCM metrics against values computed by hand on a small network with known times."""
from __future__ import annotations

import datetime as dt

import pytest

from fixtures.gw_network import doc, install_network, mid, party, ref, zeep_fault
from smart_gateway.testing import start_gateway

HOUR = 3600


class Clock:
    def __init__(self) -> None:
        self.start = self.now = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, hours: float) -> None:
        self.now = self.start + dt.timedelta(hours=hours)


@pytest.fixture
def network(engine):
    """MOTHER -> T1A -> T2A: one order down, deliveries back up, times in hours from t0.

    agent  document       sent  complete at           duration
    A1     MOTHER PO-1     0h   13h (GR-3 receives 100)  13h
    A2     T1A PO-2        2h   10h (GR-2 receives 40)    8h
    A3     T2A DL-1 (60)   5h   never invoiced             -
    A4     T2A DL-2 (40)   8h   never invoiced             -
    A5     T1A DL-3 (100) 12h   never invoiced             -
    plus MOTHER PO-X, rejected by T1A: canceled, counted nowhere.
    """
    install_network(engine)
    clock = Clock()
    gw = start_gateway(engine, clock=clock)
    mother, t1a, t2a = party(gw, "MOTHER"), party(gw, "T1A"), party(gw, "T2A")

    def submit(p, document, hours):
        clock.at(hours)
        return p.service.SubmitTransaction(messageId=mid(), document=document)

    def create(p, agent_id, number, hours):
        clock.at(hours)
        p.service.FetchInbox(maxMessages=20)
        p.service.Acknowledge(messageId=mid(), agentId=agent_id, state="Approved")
        p.service.Acknowledge(messageId=mid(), agentId=agent_id, state="Created",
                              documentNumber=number)

    a1 = submit(mother, doc("PurchaseOrder", "PO-1", "MOTHER", "T1A", qty=100), 0)
    create(t1a, a1.agentId, "SO-1", 1)
    a2 = submit(t1a, doc("PurchaseOrder", "PO-2", "T1A", "T2A", qty=100,
                         refs=[ref("T1A", "SalesOrder", "SO-1")]), 2)
    create(t2a, a2.agentId, "SO-2", 3)
    a3 = submit(t2a, doc("Delivery", "DL-1", "T2A", "T1A", qty=60,
                         refs=[ref("T2A", "SalesOrder", "SO-2", 60)]), 5)
    create(t1a, a3.agentId, "GR-1", 6)
    a4 = submit(t2a, doc("Delivery", "DL-2", "T2A", "T1A", qty=40,
                         refs=[ref("T2A", "SalesOrder", "SO-2", 40)]), 8)
    create(t1a, a4.agentId, "GR-2", 10)
    a5 = submit(t1a, doc("Delivery", "DL-3", "T1A", "MOTHER", qty=100,
                         refs=[ref("T1A", "SalesOrder", "SO-1", 100)]), 12)
    create(mother, a5.agentId, "GR-3", 13)
    rejected = submit(mother, doc("PurchaseOrder", "PO-X", "MOTHER", "T1A"), 14)
    t1a.service.FetchInbox(maxMessages=20)
    t1a.service.Acknowledge(messageId=mid(), agentId=rejected.agentId, state="PendingApproval")
    t1a.service.Acknowledge(messageId=mid(), agentId=rejected.agentId, state="Rejected",
                            reason="no capacity")
    yield gw
    gw.stop()


def figures(response) -> tuple:
    return (response.nctp, response.nitp, response.adtrSeconds, response.mdtrSeconds,
            response.trco)


def test_network_metrics(network):
    admin = party(network, None)
    # two complete propagations of 13 h and 8 h, three deliveries never invoiced;
    # the orders PO-1, SO-1, PO-2, SO-2 (PO-X is canceled)
    assert figures(admin.service.GetMetrics()) == (2, 3, 10.5 * HOUR, 13 * HOUR, 4)


def test_company_metrics(network):
    # T1A sent A2 (complete, 8 h) and A5 (incomplete); it holds SO-1 and PO-2
    t1a = party(network, "T1A")
    assert figures(t1a.service.GetMetrics(company="T1A")) == (1, 1, 8 * HOUR, 8 * HOUR, 2)
    assert figures(party(network, None).service.GetMetrics(company="T1A")) == \
        (1, 1, 8 * HOUR, 8 * HOUR, 2)


def test_order_metrics_for_the_administrator_and_for_a_tier_2_supplier(network):
    admin = party(network, None)
    assert figures(admin.service.GetMetrics(order={"company": "MOTHER", "number": "PO-1"})) \
        == (2, 3, 10.5 * HOUR, 13 * HOUR, 4)
    # T2A sees the propagations it sent or received (A2, A3, A4) and the orders
    # it can see: its SO-2 and T1A's PO-2
    t2a = party(network, "T2A")
    assert figures(t2a.service.GetMetrics(order={"company": "T2A", "number": "SO-2"})) \
        == (1, 2, 8 * HOUR, 8 * HOUR, 2)


def test_no_complete_propagation_leaves_the_durations_out(network):
    t2a = party(network, "T2A")
    response = t2a.service.GetMetrics(company="T2A")
    assert figures(response) == (0, 2, None, None, 1)


def test_metrics_others_may_not_see_are_refused(network):
    t2a = party(network, "T2A")
    zeep_fault(t2a, "Unauthorized", t2a.service.GetMetrics)
    zeep_fault(t2a, "Unauthorized", t2a.service.GetMetrics, company="T1A")
    zeep_fault(t2a, "NotFound", t2a.service.GetMetrics,
               order={"company": "MOTHER", "number": "PO-1"})
    admin = party(network, None)
    zeep_fault(admin, "UnknownReference", admin.service.GetMetrics, company="NOBODY")
