"""The model of 000 VI against exhaustive enumeration, and each of its parts
changing the chosen network as it should (hand-computed expectations)."""
from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from smart_gateway.composition import highs, scip
from smart_gateway.composition.compose import compose
from smart_gateway.composition.formulation import PAPER, Options, build
from smart_gateway.composition.generator import random_instance
from smart_gateway.composition.instance import Activity, Instance, Lane, Provider

# ------------------------------------------------------------ enumeration


def enumerate_optimum(inst: Instance) -> float | None:
    """Every choice of providers allowed by (1) and every set of used transfers
    between chosen providers; the flows for each by an LP (HiGHS).  Transfers
    touching an unchosen provider carry nothing ((3) and (5)), and with ICOST
    >= 0 leaving their z at 0 is never worse, so they are not enumerated.

    It enumerates the plain formulation's own integer choices, so it checks the
    branch and bound and the reductions of Options, not the rows themselves:
    those are held to the hand-worked networks further down."""
    f = build(inst, PAPER)
    choices = []
    for a in inst.non_root:
        nodes = [(a.code, p.code) for p in a.providers]
        choices.append([set(c) for k in range(a.nsp_min, a.nsp_max + 1)
                        for c in itertools.combinations(nodes, k)])
    best = None
    for picked in itertools.product(*choices):
        chosen = set().union(*picked) | {(inst.root.code, inst.customer)}
        links = [key for key in f.z if key[0] in chosen and key[1] in chosen]
        for used in itertools.product((0, 1), repeat=len(links)):
            fixed = {f.x[n]: float(n in chosen) for n in f.x}
            fixed.update({zi: 0.0 for zi in f.z.values()})
            fixed.update({f.z[k]: float(u) for k, u in zip(links, used)})
            sub = replace(f, vars=[replace(v, lb=fixed[i], ub=fixed[i]) if i in fixed else v
                                   for i, v in enumerate(f.vars)])
            s = highs.solve(sub, time_limit=10, relax=True)
            if s.objective is not None and (best is None or s.objective < best - 1e-7):
                best = s.objective
    return best


@pytest.mark.parametrize("seed", [3, 5, 11, 17, 23])
def test_scip_optimum_equals_exhaustive_enumeration(seed):
    # given a tiny random instance (4 activities, 2 bids each, every kind of cost)
    inst = random_instance(4, 2, seed=seed, demand=100.0)
    # when SCIP solves the reduced model and enumeration runs on the plain one
    expected = enumerate_optimum(inst)
    got = scip.solve(build(inst, Options()), time_limit=30)
    plain = scip.solve(build(inst, PAPER), time_limit=30)
    # then all three agree (and the reductions of Options changed nothing)
    assert expected is not None
    assert got.status == "Optimal" and plain.status == "Optimal"
    assert got.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert plain.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_enumeration_is_not_trivially_equal_to_a_wrong_model():
    # The enumeration must see a difference the solver is asked to make: with a
    # lane made dearer on the chosen transfer, both the optimum and enumeration move.
    inst = random_instance(4, 2, seed=3, demand=100.0)
    before = enumerate_optimum(inst)
    solved = scip.solve(build(inst), time_limit=30)
    src, dst = solved.flows[0].source, solved.flows[0].target
    lane = inst.lane(src, dst)
    dearer = replace(inst, lanes={**inst.lanes, (src, dst): Lane(lane.tcost + 50, lane.icost)})
    after = enumerate_optimum(dearer)
    assert after > before
    assert scip.solve(build(dearer), time_limit=30).objective == pytest.approx(after, rel=1e-6)


# ------------------------------------------------------------ hand-sized networks
#
# YARN (leaf) -> SEW -> DELIVER (root, customer in EU); demand 100.


def network(yarn: list[Provider], sew: list[Provider], *, sew_nsp=(1, 1), yarn_nsp=(1, 1),
            **kw) -> Instance:
    return Instance((Activity("DELIVER", None),
                     Activity("SEW", "DELIVER", tuple(sew), *sew_nsp),
                     Activity("YARN", "SEW", tuple(yarn), *yarn_nsp)),
                    demand=100.0, customer="RETAIL", customer_nation="EU", **kw)


YARN = [Provider("KR1", "KR", pcost=2.0)]
SEW_BIG = Provider("TH1", "TH", pcost=10.0, sup_max=100, ccost=100)
SEW_SMALL = Provider("TH2", "TH", pcost=8.0, sup_max=60, ccost=100)


def picked(solution, activity: str) -> dict[str, float]:
    return {n[1]: round(q, 6) for n, q in solution.chosen.items() if n[0] == activity}


def test_single_sourcing_takes_the_one_provider_that_covers_demand():
    # single sourcing: TH2 is cheaper but covers only 60 of 100 -> TH1 alone
    s = compose(network(YARN, [SEW_BIG, SEW_SMALL]), time_limit=10)
    assert picked(s, "SEW") == {"TH1": 100}
    assert s.objective == pytest.approx(100 + 10 * 100 + 2 * 100)


def test_multi_sourcing_splits_to_use_the_cheaper_provider_to_its_limit():
    # multi sourcing (up to 2): TH2 takes its 60 at 8, TH1 the other 40 at 10
    s = compose(network(YARN, [SEW_BIG, SEW_SMALL], sew_nsp=(1, 2)), time_limit=10)
    assert picked(s, "SEW") == {"TH2": 60, "TH1": 40}
    assert s.objective == pytest.approx(200 + 8 * 60 + 10 * 40 + 2 * 100)


def test_coordination_cost_can_make_multi_sourcing_not_worth_it():
    # a CCOST of 500 on TH2 outweighs its saving of 2 x 60 = 120: TH1 alone
    small = replace(SEW_SMALL, ccost=500)
    s = compose(network(YARN, [SEW_BIG, small], sew_nsp=(1, 2)), time_limit=10)
    assert picked(s, "SEW") == {"TH1": 100}


def test_supply_range_minimum_forces_a_larger_share():
    # TH1 bids at least 70: with both chosen (NSP = 2) TH2 gets only 30
    big = replace(SEW_BIG, sup_min=70)
    s = compose(network(YARN, [big, SEW_SMALL], sew_nsp=(2, 2)), time_limit=10)
    assert picked(s, "SEW") == {"TH1": 70, "TH2": 30}


def test_supply_range_maximum_excludes_a_provider_under_single_sourcing():
    # the cheaper yarn (CN) can spin only 90: single sourcing falls back on KR1
    yarn = [Provider("CN1", "CN", pcost=1.0, sup_max=90), Provider("KR1", "KR", pcost=2.0)]
    s = compose(network(yarn, [SEW_BIG]), time_limit=10)
    assert picked(s, "YARN") == {"KR1": 100}
    wider = [replace(yarn[0], sup_max=100), yarn[1]]
    assert picked(compose(network(wider, [SEW_BIG]), time_limit=10), "YARN") == {"CN1": 100}


def test_quota_moves_the_origin_of_the_product():
    # sewing in CN is cheaper, but the CN quota to the customer is 30 units
    sew = [Provider("CN9", "CN", pcost=5.0, ccost=10), Provider("TH1", "TH", pcost=7.0, ccost=10)]
    free = compose(network(YARN, sew, sew_nsp=(1, 2)), time_limit=10)
    assert picked(free, "SEW") == {"CN9": 100}
    quota = compose(network(YARN, sew, sew_nsp=(1, 2), quota={"CN": 30}), time_limit=10)
    assert picked(quota, "SEW") == {"CN9": 30, "TH1": 70}
    assert quota.objective == pytest.approx(20 + 5 * 30 + 7 * 70 + 2 * 100)


def test_drawback_changes_the_yarn_supplier_and_is_reported_as_a_term():
    # KR yarn costs 0.5 more than CN yarn; a drawback of 1 per unit imported from
    # KR into TH's sewing and exported to the EU makes KR the cheaper one
    yarn = [Provider("CN1", "CN", pcost=1.5), Provider("KR1", "KR", pcost=2.0)]
    without = compose(network(yarn, [SEW_BIG]), time_limit=10)
    assert picked(without, "YARN") == {"CN1": 100}
    with_dd = compose(network(yarn, [SEW_BIG], dutyd={("KR", "EU"): 1.0}), time_limit=10)
    assert picked(with_dd, "YARN") == {"KR1": 100}
    assert with_dd.terms["drawback"] == pytest.approx(100.0)
    assert with_dd.objective == pytest.approx(100 + 10 * 100 + 2 * 100 - 100)


def test_interfacing_and_transport_costs_are_reported_per_term():
    yarn = [Provider("KR1", "KR", pcost=2.0, ccost=50)]
    lanes = {(("YARN", "KR1"), ("SEW", "TH1")): Lane(tcost=0.5, icost=300)}
    s = compose(network(yarn, [SEW_BIG], lanes=lanes,
                        nation_lanes={("TH", "EU"): Lane(tcost=1.0)}), time_limit=10)
    assert s.terms == pytest.approx({"coordination": 150, "production": 1200,
                                     "transport": 150, "interfacing": 300, "drawback": 0})
    assert {(f.source, f.target): f.quantity for f in s.flows} == {
        (("YARN", "KR1"), ("SEW", "TH1")): pytest.approx(100),
        (("SEW", "TH1"), ("DELIVER", "RETAIL")): pytest.approx(100)}


def test_each_input_reaches_each_sewing_provider_in_full():
    # two inputs into SEW, two sewing providers sharing the demand: each provider
    # receives from each input exactly what it sews (5), never two of one input
    zip_ = Activity("ZIP", "SEW", (Provider("CN2", "CN", pcost=0.3),))
    inst = network(YARN, [SEW_BIG, SEW_SMALL], sew_nsp=(2, 2))
    inst = replace(inst, activities=inst.activities + (zip_,))
    s = compose(inst, time_limit=10)
    for m, out in picked(s, "SEW").items():
        for i in ("YARN", "ZIP"):
            got = sum(f.quantity for f in s.flows if f.target == ("SEW", m) and f.source[0] == i)
            assert got == pytest.approx(out)


def test_cover_row_asks_for_the_fewest_providers_that_reach_demand():
    # three sewing bids of 40 each at most for a demand of 100: any solution
    # picks all three, so the cover row asks for 3 and the LP relaxation, which
    # without it would pay 100/40 = 2.5 providers' CCOST, pays all three
    sew = [Provider(f"TH{k}", "TH", pcost=8.0, sup_max=40, ccost=300) for k in (1, 2, 3)]
    inst = network(YARN, sew, sew_nsp=(1, 3))
    tight = build(inst, Options())
    loose = build(inst, replace(Options(), covers=False))
    covers = [r for r in tight.rows if "cover" in r.name]
    assert [(r.name, r.lb, len(r.terms)) for r in covers] == [("(3)+(4) cover[SEW]", 3.0, 3)]
    assert not any("cover" in r.name for r in loose.rows)
    relaxed_tight = highs.solve(tight, time_limit=10, relax=True).bound
    relaxed_loose = highs.solve(loose, time_limit=10, relax=True).bound
    assert relaxed_loose == pytest.approx(2.5 * 300 + 8 * 100 + 2 * 100)
    assert relaxed_tight == pytest.approx(3 * 300 + 8 * 100 + 2 * 100)
    # (the bound: the LP value; a relaxed Solution's objective re-prices rounded choices)
    # the optimum is the same with or without it
    assert scip.solve(tight, time_limit=10).objective == pytest.approx(relaxed_tight)
    assert scip.solve(loose, time_limit=10).objective == pytest.approx(relaxed_tight)


def test_no_cover_row_where_one_provider_reaches_demand_or_the_minimum_already_asks():
    wide = [Provider("TH1", "TH", pcost=8.0, sup_max=100), Provider("TH2", "TH", pcost=8.0,
                                                                    sup_max=40)]
    assert not [r for r in build(network(YARN, wide, sew_nsp=(1, 2))).rows if "cover" in r.name]
    narrow = [replace(p, sup_max=60) for p in wide]
    assert not [r for r in build(network(YARN, narrow, sew_nsp=(2, 2))).rows
                if "cover" in r.name]
    assert [r.lb for r in build(network(YARN, narrow, sew_nsp=(1, 2))).rows
            if "cover" in r.name] == [2.0]
