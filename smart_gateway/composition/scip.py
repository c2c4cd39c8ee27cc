"""Solve a formulation with SCIP through pyscipopt, reporting progress as it goes.

``progress(incumbent, bound, gap)`` is called on every new best solution and,
at most every ``every`` seconds, as nodes are solved; ``cancelled()`` is
polled at the same moments and stops the solve when it answers True.  The
solve itself runs with the GIL released (``optimizeNogil``), so a long solve
in a background thread leaves the gateway's request threads free.
"""
from __future__ import annotations

import time
from typing import Callable

from pyscipopt import SCIP_EVENTTYPE, Model, quicksum

from .formulation import INF, Formulation
from .solution import Solution, extract, relative_gap

# Models with fewer variables than this are solved without root restarts;
# larger ones with at most MAX_RESTARTS.
RESTART_VARS = 2000
MAX_RESTARTS = 2
# RENS before every other heuristic that runs after the root's cutting loop.
RENS_PRIORITY = 2_000_000

Progress = Callable[[float | None, float | None, float | None], None]

_STATUS = {"optimal": "Optimal", "timelimit": "TimeLimit", "infeasible": "Infeasible",
           "userinterrupt": "Interrupted", "gaplimit": "Optimal", "nodelimit": "NodeLimit"}


def to_scip(f: Formulation) -> tuple[Model, list]:
    model = Model("composition")
    model.hideOutput()
    xs = []
    for v in f.vars:
        xs.append(model.addVar(v.name, vtype="B" if v.binary else "C",
                               lb=v.lb, ub=None if v.ub == INF else v.ub, obj=v.obj))
    for r in f.rows:
        expr = quicksum(c * xs[i] for i, c in r.terms)
        if r.lb == r.ub:
            model.addCons(expr == r.lb, name=r.name)
        else:
            if r.lb != -INF:
                model.addCons(expr >= r.lb, name=r.name)
            if r.ub != INF:
                model.addCons(expr <= r.ub, name=r.name)
    model.setMinimize()
    return model, xs


def solve(f: Formulation, *, time_limit: float, gap: float = 1e-4, threads: int = 1,
          progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
          every: float = 0.5, probing: bool = False, root_rounds: int | None = 5,
          restarts: bool | None = None, max_restarts: int | None = MAX_RESTARTS,
          rens_first: bool = True) -> Solution:
    model, xs = to_scip(f)
    model.setParam("limits/time", max(0.1, float(time_limit)))
    model.setParam("limits/gap", gap)
    model.setParam("parallel/maxnthreads", threads)
    if not probing:
        # Probing during presolve fixes each binary in turn; with thousands of z
        # (one per provider pair) it builds millions of implications and spent
        # whole time limits of 60 x 10 instances before the first LP (bench/).
        model.setParam("propagating/probing/maxprerounds", 0)
    if root_rounds is not None:
        # The root's cutting loop ran 25-35 rounds of about a second each on
        # 30-60 activities x 10 providers while the incumbent stayed poor;
        # branching after 5 rounds finds the optimum sooner (bench/: 15 x 10
        # 5.0 -> 2.0 s, 30 x 10 22.9 -> 12.6 s, 60 x 10 unchanged).
        model.setParam("separating/maxroundsroot", root_rounds)
    # RENS (fix the binaries the root LP has integral, solve what is left as a
    # sub-MIP) found the best incumbents on every 10-provider instance, but at
    # its default priority it ran after the diving heuristics: on 60 x 10 seed 1
    # Farkas diving took 4.9 s of a 14 s solve and found nothing first.  A good
    # incumbent early lets reduced-cost fixing shrink the model at the restarts.
    if rens_first:
        model.setParam("heuristics/rens/priority", RENS_PRIORITY)
    if restarts is None:
        restarts = len(f.vars) >= RESTART_VARS
    if restarts and max_restarts is not None:
        # Each restart presolves again and runs the root's cut rounds anew
        # (about 4 s each on 30 x 10); the first two shrink the model most, the
        # later ones ran up to ten times for a few percent each (30 x 10 seed 1:
        # 13.1 -> 10.4 s; bench/README.md has the other seeds).
        model.setParam("presolving/maxrestarts", max_restarts)
    elif not restarts:
        # A restart re-presolves the model after reduced-cost fixings and
        # solves the root again.  On small models the root is cheap and the
        # tree closes the gap sooner than a restart does (bench/, seed 1:
        # 8 x 3 0.27 -> 0.11 s, 8 x 5 1.1 -> 0.25 s, 30 x 3 1.45 -> 0.9 s);
        # on models of RESTART_VARS or more each restart can halve the model
        # and is worth it (seed 2, 15 x 10: 18.7 s with, 25.6 s without;
        # seed 1, 30 x 10: 20 s with, 33 s without).
        model.setParam("presolving/maxrestarts", 0)
    if progress is not None or cancelled is not None:
        _watch(model, progress, cancelled, every)
    started = time.perf_counter()
    model.optimizeNogil()
    seconds = time.perf_counter() - started
    raw = model.getStatus()
    status = _STATUS.get(raw, raw)
    if model.getNSols() == 0:
        return Solution(status="Infeasible" if raw == "infeasible" else "NoSolution",
                        objective=None, bound=None, gap=None, seconds=seconds,
                        nodes=model.getNNodes())
    best = model.getBestSol()
    values = [model.getSolVal(best, v) for v in xs]
    bound = model.getDualbound()
    solution = extract(f, values, status=status, bound=bound, seconds=seconds,
                       nodes=model.getNNodes())
    if status == "Optimal":
        solution.gap = relative_gap(solution.objective, bound) or 0.0
    return solution


def _watch(model: Model, progress: Progress | None, cancelled, every: float) -> None:
    last = [0.0]

    def on_event(m: Model, event) -> None:
        now = time.monotonic()
        best_found = event.getType() == SCIP_EVENTTYPE.BESTSOLFOUND
        if not best_found and now - last[0] < every:
            return
        last[0] = now
        if progress is not None:
            incumbent = m.getPrimalbound() if m.getNSols() > 0 else None
            bound = m.getDualbound()
            progress(incumbent, bound, relative_gap(incumbent, bound))
        if cancelled is not None and cancelled():
            m.interruptSolve()

    model.attachEventHandlerCallback(
        on_event, [SCIP_EVENTTYPE.BESTSOLFOUND, SCIP_EVENTTYPE.NODESOLVED])
