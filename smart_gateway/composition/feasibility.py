"""Cheap pre-checks: a request that cannot be composed is refused before any
solve, with the family of constraints that cannot hold and the activity.

Each check is a necessary condition of one family of 000 VI.D:

    (1) sourcing   an activity needs at least NSP_i providers but has fewer bids
    (3)-(4) supply DEMAND is more than the NSPbar_i largest SUPbar_il together,
                   or less than the NSP_i smallest SUP_il together
    (8) quota      the root's inputs must ship |IN_N| x DEMAND, but the quotas
                   and the supply ranges of each nation group allow less

Passing them does not prove feasibility ((5) and the interplay of families
are left to the solver); when the solver then finds none, ``diagnose`` names
the family by dropping one family at a time.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import Infeasible
from .formulation import fewest_providers
from .instance import Instance

FAMILIES = {
    "sourcing": "(1) sourcing",
    "supply": "(3)-(4) supply and demand",
    "flow": "(5) flow",
    "quota": "(8) import quota",
}


@dataclass(frozen=True)
class Problem:
    family: str               # a key of FAMILIES
    activity: str | None
    text: str

    def __str__(self) -> str:
        where = f" at activity {self.activity}" if self.activity else ""
        return f"{FAMILIES[self.family]}{where}: {self.text}"


def problems(inst: Instance) -> list[Problem]:
    found: list[Problem] = []
    for a in inst.non_root:
        n = len(a.providers)
        if n == 0:
            found.append(Problem("sourcing", a.code, "no provider bids for it"))
            continue
        if a.nsp_min > n:
            found.append(Problem("sourcing", a.code, f"at least {a.nsp_min} providers are "
                                 f"required but only {n} bid"))
            continue
        needed = fewest_providers(inst, a)
        if needed is None or needed > a.nsp_max:
            most = sum(sorted((inst.sup_max(p) for p in a.providers), reverse=True)[:a.nsp_max])
            found.append(Problem("supply", a.code, f"its providers can supply at most {most:g} "
                                 f"(with at most {a.nsp_max} chosen) of the {inst.demand:g} "
                                 f"demanded"))
        least = sum(sorted(p.sup_min for p in a.providers)[:a.nsp_min])
        if least > inst.demand:
            found.append(Problem("supply", a.code, f"the {a.nsp_min} providers it needs "
                                 f"supply at least {least:g}, more than the {inst.demand:g} "
                                 f"demanded"))
    found.extend(_quota(inst))
    return found


def _quota(inst: Instance) -> list[Problem]:
    root = inst.root.code
    inputs = inst.predecessors(root)
    if not inst.quota or not inputs:
        return []
    capacity: dict[str, float] = {}
    for i in inputs:
        for p in inst.activity(i).providers:
            capacity[p.nation] = capacity.get(p.nation, 0.0) + inst.sup_max(p)
    allowed = sum(min(cap, inst.quota.get(n, cap)) for n, cap in capacity.items())
    needed = len(inputs) * inst.demand
    if allowed < needed:
        limits = ", ".join(f"{n} {inst.quota[n]:g}" for n in sorted(inst.quota)
                           if n in capacity)
        return [Problem("quota", ", ".join(inputs),
                        f"the quotas ({limits or 'none on these nation groups'}) and supply "
                        f"ranges let at most {allowed:g} units reach customer "
                        f"{inst.customer}; {needed:g} are needed")]
    return []


def check(inst: Instance) -> None:
    """Raise Infeasible naming the first family that cannot hold (every problem listed)."""
    found = problems(inst)
    if found:
        raise Infeasible(f"the composition cannot be feasible: {found[0]}",
                         [str(p) for p in found])
