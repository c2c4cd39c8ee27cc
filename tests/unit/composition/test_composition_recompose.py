"""Recomposition after a disrupted provider: keep the rest where feasible."""
from __future__ import annotations

import pytest

from smart_gateway.composition.compose import compose
from smart_gateway.composition.instance import Activity, Instance, Provider
from smart_gateway.composition.recompose import recompose
from smart_gateway.domain.errors import InvalidRequest

# YARN (KR1 at 2) -> SEW (up to two of TH1, TH2, TH3) -> DELIVER; demand 100.
SEW = (Provider("TH1", "TH", pcost=8, sup_max=60, ccost=10),
       Provider("TH2", "TH", pcost=9, sup_min=50, sup_max=60, ccost=10),
       Provider("TH3", "TH", pcost=10, sup_min=60, sup_max=100, ccost=10))
INST = Instance((Activity("DELIVER", None), Activity("SEW", "DELIVER", SEW, 1, 2),
                 Activity("YARN", "SEW", (Provider("KR1", "KR", pcost=2),))),
                demand=100.0, customer="RETAIL", customer_nation="EU")


def units(chosen):
    return {n[1]: round(q, 6) for n, q in chosen.items() if q > 1e-6}


@pytest.fixture(scope="module")
def before():
    s = compose(INST, time_limit=10)
    # TH2 takes at least 50, so TH1 takes the other 50: 8*50 + 9*50 + 20 + 2*100
    assert units(s.chosen) == {"TH1": 50, "TH2": 50, "KR1": 100}
    assert s.objective == pytest.approx(1070)
    return s


def test_the_other_providers_are_kept_when_that_stays_feasible(before):
    rc = recompose(INST, before.chosen, ("SEW", "TH2"), time_limit=10)
    # TH1 kept; TH3 (at least 60) joins: 8*40 + 10*60 + 20 + 200
    assert rc.step == "all kept" and rc.kept
    assert units(rc.solution.chosen) == {"TH1": 40, "TH3": 60, "KR1": 100}
    assert rc.solution.objective == pytest.approx(1140)
    assert [(c.provider, c.units) for c in rc.place] == [("TH3", pytest.approx(60))]
    assert sorted((c.provider, round(c.units, 6)) for c in rc.cancel) == [("TH1", 10), ("TH2", 50)]


def test_the_disrupted_activity_is_sourced_afresh_when_keeping_its_partner_cannot_work(before):
    # without TH1, TH2 (50-60) needs TH3 (60-100): at least 110 > 100; TH2 alone
    # is too small; so TH2 goes too and TH3 sews everything
    rc = recompose(INST, before.chosen, ("SEW", "TH1"), time_limit=10)
    assert rc.step == "other activities kept" and not rc.kept
    assert units(rc.solution.chosen) == {"TH3": 100, "KR1": 100}
    assert rc.solution.objective == pytest.approx(1210)
    assert [(c.provider, c.units) for c in rc.place] == [("TH3", pytest.approx(100))]


def test_a_provider_that_supplies_nothing_cannot_be_disrupted(before):
    with pytest.raises(InvalidRequest):
        recompose(INST, before.chosen, ("SEW", "TH3"), time_limit=10)
