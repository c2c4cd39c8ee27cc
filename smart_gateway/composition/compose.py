"""Compose: validate, pre-check, build the model, solve it with SCIP.

When the solver proves infeasibility that the pre-checks did not foresee, the
families of constraints are dropped one at a time (on the same model) until
it becomes feasible: the family whose removal restores feasibility is the one
the fault names.
"""
from __future__ import annotations

from dataclasses import replace

from ..domain.errors import Infeasible
from . import feasibility, scip
from .formulation import Formulation, Options, build
from .instance import Instance, validate
from .solution import Solution

_DIAGNOSIS = (("(8)", "quota"), ("(1)", "sourcing"), ("(5)", "flow"), ("(3)", "supply"))


def compose(inst: Instance, *, time_limit: float, options: Options = Options(),
            progress: scip.Progress | None = None, cancelled=None,
            progress_every: float = 0.5, explain: bool = True) -> Solution:
    """``explain=False``: an infeasible model is refused without finding the family
    to blame (up to four more solves), for a caller that will try another model."""
    validate(inst)
    feasibility.check(inst)
    f = build(inst, options)
    solution = scip.solve(f, time_limit=time_limit, progress=progress, cancelled=cancelled,
                          every=progress_every)
    if solution.status == "Infeasible":
        if not explain:
            raise Infeasible("the composition is infeasible")
        raise diagnose(f, time_limit=min(time_limit, 10.0))
    return solution


def diagnose(f: Formulation, *, time_limit: float) -> Infeasible:
    for prefix, family in _DIAGNOSIS:
        relaxed = replace(f, rows=[r for r in f.rows if not r.name.startswith(prefix)])
        if len(relaxed.rows) == len(f.rows):
            continue
        if scip.solve(relaxed, time_limit=time_limit).status != "Infeasible":
            name = feasibility.FAMILIES[family]
            return Infeasible(f"the composition is infeasible: constraints {name} cannot hold "
                              f"together with the others (dropping them alone makes it feasible)",
                              [name])
    return Infeasible("the composition is infeasible: no single family of constraints "
                      "explains it; several conflict")
