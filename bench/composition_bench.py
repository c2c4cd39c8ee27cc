"""Composition benchmark: SCIP (pyscipopt) against HiGHS (highspy) on the model of 000 VI.

    .venv/bin/python -m bench.composition_bench            # 8/15/30/60 x 3/5/10, 120 s limit
    .venv/bin/python -m bench.composition_bench --quick    # 8/15/30 x 3/5, 30 s limit
    .venv/bin/python -m bench.composition_bench --steps    # what each reduction gains (SCIP)
    .venv/bin/python -m bench.composition_bench --sizes 60x10 --time-limit 60
    .venv/bin/python -m bench.composition_bench --sizes 15x10,30x10,60x10 --seeds 1,3,4,5
    .venv/bin/python -m bench.composition_bench --repeat 3     # each solve 3 times, the median

On 2 shared cores one solve of a 10-provider instance moves by 20-40% from
run to run (15 x 10 seed 1: SCIP 1.55-2.50 s, HiGHS 2.05-3.35 s over seven
runs of one day); --repeat N solves each instance N times with each solver,
alternating, and compares the medians.

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


def median(solutions: list):
    """The run of median time (the slower middle one of an even count)."""
    return sorted(solutions, key=lambda s: s.seconds)[len(solutions) // 2]


def run(sizes, limit: float, seeds: list[int], repeat: int = 1) -> int:
    print(f"composition bench: SCIP vs HiGHS, 1 thread each, gap {100 * GAP:g}%, "
          f"time limit {limit:g} s, seed{'s' if len(seeds) > 1 else ''} "
          f"{','.join(map(str, seeds))}"
          + (f", median of {repeat} runs each" if repeat > 1 else ""))
    print(f"{'activities x providers':<24}{'seed':>5}{'vars':>7}{'rows':>7}   "
          f"{'SCIP (status, time, objective, gap)':<44}{'HiGHS':<44}{'ratio':>7}  agree")
    slower = runs = 0
    scip_total = highs_total = 0.0
    for acts, provs in sizes:
        for seed in seeds:
            f = build(random_instance(acts, provs, seed=seed), Options())
            runs_s, runs_h = [], []
            for _ in range(repeat):
                runs_s.append(scip.solve(f, time_limit=limit, gap=GAP))
                runs_h.append(highs.solve(f, time_limit=limit, gap=GAP))
            s, h = median(runs_s), median(runs_h)
            ratio = s.seconds / h.seconds if h.seconds > 0 else float("inf")
            slower += ratio > 1.0
            runs += 1
            scip_total += s.seconds
            highs_total += h.seconds
            print(f"{acts:>3} x {provs:<19}{seed:>5}{len(f.vars):>7}{len(f.rows):>7}   "
                  f"{fmt(s):<44}{fmt(h):<44}{ratio:7.2f}  "
                  f"{'yes' if agree(s.objective, h.objective) else 'NO'}", flush=True)
    print(f"SCIP slower than HiGHS on {slower} of {runs} instances; total "
          f"{scip_total:.1f} s against {highs_total:.1f} s "
          f"(ratio {scip_total / highs_total if highs_total else float('inf'):.2f})")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="bench.composition_bench", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only, 30 s limit")
    ap.add_argument("--steps", action="store_true", help="what each reduction gains (SCIP)")
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", default=None, help="several instances per size, e.g. 1,3,4,5")
    ap.add_argument("--repeat", type=int, default=1, help="solves per instance and solver; "
                    "the medians are compared")
    ap.add_argument("--sizes", default=None, help="e.g. 60x10,30x5 (activities x providers)")
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else SIZES
    if args.sizes:
        sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    limit = args.time_limit or (30.0 if args.quick else 120.0)
    if args.steps:
        from .composition_steps import steps
        return steps(sizes, limit, args.seed)
    seeds = [int(n) for n in args.seeds.split(",")] if args.seeds else [args.seed]
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    return run(sizes, limit, seeds, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
