"""The activity tree derived from a product's bill of materials."""
from __future__ import annotations

import pytest

from smart_gateway.composition.bom import ROOT, Component, tree_from_bom
from smart_gateway.composition.instance import Activity, Instance, Provider, validate
from smart_gateway.domain.errors import InvalidRequest

BID = (Provider("P1", "TH", pcost=1.0),)


def acts(*items: str) -> list[Activity]:
    return [Activity(f"A-{i}", None, BID, item=i) for i in items]


def test_successors_follow_parents_and_quantities_multiply_down():
    tree = tree_from_bom("JACKET", [Component("FABRIC", "JACKET", 2.5),
                                    Component("YARN", "FABRIC", 0.4),
                                    Component("ZIPPER", "JACKET", 1)],
                         acts("JACKET", "FABRIC", "YARN", "ZIPPER"))
    by = {a.code: a for a in tree}
    assert by[ROOT].successor is None
    assert by["A-JACKET"].successor == ROOT
    assert by["A-FABRIC"].successor == "A-JACKET" and by["A-FABRIC"].units_per_product == 2.5
    assert by["A-YARN"].successor == "A-FABRIC"
    assert by["A-YARN"].units_per_product == pytest.approx(1.0)  # 2.5 m x 0.4 kg
    inst = Instance(tuple(tree), 10.0, "C", "EU")
    validate(inst)
    assert set(inst.predecessors("A-JACKET")) == {"A-FABRIC", "A-ZIPPER"}


def test_an_item_outside_the_bill_of_materials_is_refused():
    with pytest.raises(InvalidRequest) as caught:
        tree_from_bom("JACKET", [Component("FABRIC", "JACKET")], acts("JACKET", "FABRIC", "GLUE"))
    assert any("GLUE" in p for p in caught.value.problems)


def test_a_component_with_two_parents_is_not_a_tree():
    with pytest.raises(InvalidRequest) as caught:
        tree_from_bom("JACKET", [Component("FABRIC", "JACKET"), Component("FABRIC", "LINING"),
                                 Component("LINING", "JACKET")],
                      acts("JACKET", "FABRIC", "LINING"))
    assert any("two parents" in p for p in caught.value.problems)


def test_no_activity_for_the_product_is_refused():
    with pytest.raises(InvalidRequest) as caught:
        tree_from_bom("JACKET", [Component("FABRIC", "JACKET")], acts("FABRIC"))
    assert any("produces the product" in p for p in caught.value.problems)
