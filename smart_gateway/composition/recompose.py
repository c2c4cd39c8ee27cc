"""Recomposition when a chosen provider is disrupted (000 section VIII, point 3:
"shift to another alternative with least cost and without disrupting the
already established network").

The disrupted provider's bid is withdrawn and the model solved again, in
up to three steps, the first that is feasible being kept:

    1. every other provider chosen before stays chosen (x fixed to 1);
    2. those of the other activities stay chosen; the disrupted activity is
       sourced afresh;
    3. nothing is fixed: the least-cost network without the provider.

Kept providers stay chosen, but flows may move between them: the order
changes are the differences per provider, as orders to place (new providers,
or more units) and orders to cancel (a provider dropped, or fewer units).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..domain.errors import Infeasible, InvalidRequest
from . import compose
from .formulation import Options
from .instance import Instance, Node
from .solution import EPS, Solution

STEPS = ("all kept", "other activities kept", "none kept")


@dataclass(frozen=True)
class Change:
    activity: str
    provider: str
    units: float             # in units of the product, > 0


@dataclass
class Recomposition:
    instance: Instance       # without the disrupted provider's bid
    solution: Solution
    step: str                # one of STEPS
    kept: bool               # every other provider chosen before is still chosen
    place: list[Change]
    cancel: list[Change]


def without(inst: Instance, disrupted: Node) -> Instance:
    activity, provider = disrupted
    try:
        a = inst.activity(activity)
    except KeyError:
        raise InvalidRequest(f"activity {activity} is not in the composition") from None
    if all(p.code != provider for p in a.providers):
        raise InvalidRequest(f"provider {provider} did not bid for activity {activity}")
    bids = tuple(p for p in a.providers if p.code != provider)
    acts = tuple(replace(x, providers=bids) if x.code == activity else x
                 for x in inst.activities)
    lanes = {k: v for k, v in inst.lanes.items() if disrupted not in k}
    return replace(inst, activities=acts, lanes=lanes)


def recompose(inst: Instance, before: dict[Node, float], disrupted: Node, *,
              time_limit: float) -> Recomposition:
    if before.get(disrupted, 0.0) <= EPS:
        raise InvalidRequest(f"provider {disrupted[1]} supplies nothing for activity "
                             f"{disrupted[0]} in this composition: nothing to recompose")
    reduced = without(inst, disrupted)
    others = {n for n, q in before.items() if n != disrupted and q > EPS}
    attempts = [
        (STEPS[0], {n: 1 for n in others}),
        (STEPS[1], {n: 1 for n in others if n[0] != disrupted[0]}),
        (STEPS[2], {}),
    ]
    last_error: Infeasible | None = None
    for step, fixed in attempts:
        try:
            # Only the last attempt's infeasibility reaches the caller: only it is explained.
            solution = compose.compose(reduced, time_limit=time_limit,
                                       options=Options(fix_x=fixed),
                                       explain=step == attempts[-1][0])
        except Infeasible as error:
            last_error = error
            continue
        if not solution.has_solution:
            continue
        after = {n: q for n, q in solution.chosen.items() if q > EPS}
        place, cancel = _changes(before, after)
        return Recomposition(reduced, solution, step, others <= set(after), place, cancel)
    raise last_error or Infeasible(f"without provider {disrupted[1]} no network was found "
                                   f"within {time_limit:g} s")


def _changes(before: dict[Node, float], after: dict[Node, float]) -> tuple[list[Change], list[Change]]:
    place, cancel = [], []
    for node in sorted(set(before) | set(after)):
        delta = after.get(node, 0.0) - before.get(node, 0.0)
        if delta > EPS:
            place.append(Change(node[0], node[1], delta))
        elif delta < -EPS:
            cancel.append(Change(node[0], node[1], -delta))
    return place, cancel
