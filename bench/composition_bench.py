"""Composition benchmark: SCIP (pyscipopt) against HiGHS (highspy) on the model of 000 VI.

    .venv/bin/python -m bench.composition_bench            # 8/15/30/60 x 3/5/10, 120 s limit
    .venv/bin/python -m bench.composition_bench --quick    # 8/15/30 x 3/5, 30 s limit
    .venv/bin/python -m bench.composition_bench --steps    # what each reduction gains (SCIP)
    .venv/bin/python -m bench.composition_bench --sizes 60x10 --time-limit 60

The same seeded random instance (smart_gateway/composition/generator.py) and
the same formulation go to both solvers, one thread each, relative gap 0.01%.
Printed per instance: each solver's status, time and objective, the ratio
SCIP / HiGHS, and whether the optima agree (relative 1e-4).  --steps solves
each instance with the plain model of the paper and then adds the reductions
one at a time (bench/composition_steps.py).
"""
from __future__ import annotations

import argparse
import sys

from smart_gateway.composition import highs, scip
from smart_gateway.composition.formulation import Options, build
from smart_gateway.composition.generator import random_instance

SIZES = [(a, p) for a in (8, 15, 30, 60) for p in (3, 5, 10)]
QUICK = [(a, p) for a in (8, 15, 30) for p in (3, 5)]
GAP = 1e-4


def agree(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-4 * max(1.0, abs(a), abs(b))


def fmt(s) -> str:
    obj = "-" if s.objective is None else f"{s.objective:,.2f}"
    gap = "" if s.gap is None or s.gap == 0 else f"{100 * s.gap:.3f}%"
    return f"{s.status:<9} {s.seconds:7.2f} s {obj:>14} {gap:>7}"


def run(sizes, limit: float, seed: int) -> int:
    print(f"composition bench: SCIP vs HiGHS, 1 thread each, gap {100 * GAP:g}%, "
          f"time limit {limit:g} s, seed {seed}")
    print(f"{'activities x providers':<24}{'vars':>7}{'rows':>7}   "
          f"{'SCIP (status, time, objective, gap)':<44}{'HiGHS':<44}{'ratio':>7}  agree")
    slower = 0
    for acts, provs in sizes:
        f = build(random_instance(acts, provs, seed=seed), Options())
        s = scip.solve(f, time_limit=limit, gap=GAP)
        h = highs.solve(f, time_limit=limit, gap=GAP)
        ratio = s.seconds / h.seconds if h.seconds > 0 else float("inf")
        slower += ratio > 1.0
        print(f"{acts:>3} x {provs:<19}{len(f.vars):>7}{len(f.rows):>7}   {fmt(s):<44}"
              f"{fmt(h):<44}{ratio:7.2f}  {'yes' if agree(s.objective, h.objective) else 'NO'}",
              flush=True)
    print(f"SCIP slower than HiGHS on {slower} of {len(sizes)} instances")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="bench.composition_bench", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only, 30 s limit")
    ap.add_argument("--steps", action="store_true", help="what each reduction gains (SCIP)")
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", default=None, help="e.g. 60x10,30x5 (activities x providers)")
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else SIZES
    if args.sizes:
        sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    limit = args.time_limit or (30.0 if args.quick else 120.0)
    if args.steps:
        from .composition_steps import steps
        return steps(sizes, limit, args.seed)
    return run(sizes, limit, args.seed)


if __name__ == "__main__":
    sys.exit(main())
