"""BOM explosion across companies and the available-to-promise date on a
three-tier network, both against hand-worked results."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from smart_gateway.msme.atp import NotAvailable, estimate
from smart_gateway.msme.explosion import BomLine, CycleError, TooLarge, explode

START = dt.date(2026, 1, 5)


class Net:
    """MOTHER makes P from 2 C1 bought from T1A (2 days of routing); T1A makes C1 from
    1 R bought from T2A and 3 S made in-house (3 days); T2A has R in stock."""

    def __init__(self, **overrides):
        self.stock = {("MOTHER", "P"): D(0), ("T1A", "C1"): D(10), ("T2A", "R"): D(100),
                      ("T1A", "S"): D(1000)}
        self.wip = {("T1A", "C1"): [(dt.date(2026, 1, 8), D(10))]}
        self.lines = {
            ("MOTHER", "P"): [BomLine("MOTHER", "P", "C1", D(2), "EA", "T1A")],
            ("T1A", "C1"): [BomLine("T1A", "C1", "R", D(1), "KG", "T2A"),
                            BomLine("T1A", "C1", "S", D(3), "EA")],
        }
        self.days = {("MOTHER", "P"): D(2), ("T1A", "C1"): D(3)}
        self.leads = {("MOTHER", "T1A"): 10, ("T1A", "T2A"): 10}
        self.__dict__.update(overrides)

    def on_hand(self, c, i):
        return self.stock.get((c, i), D(0))

    def work_in_progress(self, c, i):
        return self.wip.get((c, i), [])

    def bom(self, c, i):
        return self.lines.get((c, i), [])

    def routing_days(self, c, i):
        return self.days.get((c, i), D(0))

    def lead_time(self, b, s):
        return self.leads.get((b, s))


def test_explosion_follows_bought_components_into_the_supplier_s_bom():
    net = Net()
    nodes = explode("MOTHER", "P", D(20), "EA", net.bom)
    assert [(n.level, n.company, n.item, n.quantity, n.via) for n in nodes] == [
        (0, "MOTHER", "P", D(20), None),
        (1, "T1A", "C1", D(40), "MOTHER"),
        (2, "T2A", "R", D(40), "T1A"),
        (2, "T1A", "S", D(120), None),
    ]


def test_a_cycle_across_companies_is_refused_naming_the_loop():
    net = Net()
    net.lines[("T2A", "R")] = [BomLine("T2A", "R", "P", D(1), "EA", "MOTHER")]
    with pytest.raises(CycleError, match="MOTHER:P -> T1A:C1 -> T2A:R -> MOTHER:P"):
        explode("MOTHER", "P", D(1), "EA", net.bom)


def test_three_tier_atp_by_hand():
    # 20 P need 40 C1 from T1A: 10 in stock, 10 in WIP by Jan 8, 20 to make.
    # Making 20 C1 needs 20 R from T2A (in stock: ready Jan 5, +10 days lead -> Jan 15)
    # and 60 S in-house (stock, Jan 5); latest Jan 15 + 3 days routing = Jan 18.
    # C1 arrives at MOTHER Jan 18 + 10 days lead = Jan 28; + 2 days routing = Jan 30.
    step = estimate(Net(), "MOTHER", "P", D(20), START)
    assert step.ready == dt.date(2026, 1, 30)
    path = step.decisive_path()
    assert [(s.company, s.item, s.ready, s.source) for s in path] == [
        ("MOTHER", "P", dt.date(2026, 1, 30), "make"),
        ("T1A", "C1", dt.date(2026, 1, 28), "make"),
        ("T2A", "R", dt.date(2026, 1, 15), "stock"),
    ]
    t1a = path[1]
    assert (t1a.from_stock, t1a.from_wip, t1a.made, t1a.lead_time_days) == (D(10), D(10), D(20), 10)


def test_stock_and_wip_alone_decide_when_they_cover_the_order():
    assert estimate(Net(), "T1A", "C1", D(10), START).ready == START
    wip = estimate(Net(), "T1A", "C1", D(20), START)
    assert (wip.ready, wip.source) == (dt.date(2026, 1, 8), "work-in-progress")


def test_stock_is_promised_once_within_one_estimate():
    # P needs 2 C1 and 1 C1 again through a second line: the 10 in stock serve only once.
    net = Net(wip={})
    net.lines[("MOTHER", "P")] = [BomLine("MOTHER", "P", "C1", D(1), "EA", "T1A"),
                                  BomLine("MOTHER", "P", "C1", D(1), "EA", "T1A")]
    # 10 P: first 10 C1 from stock (Jan 5 + 10 = Jan 15), the next 10 are made (Jan 28)
    assert estimate(net, "MOTHER", "P", D(10), START).ready == dt.date(2026, 1, 30)


def test_work_in_progress_is_promised_once_within_one_estimate():
    # Two lines of 1 C1 each; 20 P need 20 + 20 C1.  The first line takes the 10 in
    # stock and the 10 in making (Jan 8): Jan 8 + 10 = Jan 18.  The second finds neither
    # and makes 20 C1 (Jan 18 at T1A, Jan 28 at MOTHER), so P is ready Jan 30.
    net = Net()
    net.lines[("MOTHER", "P")] = [BomLine("MOTHER", "P", "C1", D(1), "EA", "T1A"),
                                  BomLine("MOTHER", "P", "C1", D(1), "EA", "T1A")]
    step = estimate(net, "MOTHER", "P", D(20), START)
    assert step.ready == dt.date(2026, 1, 30)
    assert [(s.from_stock, s.from_wip, s.made) for s in step.decisive_path()[1:2]] == [
        (D(0), D(0), D(20))]


def test_what_nobody_can_make_says_what_is_missing():
    with pytest.raises(NotAvailable, match="no bill of materials to make the other 900"):
        estimate(Net(), "T2A", "R", D(1000), START)


def test_a_bom_that_doubles_at_every_level_is_stopped_before_it_runs_away():
    # A diamond per level: 2^30 paths from a BOM of 60 lines.
    lines = {("C", f"L{n}"): [BomLine("C", f"L{n}", f"L{n + 1}", D(1), "EA"),
                              BomLine("C", f"L{n}", f"M{n + 1}", D(1), "EA")]
             for n in range(30)}
    lines.update({("C", f"M{n}"): [BomLine("C", f"M{n}", f"L{n}", D(1), "EA")]
                  for n in range(1, 31)})
    with pytest.raises(TooLarge, match="more than 20000 nodes"):
        explode("C", "L0", D(1), "EA", lambda c, i: lines.get((c, i), []))
