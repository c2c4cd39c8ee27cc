"""The activity tree from a product's bill of materials (000 VI: "one can obtain
the above network from the bill of materials").

Each activity names the item it produces; a component line says which parent
item it goes into.  The activity producing the product is the final one: its
successor is the root, the delivery to the customer, added here.  Quantities
per parent multiply down the tree into ``units_per_product`` (the model counts
every activity in units of the product; the orders count items).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..domain.errors import InvalidRequest
from .instance import Activity

ROOT = "DELIVER"


@dataclass(frozen=True)
class Component:
    item: str
    parent: str
    quantity_per: float = 1.0


def tree_from_bom(product: str | None, components: list[Component],
                  activities: list[Activity]) -> list[Activity]:
    if product is None:
        raise InvalidRequest("a bill of materials needs the product it explodes")
    problems: list[str] = []
    by_item: dict[str, Activity] = {}
    for a in activities:
        if a.successor is not None:
            problems.append(f"activity {a.code}: with a bill of materials, leave successor out")
        if a.item is None:
            problems.append(f"activity {a.code}: with a bill of materials, name its item")
        elif a.item in by_item:
            problems.append(f"item {a.item} is produced by two activities")
        else:
            by_item[a.item] = a
    parent_of: dict[str, Component] = {}
    for c in components:
        if c.item in parent_of:
            problems.append(f"component {c.item} has two parents; the network is a tree")
        parent_of[c.item] = c
    if product not in by_item:
        problems.append(f"no activity produces the product {product}")
    for item in by_item:
        if item != product and item not in parent_of:
            problems.append(f"item {item} is not in the bill of materials of {product}")
    for c in components:
        if c.parent != product and c.parent not in parent_of:
            problems.append(f"component {c.item}: parent {c.parent} is neither the product "
                            f"nor a component")
        if c.item not in by_item:
            problems.append(f"component {c.item}: no activity produces it (list its bids)")
    if problems:
        raise InvalidRequest(f"the bill of materials of {product} does not give a tree", problems)
    tree = [Activity(ROOT, None, description=f"delivery of {product} to the customer")]
    for item, a in by_item.items():
        if item == product:
            tree.append(replace(a, successor=ROOT))
            continue
        per, cur, seen = 1.0, item, set()
        while cur != product:
            if cur in seen:
                raise InvalidRequest(f"the bill of materials of {product} has a cycle at {cur}")
            seen.add(cur)
            per *= parent_of[cur].quantity_per
            cur = parent_of[cur].parent
        tree.append(replace(a, successor=by_item[parent_of[item].parent].code,
                            units_per_product=per))
    return tree
