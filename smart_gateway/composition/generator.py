"""Seeded random instances of the composition model (tests and bench/).

A random tree of ``activities`` activities (the root included), ``providers``
bids per non-root activity, four nation groups, multi sourcing on about a
third of the activities, supply ranges, coordination and interfacing costs,
nation-pair transport costs, drawbacks and one quota that binds.
"""
from __future__ import annotations

import random
from dataclasses import replace

from .instance import Activity, Instance, Lane, Provider

NATIONS = ("CN", "KR", "TH", "TW")


def random_instance(activities: int, providers: int, *, seed: int, demand: float = 1000.0,
                    icost: bool = True) -> Instance:
    rnd = random.Random(seed)
    succ: dict[int, int | None] = {0: None}
    for k in range(1, activities):
        # The root receives from one final activity, where the product takes its
        # origin (000: the quota applies there); below it, bushy trees like a
        # bill of materials, parents among the earlier activities.
        succ[k] = rnd.randrange(1, k) if k > 1 else 0
    acts = []
    for k in range(activities):
        code = f"A{k}"
        if succ[k] is None:
            acts.append(Activity(code, None))
            continue
        multi = k == 1 or rnd.random() < 0.35
        bids = []
        for p in range(providers):
            sup_max = demand * rnd.uniform(0.4, 0.8) if multi else demand * rnd.uniform(1.0, 1.5)
            sup_min = demand * rnd.uniform(0.0, 0.2) if multi else 0.0
            bids.append(Provider(code=f"P{k}-{p}", nation=rnd.choice(NATIONS),
                                 pcost=round(rnd.uniform(1, 10), 2),
                                 sup_min=round(sup_min), sup_max=round(sup_max),
                                 ccost=round(rnd.uniform(100, 2000))))
        nsp = (1, min(3, providers)) if multi else (1, 1)
        top = sum(sorted((b.sup_max for b in bids), reverse=True)[:nsp[1]])
        if top < 1.1 * demand:  # keep the instance feasible: widen the ranges
            bids = [replace(b, sup_max=round(b.sup_max * 1.1 * demand / top)) for b in bids]
        acts.append(Activity(code, f"A{succ[k]}", tuple(bids), *nsp))
    inst_nations = NATIONS + ("EU",)
    nation_lanes = {(a, b): Lane(tcost=0.0 if a == b else round(rnd.uniform(0.2, 2.0), 2))
                    for a in inst_nations for b in inst_nations}
    lanes = {}
    if icost:
        base = Instance(tuple(acts), demand, "CUST", "EU")
        for a, p in base.nodes():
            for dst, nation in base.receivers(a.code):
                lanes[((a.code, p.code), dst)] = Lane(
                    tcost=nation_lanes[(p.nation, nation)].tcost,
                    icost=round(rnd.uniform(20, 400)))
    dutyd = {(c, n): round(rnd.uniform(0.1, 0.8), 2)
             for c in inst_nations for n in inst_nations if c != n and rnd.random() < 0.3}
    # One quota on the final activity's nation groups, loose enough that the
    # other nation groups' providers can make up the rest.
    final = acts[1]
    n = rnd.choice(sorted({p.nation for p in final.providers}))
    others = sorted((p.sup_max for p in final.providers if p.nation != n), reverse=True)
    short = demand - sum(others[:final.nsp_max])
    quota = {n: round(max(demand * rnd.uniform(0.3, 0.7), short + demand * 0.2))}
    return Instance(tuple(acts), demand, "CUST", "EU", lanes=lanes, nation_lanes=nation_lanes,
                    dutyd=dutyd, quota=quota)
