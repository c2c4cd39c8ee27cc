"""The order parallelizer of 003 section 3.2, as a pure planning function.

A buyer with a small warehouse (capacity T, already holding H, so A = T - H
free) needs RQ units (from EOQ).  Rules, in the paper's words and ours:

- Candidates are filtered by the buyer's limits: distance <= D, price <= P.
- Quality is 1 when the buyer has traded with the supplier before (read from
  the TDIN by the caller), else 0.
- Immediate order: the first part, at least IQ units, comes from the best
  supplier by F(distance, cost, quality) -- nearest first, then cheapest, then
  past partner -- among those that have at least IQ available.
- Every other part comes from the best supplier by F(quality, cost, distance).
- No part exceeds A: the warehouse has A free when a part arrives, because of
- the just-in-time rule: part i+1 is due when part i is used up, i.e.
  arrival(i+1) = arrival(i) + q(i) / daily usage.  A supplier whose lead time
  cannot meet that date is passed over for one that can; when none can, the
  earliest one is taken and the part arrives late (the plan says by how much).
- A supplier delivers at most what it has available (summed over its parts).

Standard library only.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

# A plan's parts become the lines of its orders, and an order carries at most
# 1,000 lines (gateway.xsd); the bound also keeps a tiny free space from making
# millions of parts inside the request's transaction.
MAX_PARTS = 1000


@dataclass(frozen=True)
class Candidate:
    supplier: str
    distance: Decimal
    unit_price: Decimal
    available: Decimal
    lead_time_days: int
    traded_before: bool = False

    @property
    def quality(self) -> int:
        return 1 if self.traded_before else 0


@dataclass(frozen=True)
class Request:
    capacity: Decimal            # T
    held: Decimal                # H
    required: Decimal            # RQ
    start: dt.date               # the order date
    immediate: bool = False
    initial: Decimal | None = None    # IQ, for an immediate order
    daily_usage: Decimal | None = None
    max_distance: Decimal | None = None
    max_price: Decimal | None = None

    @property
    def space(self) -> Decimal:  # A = T - H
        return self.capacity - self.held


@dataclass(frozen=True)
class Part:
    supplier: str
    quantity: Decimal
    due: dt.date          # when the just-in-time rule wants it
    arrival: dt.date      # when the supplier can bring it (order date + lead time at the earliest)
    unit_price: Decimal
    rule: str             # "immediate F(distance, cost, quality)" or "F(quality, cost, distance)"

    @property
    def late_days(self) -> int:
        return max(0, (self.arrival - self.due).days)


@dataclass(frozen=True)
class Plan:
    space: Decimal
    parts: tuple[Part, ...]
    excluded: tuple[tuple[str, str], ...]   # (supplier, why) of the candidates filtered out

    @property
    def total(self) -> Decimal:
        return sum((p.quantity for p in self.parts), Decimal(0))

    def by_supplier(self) -> dict[str, list[Part]]:
        out: dict[str, list[Part]] = {}
        for p in self.parts:
            out.setdefault(p.supplier, []).append(p)
        return out


class PlanError(ValueError):
    """The request cannot be planned; the message says what to change."""


def immediate_order_key(c: Candidate):
    """F(distance, cost, quality): nearest, then cheapest, then a past partner."""
    return (c.distance, c.unit_price, -c.quality, c.supplier)


def later_order_key(c: Candidate):
    """F(quality, cost, distance): a past partner, then cheapest, then nearest."""
    return (-c.quality, c.unit_price, c.distance, c.supplier)


def within_limits(candidates, req: Request) -> tuple[list[Candidate], list[tuple[str, str]]]:
    kept, excluded = [], []
    for c in candidates:
        if req.max_distance is not None and c.distance > req.max_distance:
            excluded.append((c.supplier, f"distance {c.distance} > limit {req.max_distance}"))
        elif req.max_price is not None and c.unit_price > req.max_price:
            excluded.append((c.supplier, f"price {c.unit_price} > limit {req.max_price}"))
        elif c.available <= 0:
            excluded.append((c.supplier, "nothing available"))
        else:
            kept.append(c)
    return kept, excluded


def _days(quantity: Decimal, usage: Decimal) -> int:
    # A part lasts quantity / usage days; the next is due on the day it runs out.
    return math.ceil(quantity / usage)


def plan(req: Request, candidates: list[Candidate]) -> Plan:
    if req.required <= 0:
        raise PlanError("the required quantity must be positive")
    space = req.space
    if space <= 0:
        raise PlanError(f"the warehouse is full: capacity {req.capacity}, held {req.held}, "
                        f"so no space (A = T - H = {space}) for any part")
    kept, excluded = within_limits(candidates, req)
    if not kept:
        raise PlanError("no supplier is within the distance and price limits with anything "
                        "available: " + "; ".join(f"{s}: {why}" for s, why in excluded))
    left = {c.supplier: c.available for c in kept}
    parts: list[Part] = []
    remaining = req.required
    due = req.start

    def take(c: Candidate, due_date: dt.date, rule: str, cap: Decimal) -> Part:
        q = min(remaining, cap, space, left[c.supplier])
        left[c.supplier] -= q
        arrival = max(due_date, req.start + dt.timedelta(days=c.lead_time_days))
        return Part(c.supplier, q, due_date, arrival, c.unit_price, rule)

    if req.immediate:
        iq = req.initial if req.initial is not None else min(space, req.required)
        if iq <= 0:
            raise PlanError("the initial required quantity must be positive")
        if iq > space:
            raise PlanError(f"the initial required quantity {iq} does not fit the free "
                            f"warehouse space {space} (T - H)")
        if iq > req.required:
            raise PlanError(f"the initial required quantity {iq} exceeds the required "
                            f"quantity {req.required}")
        able = sorted((c for c in kept if c.available >= iq), key=immediate_order_key)
        if not able:
            raise PlanError(f"no supplier within the limits has the initial quantity {iq} "
                            f"available for immediate delivery")
        first = take(able[0], req.start, "immediate F(distance, cost, quality)", remaining)
        parts.append(first)
        remaining -= first.quantity
    rule = "F(quality, cost, distance)"
    while remaining > 0:
        if len(parts) >= MAX_PARTS:
            raise PlanError(f"{req.required} in parts of at most {space} (free space) makes more "
                            f"than {MAX_PARTS} parts, the most one order's lines can carry; "
                            f"free more space or order less")
        if parts:
            if req.daily_usage is None or req.daily_usage <= 0:
                raise PlanError(f"{req.required} does not fit in one part of at most {space} "
                                f"(free space) from one supplier; give the daily usage so that "
                                f"the parts can follow each other just in time")
            last = parts[-1]
            try:
                due = max(last.due, last.arrival) + dt.timedelta(
                    days=_days(last.quantity, req.daily_usage))
            except OverflowError:   # a daily usage so small the stock lasts past year 9999
                raise PlanError(f"at a daily usage of {req.daily_usage}, part {len(parts)} "
                                f"({last.quantity}) would last past any date; give the real "
                                f"daily usage") from None
        open_ = [c for c in sorted(kept, key=later_order_key) if left[c.supplier] > 0]
        if not open_:
            raise PlanError(f"the suppliers within the limits have {req.required - remaining} "
                            f"available in all, {remaining} short of {req.required}")
        in_time = [c for c in open_
                   if req.start + dt.timedelta(days=c.lead_time_days) <= due or not parts]
        if parts and not in_time:
            chosen = min(open_, key=lambda c: (c.lead_time_days, later_order_key(c)))
        elif not parts:
            chosen = open_[0]
            due = req.start + dt.timedelta(days=chosen.lead_time_days)
        else:
            chosen = in_time[0]
        part = take(chosen, due, rule, remaining)
        parts.append(part)
        remaining -= part.quantity
    return Plan(space=space, parts=tuple(parts), excluded=tuple(excluded))
