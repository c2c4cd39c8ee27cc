"""The cascade planner (domain/change.py) on hand-built TDINs, expectations worked out by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from smart_gateway.domain.change import (
    CWG, CWP, Change, Edge, Graph, Node, NodeLine, Terms, allocate, confirm_state, plan,
)
from smart_gateway.domain.documents import DocType as D
from smart_gateway.domain.errors import IllegalTransition, InvalidRequest
from smart_gateway.domain.states import State

TODAY = dt.date(2026, 3, 1)
DUE = dt.date(2026, 6, 1)


def node(i, company, t, qty, *, partner=None, state=State.CREATED, ref=0, date=DUE, lines=None):
    qty = Decimal(qty)
    lines = lines or [qty]
    return Node(i, company, t, f"N{i}", partner, state, qty, Decimal(ref), date, 1,
                tuple(NodeLine(n + 1, "ITEM", Decimal(q), Decimal(2), date)
                      for n, q in enumerate(lines)))


def graph(nodes, edges):
    return Graph({n.id: n for n in nodes},
                 tuple(Edge(k + 1, s, t, Decimal(q), scope) for k, (s, t, q, scope) in enumerate(edges)))


def mts(*_):
    return Terms()


def by_id(p):
    return {s.id: (s.action, s.status, s.new_state, s.new_quantity, s.new_referenced) for s in p.steps}


@pytest.mark.parametrize("olds,num,den,expected", [
    ([120, 80], 66, 200, [40, 26]),       # 39.6 / 26.4: the larger remainder takes the unit
    ([1, 1, 1], 2, 3, [1, 1, 0]),         # ties go to the earlier link
    ([50, 50], 3, 4, [38, 37]),           # 37.5 / 37.5 -> 75 in all, tie to the first
    ([Decimal("1.5")], 1, 3, [Decimal("0.5")]),  # fractional: exact
])
def test_allocate_in_whole_units(olds, num, den, expected):
    got = allocate([Decimal(o) for o in olds], Decimal(num), Decimal(den))
    assert got == [Decimal(e) for e in expected]


def chain():
    """PO(1) -ER-> SO(2) -> WO(3, 2 per unit) -> PO(4) -ER-> SO(5)."""
    return graph([node(1, "M", D.PURCHASE_ORDER, 100, partner="A"),
                  node(2, "A", D.SALES_ORDER, 100, partner="M"),
                  node(3, "A", D.WORK_ORDER, 200),
                  node(4, "A", D.PURCHASE_ORDER, 200, partner="B"),
                  node(5, "B", D.SALES_ORDER, 200, partner="A")],
                 [(1, 2, 100, "ER-TDN"), (2, 3, 200, "RA-TDN"), (3, 4, 200, "RA-TDN"),
                  (4, 5, 200, "ER-TDN")])


def test_cwg_all_the_way_by_recipe_ratio():
    p = plan(chain(), Change(1, lines={1: Decimal(30)}), mts, today=TODAY)
    assert p.status == CWG and p.penalty == 0
    assert {i: v[3] for i, v in by_id(p).items()} == {1: 30, 2: 30, 3: 60, 4: 60, 5: 60}
    assert {s.new_state for s in p.steps} == {"Modified"}
    assert {c.id: c.new_quantity for c in p.links} == {1: 30, 2: 60, 3: 60, 4: 60}


def test_stops_at_the_first_make_to_order_supplier_with_the_penalty():
    def terms(buyer, supplier, item):
        return Terms("MTO", 0, Decimal(10), Decimal(5), Decimal(3)) if supplier == "B" else Terms()

    p = plan(chain(), Change(1, lines={1: Decimal(30)}), terms, today=TODAY)
    assert p.status == CWP
    assert by_id(p)[4][:2] == ("Requested", CWP) and 5 not in by_id(p)
    # 5 per line + 10% of (200 - 60) x 3
    assert p.penalty == Decimal("47.00")
    assert [s.id for s in p.applied] == [1, 2, 3]
    assert {c.id: c.new_quantity for c in p.links} == {1: 30, 2: 60, 3: 60}


def test_frozen_horizon_makes_a_make_to_stock_change_cwp():
    def terms(buyer, supplier, item):
        return Terms("MTS", 120, Decimal(0), Decimal(7)) if supplier == "A" else Terms()

    p = plan(chain(), Change(1, lines={1: Decimal(90)}), terms, today=TODAY)
    assert [s.id for s in p.steps] == [1] and p.steps[0].action == "Requested"
    assert p.penalty == 7 and "frozen horizon" in p.steps[0].reason


def test_a_date_moved_earlier_keeps_the_slack_of_triggered_orders():
    g = chain()
    nodes = dict(g.nodes)
    nodes[4] = node(4, "A", D.PURCHASE_ORDER, 200, partner="B", date=DUE - dt.timedelta(days=10))
    nodes[5] = node(5, "B", D.SALES_ORDER, 200, partner="A", date=DUE - dt.timedelta(days=10))
    p = plan(Graph(nodes, g.edges), Change(1, requested_date=DUE - dt.timedelta(days=4)), mts,
             today=TODAY)
    dates = {s.id: s.new_date for s in p.steps}
    assert dates == {1: DUE - dt.timedelta(days=4), 2: DUE - dt.timedelta(days=4),
                     3: DUE - dt.timedelta(days=4),  # no slack to its sales order: as much earlier
                     4: DUE - dt.timedelta(days=14), 5: DUE - dt.timedelta(days=14)}
    # later: nothing triggered has to move
    p = plan(Graph(nodes, g.edges), Change(1, requested_date=DUE + dt.timedelta(days=4)), mts,
             today=TODAY)
    assert [s.id for s in p.steps] == [1, 2]


def test_cancel_cascades_and_a_consolidated_order_keeps_its_other_share():
    # SO(2) and SO(6) both feed PO(4) (100 + 50)
    g = graph([node(1, "M", D.PURCHASE_ORDER, 100, partner="A"),
               node(2, "A", D.SALES_ORDER, 100, partner="M"),
               node(4, "A", D.PURCHASE_ORDER, 150, partner="B"),
               node(5, "B", D.SALES_ORDER, 150, partner="A"),
               node(6, "A", D.WORK_ORDER, 50)],
              [(1, 2, 100, "ER-TDN"), (2, 4, 100, "RA-TDN"), (6, 4, 50, "RA-TDN"),
               (4, 5, 150, "ER-TDN")])
    p = plan(g, Change(1, cancel=True), mts, today=TODAY)
    assert {i: (v[2], v[3]) for i, v in by_id(p).items()} == {
        1: ("Canceled", 100), 2: ("Canceled", 100), 4: ("Modified", 50), 5: ("Modified", 50)}
    assert {c.id: c.new_quantity for c in p.links} == {2: 0, 4: 50}


def test_a_short_delivery_releases_what_it_referenced():
    g = graph([node(1, "M", D.PURCHASE_ORDER, 100, partner="A", state=State.COMPLETELY_REFERENCED, ref=100),
               node(2, "A", D.SALES_ORDER, 100, partner="M", state=State.COMPLETELY_REFERENCED, ref=100),
               node(3, "A", D.DELIVERY, 100, partner="M"),
               node(4, "M", D.RECEIVING, 100, partner="A")],
              [(1, 2, 100, "ER-TDN"), (2, 3, 100, "RA-TDN"), (3, 4, 100, "ER-TDN"),
               (1, 4, 100, "RA-TDN")])
    p = plan(g, Change(3, lines={1: Decimal(60)}), mts, today=TODAY)
    assert by_id(p) == {
        1: ("Referencing", CWG, "PartiallyReferenced", 100, 60),
        2: ("Referencing", CWG, "PartiallyReferenced", 100, 60),
        3: ("Applied", CWG, "Modified", 60, 0), 4: ("Applied", CWG, "Modified", 60, 0)}
    p = plan(g, Change(3, cancel=True), mts, today=TODAY)
    assert by_id(p)[1] == ("Referencing", CWG, "Confirmed", 100, 0)
    # the order itself cannot be cut below what was delivered, nor cancelled
    with pytest.raises(IllegalTransition, match="already reference 100"):
        plan(g, Change(1, lines={1: Decimal(99)}), mts, today=TODAY)
    with pytest.raises(IllegalTransition):
        plan(g, Change(1, cancel=True), mts, today=TODAY)


def test_refusals():
    g = chain()
    with pytest.raises(InvalidRequest, match="changes nothing"):
        plan(g, Change(1, lines={1: Decimal(100)}), mts, today=TODAY)
    with pytest.raises(InvalidRequest, match="no line 9"):
        plan(g, Change(1, lines={9: Decimal(1)}), mts, today=TODAY)
    nodes = dict(g.nodes)
    nodes[1] = node(1, "M", D.PURCHASE_ORDER, 100, partner="A", state=State.CANCELED)
    with pytest.raises(IllegalTransition):
        plan(Graph(nodes, g.edges), Change(1, cancel=True), mts, today=TODAY)


def test_confirm_gives_back_the_referencing_state():
    assert confirm_state(State.MODIFIED, Decimal(0), Decimal(5)) is State.CONFIRMED
    assert confirm_state(State.MODIFIED, Decimal(2), Decimal(5)) is State.PARTIALLY_REFERENCED
    assert confirm_state(State.MODIFIED, Decimal(5), Decimal(5)) is State.COMPLETELY_REFERENCED
    with pytest.raises(IllegalTransition):
        confirm_state(State.CREATED, Decimal(0), Decimal(5))
