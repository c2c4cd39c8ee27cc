"""FetchInbox hands out each message at least once: a lost response loses nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from fixtures.gw_network import doc, install_network, mid, party
from smart_gateway.testing import start_gateway


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clocked(engine):
    install_network(engine)
    clock = Clock()
    running = start_gateway(engine, clock=clock)
    yield running, clock
    running.stop()


def ids(response) -> list[str]:
    return [m.messageId for m in response.message]


def test_an_unconfirmed_message_comes_again_and_a_confirmed_one_does_not(clocked):
    gw, clock = clocked
    mother, t1a = party(gw, "MOTHER"), party(gw, "T1A")
    mother.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-1",
                                                                   "MOTHER", "T1A"))
    mother.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-2",
                                                                   "MOTHER", "T1A"))
    # given: T1A fetched both, and the response was lost on the way
    first = ids(t1a.service.FetchInbox(maxMessages=10))
    assert len(first) == 2
    # when: it asks again within the minute, nothing is due yet
    soon = t1a.service.FetchInbox(maxMessages=10)
    assert ids(soon) == [] and soon.remaining == 0
    # then: after the redelivery interval the same two come again
    clock.advance(61)
    again = t1a.service.FetchInbox(maxMessages=10)
    assert ids(again) == first
    # and once confirmed they are gone for good, even after another minute
    t1a.service.FetchInbox(maxMessages=10, confirm=first)
    clock.advance(120)
    assert ids(t1a.service.FetchInbox(maxMessages=10)) == []


def test_acknowledging_the_agent_confirms_its_message(clocked):
    gw, clock = clocked
    mother, t1a = party(gw, "MOTHER"), party(gw, "T1A")
    sent = mother.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-3",
                                                                          "MOTHER", "T1A"))
    assert ids(t1a.service.FetchInbox(maxMessages=10))
    t1a.service.Acknowledge(messageId=mid(), agentId=sent.agentId, state="Approved")
    clock.advance(3600)
    assert ids(t1a.service.FetchInbox(maxMessages=10)) == []


def test_confirming_another_company_s_message_changes_nothing(clocked):
    gw, clock = clocked
    mother, t1a, t2a = party(gw, "MOTHER"), party(gw, "T1A"), party(gw, "T2A")
    mother.service.SubmitTransaction(messageId=mid(), document=doc("PurchaseOrder", "PO-4",
                                                                   "MOTHER", "T1A"))
    handed = ids(t1a.service.FetchInbox(maxMessages=10))
    t2a.service.FetchInbox(maxMessages=10, confirm=handed)  # not T2A's to confirm
    clock.advance(61)
    assert ids(t1a.service.FetchInbox(maxMessages=10)) == handed
