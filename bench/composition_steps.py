"""What each reduction of section VIII point 1 gains, on SCIP (composition_bench --steps).

From the plain model of the paper (BigM = DEMAND, every z and d, SCIP's
default presolve), one step at a time: no presolve probing, BigM from the
supply ranges with z <= x, dropping z with no ICOST, dropping d that cannot
earn, the network-flow structure rows, 5 cut rounds at the root, and no root
restarts on models under 2,000 variables, the cover rows of the
multi-sourced activities (fewest providers that reach DEMAND), and RENS run
first among the root's heuristics with at most 2 restarts on large models.
Each column is SCIP's time (and its gap when it stops at the limit); every
run's optimum is checked against the first one that proves optimality.
"""
from __future__ import annotations

from dataclasses import replace

from smart_gateway.composition import scip
from smart_gateway.composition.formulation import PAPER, Options, build
from smart_gateway.composition.generator import random_instance

NO_COVERS = Options(covers=False)
STEPS = [  # name, formulation, SCIP probing in presolve, root cut rounds (None: SCIP's
    #          default), root restarts (None: only on models of 2,000 variables or more),
    #          whether RENS runs first and restarts are capped at 2
    ("paper", PAPER, True, None, True, False),
    ("-probing", PAPER, False, None, True, False),
    ("+bigM", replace(NO_COVERS, drop_z=False, drop_d=False, structure=False), False, None, True,
     False),
    ("+drop z", replace(NO_COVERS, drop_d=False, structure=False), False, None, True, False),
    ("+drop d", replace(NO_COVERS, structure=False), False, None, True, False),
    ("+structure", NO_COVERS, False, None, True, False),
    ("+5 root rounds", NO_COVERS, False, 5, True, False),
    ("-small restarts", NO_COVERS, False, 5, None, False),
    ("+covers", Options(), False, 5, None, False),
    ("+RENS first", Options(), False, 5, None, True),
]


def steps(sizes, limit: float, seed: int) -> int:
    print(f"composition steps (SCIP, 1 thread, gap 0.01%, limit {limit:g} s, seed {seed})")
    print(f"{'size':<10}" + "".join(f"{name:>18}" for name, *_ in STEPS) + "  agree")
    for acts, provs in sizes:
        inst = random_instance(acts, provs, seed=seed)
        cells, optima = [], []
        for _name, options, probing, rounds, restarts, rens_first in STEPS:
            s = scip.solve(build(inst, options), time_limit=limit, gap=1e-4, probing=probing,
                           root_rounds=rounds, restarts=restarts, rens_first=rens_first,
                           max_restarts=scip.MAX_RESTARTS if rens_first else None)
            gap = "" if s.status == "Optimal" else f" ({100 * (s.gap or 1):.2f}%)"
            cells.append(f"{s.seconds:.2f}s{gap}")
            if s.status == "Optimal":
                optima.append(s.objective)
        same = bool(optima) and all(abs(o - optima[0]) <= 1e-4 * max(1.0, abs(o))
                                    for o in optima)
        print(f"{acts:>3} x {provs:<4}" + "".join(f"{c:>18}" for c in cells)
              + f"  {'yes' if same else 'NO'}", flush=True)
    return 0
