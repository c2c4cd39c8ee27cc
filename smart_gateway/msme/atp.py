"""Available-to-promise (DSA of 004 section 2.3), as a pure calculation.

The date a company can have ``quantity`` of an item, counted from ``start``:

1. what it holds in stock (the ISA report), less what this same estimate has
   already promised elsewhere in the tree, is ready at ``start``;
2. then work in progress on the item (the MSA reports), by expected
   completion date, earliest first (again less what the estimate already used);
3. the rest is made: each component of the BOM is needed gross (rest x
   quantity per); a made component is estimated in the same company, a
   bought one at its supplier (recursively) plus the agreed lead time of the
   buyer's agreement with that supplier; the rest is ready when the latest
   component is there, plus the routing's days.

The agreed lead time is counted from the day the supplier has the goods: a
supplier short of stock first makes them.  The date is the latest of the three
sources used; the path that decides it is the chain of latest dates.
Standard library only: the caller passes the company's data through ``Network``.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from .explosion import MAX_NODES, BomLine, CycleError, TooLarge


class Network(Protocol):
    def on_hand(self, company: str, item: str) -> Decimal: ...
    def work_in_progress(self, company: str, item: str) -> list[tuple[dt.date, Decimal]]: ...
    def bom(self, company: str, item: str) -> list[BomLine]: ...
    def routing_days(self, company: str, item: str) -> Decimal: ...
    def lead_time(self, buyer: str, supplier: str) -> int | None: ...


@dataclass(frozen=True)
class Step:
    """How one company gets its quantity of one item, and the date it is ready there."""
    company: str
    item: str
    quantity: Decimal
    ready: dt.date
    from_stock: Decimal
    from_wip: Decimal
    made: Decimal
    routing_days: int = 0
    lead_time_days: int = 0        # to the buyer above it (0 at the top)
    decisive: tuple["Step", ...] = field(default=())   # the component step that set the date
    source: str = "stock"          # stock, work-in-progress, make

    def decisive_path(self) -> list["Step"]:
        out, step = [self], self
        while step.decisive:
            step = step.decisive[0]
            out.append(step)
        return out


class NotAvailable(ValueError):
    """Nothing in the network can provide the quantity; the message says what is missing."""


def estimate(net: Network, company: str, item: str, quantity: Decimal, start: dt.date) -> Step:
    promised: dict[tuple[str, str], Decimal] = {}
    promised_wip: dict[tuple[str, str], Decimal] = {}
    visits = [0]

    def ready(comp: str, it: str, qty: Decimal, path: tuple[tuple[str, str], ...]) -> Step:
        key = (comp, it)
        if key in path:
            raise CycleError([*path[path.index(key):], key])
        visits[0] += 1
        if visits[0] > MAX_NODES:
            raise TooLarge(f"the estimate for {company}:{item} visits more than {MAX_NODES} "
                           f"parts; estimate a subassembly instead")
        path = (*path, key)
        free = max(Decimal(0), net.on_hand(comp, it) - promised.get(key, Decimal(0)))
        stock = min(free, qty)
        promised[key] = promised.get(key, Decimal(0)) + stock
        rest = qty - stock
        if rest <= 0:
            return Step(comp, it, qty, start, stock, Decimal(0), Decimal(0))
        date, wip_used, source = start, Decimal(0), "stock"
        taken = promised_wip.get(key, Decimal(0))   # by earlier branches of this estimate
        for when, wip_qty in sorted(net.work_in_progress(comp, it)):
            skip = min(taken, wip_qty)
            taken -= skip
            if rest <= 0 or wip_qty - skip <= 0:
                continue
            use = min(wip_qty - skip, rest)
            wip_used += use
            rest -= use
            date, source = max(date, when), "work-in-progress"
        promised_wip[key] = promised_wip.get(key, Decimal(0)) + wip_used
        if rest <= 0:
            return Step(comp, it, qty, date, stock, wip_used, Decimal(0), source=source)
        lines = net.bom(comp, it)
        if not lines:
            raise NotAvailable(
                f"{comp} cannot provide {qty} {it}: {stock} in stock, {wip_used} in work in "
                f"progress, and no bill of materials to make the other {rest}")
        comps: list[Step] = []
        for line in lines:
            need = rest * line.quantity_per
            if line.supplier:
                lead = net.lead_time(comp, line.supplier)
                if lead is None:
                    raise NotAvailable(f"{comp} buys {line.component} from {line.supplier} "
                                       f"but has no agreement (lead time) with it")
                sub = ready(line.supplier, line.component, need, path)
                arrival = sub.ready + dt.timedelta(days=lead)
                comps.append(Step(**{**sub.__dict__, "ready": arrival, "lead_time_days": lead}))
            else:
                comps.append(ready(comp, line.component, need, path))
        latest = max(comps, key=lambda s: s.ready)
        days = math.ceil(net.routing_days(comp, it))
        made_at = latest.ready + dt.timedelta(days=days)
        if made_at >= date:
            return Step(comp, it, qty, made_at, stock, wip_used, rest, days, decisive=(latest,),
                        source="make")
        return Step(comp, it, qty, date, stock, wip_used, rest, days, source=source)

    return ready(company, item, quantity, ())
