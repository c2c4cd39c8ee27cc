"""One test per family of constraints that can make a composition infeasible:
the fault names the family and, where it can be found, the activity."""
from __future__ import annotations

from dataclasses import replace

import pytest

from smart_gateway.composition.compose import compose
from smart_gateway.composition.instance import Activity, Instance, Provider
from smart_gateway.domain.errors import Infeasible, InvalidRequest


def network(sew: tuple[Provider, ...], *, nsp=(1, 1), quota=None) -> Instance:
    return Instance((Activity("DELIVER", None),
                     Activity("SEW", "DELIVER", sew, *nsp),
                     Activity("YARN", "SEW", (Provider("KR1", "KR", pcost=2.0),))),
                    demand=100.0, customer="RETAIL", customer_nation="EU", quota=quota or {})


TH = Provider("TH1", "TH", pcost=10.0, sup_max=60)
CN = Provider("CN1", "CN", pcost=8.0, sup_max=60)


def refused(inst: Instance) -> Infeasible:
    with pytest.raises(Infeasible) as caught:
        compose(inst, time_limit=10)
    return caught.value


def test_sourcing_an_activity_with_no_provider():
    err = refused(network(()))
    assert "(1) sourcing at activity SEW" in err.message and "no provider" in err.message


def test_sourcing_fewer_bids_than_the_minimum_number_of_providers():
    err = refused(network((TH, CN), nsp=(3, 3)))
    assert "(1) sourcing at activity SEW" in err.message and "at least 3" in err.message


def test_supply_demand_above_the_supply_ranges_of_the_providers():
    # two providers of 60 each, but single sourcing: at most 60 of 100
    err = refused(network((TH, CN)))
    assert "(3)-(4) supply and demand at activity SEW" in err.message
    assert "at most 60" in err.message
    # with multi sourcing the same bids cover the demand
    assert compose(network((TH, CN), nsp=(1, 2)), time_limit=10).status == "Optimal"


def test_supply_minimum_supplies_above_demand():
    big = (replace(TH, sup_min=70, sup_max=100), replace(CN, sup_min=40, sup_max=100))
    err = refused(network(big, nsp=(2, 2)))
    assert "(3)-(4) supply and demand at activity SEW" in err.message
    assert "at least 110" in err.message


def test_quota_below_demand():
    wide = (replace(TH, sup_max=100), replace(CN, sup_max=100))
    err = refused(network(wide, nsp=(1, 2), quota={"TH": 30, "CN": 50}))
    assert "(8) import quota at activity SEW" in err.message
    assert "at most 80" in err.message


def test_quota_found_by_the_solver_when_the_pre_check_cannot_see_it():
    # the quotas together allow 100, but single sourcing puts all 100 in one
    # nation group: only the solver sees it; dropping (8) restores feasibility
    wide = (replace(TH, sup_max=100), replace(CN, sup_max=100))
    err = refused(network(wide, quota={"TH": 50, "CN": 50}))
    assert "(8) import quota" in err.message and "cannot hold" in err.message


def test_a_tree_with_two_roots_is_an_invalid_request_not_infeasible():
    inst = network((TH,))
    inst = replace(inst, activities=inst.activities + (Activity("OTHER", None),))
    with pytest.raises(InvalidRequest):
        compose(inst, time_limit=10)
