"""How a recomposition's cut of a provider is spread over the orders placed to it."""
from __future__ import annotations

from smart_gateway.composition.execute import Order, reductions


def placed(number, provider, quantity, activity="ASSY") -> dict:
    return {"activity": activity, "provider": provider, "item": "WIDGET", "quantity": quantity,
            "number": number, "agent_id": f"agent-{number}"}


def test_a_cut_takes_the_latest_order_first_and_cancels_it_when_nothing_would_be_left():
    # given: T1A holds the execution's order of 60 and a recomposition's 20 more
    ledger = [placed("PO-1", "T1A", 60.0), placed("RC-1", "T1A", 20.0), placed("PO-2", "T1B", 40.0)]
    # when: T1A is kept for 50 units fewer
    changes, after = reductions(ledger, [Order("ASSY", "T1A", "WIDGET", 50.0)], dropped=set())
    # then: RC-1 is cancelled whole, PO-1 cut by 30 to 30, and T1B untouched
    assert [(r.order.number, r.order.quantity, r.cancel, r.left) for r in changes] == [
        ("RC-1", 20.0, True, 0.0), ("PO-1", 30.0, False, 30.0)]
    assert changes[0].order.agent_id == "agent-RC-1"
    assert [(o["number"], o["quantity"]) for o in after] == [("PO-1", 30.0), ("PO-2", 40.0)]
    # and the ledger given is not changed
    assert ledger[0]["quantity"] == 60.0


def test_a_dropped_provider_loses_every_order():
    ledger = [placed("PO-1", "T1A", 60.0), placed("RC-1", "T1A", 20.0),
              placed("PO-3", "T1A", 100.0, activity="PART")]
    changes, after = reductions(ledger, [Order("ASSY", "T1A", "WIDGET", 80.0)],
                                dropped={("ASSY", "T1A")})
    assert {(r.order.number, r.cancel) for r in changes} == {("RC-1", True), ("PO-1", True)}
    # the same company's order for another activity stays
    assert [o["number"] for o in after] == ["PO-3"]
