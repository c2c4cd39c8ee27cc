"""Multi-level bill of materials and routing explosion across companies (BEA, REA).

A company's BOM says, for a parent item, which components go into one unit
and, for a bought component, which supplier it comes from.  Exploding a final
product follows made components inside the company and bought ones into the
supplier's own BOM for that item, tier after tier.  A cycle (an item that
ends up inside itself, in any company) is refused, naming the loop.

Standard library only: the caller passes lookups over its tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable


@dataclass(frozen=True)
class BomLine:
    company: str
    parent: str
    component: str
    quantity_per: Decimal
    unit: str
    supplier: str | None = None   # None: made in-house


@dataclass(frozen=True)
class RoutingStep:
    company: str
    item: str
    sequence: int
    work_centre: str
    days: Decimal


@dataclass(frozen=True)
class Node:
    level: int
    company: str          # who provides the item at this level
    item: str
    quantity: Decimal     # for the whole exploded quantity
    unit: str
    via: str | None       # the buying company, for a bought component
    path: tuple[tuple[str, str], ...]   # (company, item) from the top


class CycleError(ValueError):
    def __init__(self, loop: list[tuple[str, str]]) -> None:
        self.loop = loop
        text = " -> ".join(f"{c}:{i}" for c, i in loop)
        super().__init__(f"the bill of materials contains a cycle: {text}; an item cannot "
                         f"contain itself, directly or through suppliers")


BomLookup = Callable[[str, str], list[BomLine]]   # (company, parent) -> its lines


class TooLarge(ValueError):
    """An explosion beyond the limits: a request must not run away with the server."""


MAX_LEVELS = 50
MAX_NODES = 20_000


def explode(company: str, item: str, quantity: Decimal, unit: str, bom: BomLookup,
            *, max_levels: int = MAX_LEVELS, max_nodes: int = MAX_NODES) -> list[Node]:
    """Depth-first, level by level: every component with its gross quantity."""
    out: list[Node] = []

    def walk(comp: str, it: str, qty: Decimal, un: str, via: str | None, level: int,
             path: tuple[tuple[str, str], ...]) -> None:
        key = (comp, it)
        if key in path:
            start = path.index(key)
            raise CycleError([*path[start:], key])
        if level > max_levels:
            raise TooLarge(f"the bill of materials is deeper than {max_levels} levels")
        if len(out) >= max_nodes:
            raise TooLarge(f"the explosion of {company}:{item} has more than {max_nodes} "
                           f"nodes; explode a subassembly instead")
        path = (*path, key)
        out.append(Node(level, comp, it, qty, un, via, path))
        for line in bom(comp, it):
            provider = line.supplier or comp
            walk(provider, line.component, qty * line.quantity_per, line.unit,
                 comp if line.supplier else None, level + 1, path)

    walk(company, item, quantity, unit, None, 0, ())
    return out


def check_acyclic(company: str, item: str, bom: BomLookup) -> None:
    explode(company, item, Decimal(1), "EA", bom)
