"""A solved composition: who was chosen, what flows where, what each term of (9) costs."""
from __future__ import annotations

from dataclasses import dataclass, field

from .formulation import Formulation
from .instance import Node

EPS = 1e-6

# The terms of objective (9), in the paper's order.
TERMS = ("coordination", "production", "transport", "interfacing", "drawback")


@dataclass(frozen=True)
class Flow:
    source: Node
    target: Node
    quantity: float


@dataclass
class Solution:
    status: str                     # Optimal, TimeLimit (with an incumbent), Infeasible, NoSolution
    objective: float | None
    bound: float | None
    gap: float | None               # relative, 0.0 when proven optimal
    seconds: float
    chosen: dict[Node, float] = field(default_factory=dict)   # (i, l) -> units it supplies
    flows: list[Flow] = field(default_factory=list)
    terms: dict[str, float] = field(default_factory=dict)     # each term of (9); drawback >= 0
    nodes: int = 0

    @property
    def has_solution(self) -> bool:
        return self.objective is not None


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    if abs(objective - bound) <= EPS * max(1.0, abs(objective)):
        return 0.0
    return abs(objective - bound) / max(abs(objective), EPS)


def extract(f: Formulation, values: list[float], *, status: str, bound: float | None,
            seconds: float, nodes: int = 0) -> Solution:
    """Read a solution vector of ``f`` into a Solution, with the cost of each term."""
    inst = f.instance
    chosen: dict[Node, float] = {}
    flows: list[Flow] = []
    terms = dict.fromkeys(TERMS, 0.0)
    for node, xi in f.x.items():
        if values[xi] > 0.5:
            chosen[node] = 0.0
            terms["coordination"] += inst.provider(node).ccost
    for (src, dst), yi in f.y.items():
        qty = values[yi]
        if qty <= EPS:
            continue
        flows.append(Flow(src, dst, qty))
        if src in chosen:
            chosen[src] += qty
        lane = inst.lane(src, dst)
        terms["production"] += inst.provider(src).pcost * qty
        terms["transport"] += lane.tcost * qty
    for key, zi in f.z.items():
        if values[zi] > 0.5:
            terms["interfacing"] += inst.lane(*key).icost
    for (_node, c, n), di in f.d.items():
        terms["drawback"] += inst.dutyd.get((c, n), 0.0) * values[di]
    objective = (terms["coordination"] + terms["production"] + terms["transport"]
                 + terms["interfacing"] - terms["drawback"])
    return Solution(status=status, objective=objective, bound=bound,
                    gap=relative_gap(objective, bound), seconds=seconds, chosen=chosen,
                    flows=flows, terms=terms, nodes=nodes)
