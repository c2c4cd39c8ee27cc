"""The mixed integer program of 000 section VI, written once for any solver.

Variables (000 VI.C):
    x[i,l]      in {0,1}   provider (i, l) is chosen for activity i
    y[i,l,m]    >= 0       units moved from (i, l) to (i-hat, m)
    z[i,l,m]    in {0,1}   the transfer (i, l) -> (i-hat, m) is used (y > 0)
    d[j,m,c,n]  >= 0       units of (j, m) that earn the drawback DUTYD_cn

Constraints (000 VI.D), each row named after its equation:
    (1) sourcing     NSP_i <= sum_l x_il <= NSPbar_i                  i in A\\{N}
    (2) link         y_il,i-hat,m <= BigM z_il,i-hat,m                every transfer
    (3) supply       SUP_il x_il <= sum_m y_il,i-hat,m <= SUPbar_il x_il
    (4) demand       sum_l sum_m y_il,i-hat,m = DEMAND               i in A\\{N}
    (5) flow         inflow of (j, m) = |IN_j| * outflow of (j, m)    j in A\\(FA u {N})
    (6) drawback in  sum_n d_jmcn <= inflow of (j, m) from nation group c
    (7) drawback out sum_c d_jmcn <= outflow of (j, m) to nation group n
    (8) quota        sum over IN_N, PN_n of y_il,N,C <= QUOTA_n
Objective (9): CCOST x + PCOST y + TCOST y + ICOST z - DUTYD d, minimised.

Readings chosen where the extracted text of 000 is garbled:

- (2) prints ``y_{i l-hat i m}``; the index pattern of (3) and (9) makes it
  y_{il,i-hat,m}, a transfer from (i, l) to a provider m of the successor.
- (4) prints "for all i not in FA", but its sum runs over PA_i-hat, which the
  root does not have, and (5) pins only the *sum* over all inputs of an
  activity: with (4) on non-leaves only, one leaf could send twice DEMAND and
  its sibling nothing.  The text says "the demand for each activity is
  DEMAND", so (4) holds for every i in A\\{N}, leaves included.
- (5) prints the inflow summed over all inputs i in IN_j, equal to |IN_j|
  times the outflow.  The text's recipe ("the inputs ... stitched together
  results in one shirt") needs one unit of *each* input per unit out; the
  summed row alone lets a provider take two units of buttons and none of
  cloth.  So (5) is written per input, inflow from i = outflow, for each
  i in IN_j; summing these rows over i gives the printed row exactly.
- (8) writes y_ilNC: the root N's only provider is the customer C, so the
  root has no x, no bid, and no sourcing row; its nation group is the
  customer's, which is also where (7) sends the last activity's exports.
- BigM in (2) is not given; the paper's plain reading is DEMAND (no transfer
  can carry more).  ``Options(tight=True)`` uses min(SUPbar_il, receiver's
  SUPbar) instead, see below.

``Options`` also holds the reductions 000 section VIII point 1 suggests,
each valid (the optimum is unchanged) and measured in bench/:
- ``tight``: BigM per transfer from the supply ranges, and z <= x on both
  ends (a used transfer joins two chosen providers);
- ``drop_z``: no z (and no row (2)) where ICOST is zero: z then has no cost
  and y is already bounded by (3);
- ``drop_d``: no d where DUTYD_cn <= 0, or where (j, m) has no input from c
  or no receiver in n: such a d can only be zero or cost money;
- ``structure``: what the network-flow structure implies, as rows marked
  (3s) and (2s).  A single-sourced activity's chosen provider carries all of
  DEMAND, so its outflow is DEMAND x_il (not just <= SUPbar x_il), and what
  it sends to a provider of its successor is all that provider takes from it.
  A provider "sure to carry" (single-sourced, or SUP_il > 0) ships when
  chosen, so a transfer between a single-sourced provider and one sure to
  carry is used whenever both are chosen: z >= x_il + x_jm - 1 (between two
  single-sourced ones it carries DEMAND or nothing: y = DEMAND z); and a
  provider sure to carry uses at least one transfer out and, per input, one
  in (when every such transfer has its z).  Each row holds at every
  solution with the providers it names carrying what they are chosen for.
- ``covers``: a multi-sourced activity whose largest supply range falls short
  of DEMAND needs at least k providers, k the fewest whose SUPbar together
  reach DEMAND: sum_l x_il >= k, a row marked (3)+(4) because it follows from
  those two with x integral.  The LP relaxation alone pays a fraction of one
  provider's CCOST for each unit it lacks (x_il = outflow / SUPbar_il).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .instance import Instance, Node

INF = float("inf")


@dataclass(frozen=True)
class Options:
    tight: bool = True
    drop_z: bool = True
    drop_d: bool = True
    structure: bool = True
    covers: bool = True
    # Recomposition: provider choices fixed in advance {(activity, provider): 0 or 1}.
    fix_x: dict[Node, int] = field(default_factory=dict)


PAPER = Options(tight=False, drop_z=False, drop_d=False, structure=False, covers=False)


@dataclass
class Var:
    name: str
    lb: float
    ub: float
    binary: bool
    obj: float


@dataclass
class Row:
    name: str          # "(n) family[index]": the equation it writes
    terms: list[tuple[int, float]]
    lb: float
    ub: float


@dataclass
class Formulation:
    """A linear model: variables, rows, objective (minimised)."""
    instance: Instance
    options: Options
    vars: list[Var] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    x: dict[Node, int] = field(default_factory=dict)
    y: dict[tuple[Node, Node], int] = field(default_factory=dict)
    z: dict[tuple[Node, Node], int] = field(default_factory=dict)
    d: dict[tuple[Node, str, str], int] = field(default_factory=dict)

    def add_var(self, name: str, lb: float, ub: float, binary: bool, obj: float) -> int:
        self.vars.append(Var(name, lb, ub, binary, obj))
        return len(self.vars) - 1

    def add_row(self, name: str, terms: list[tuple[int, float]], lb: float, ub: float) -> None:
        self.rows.append(Row(name, terms, lb, ub))


def build(inst: Instance, options: Options = Options()) -> Formulation:
    f = Formulation(inst, options)
    _variables(f)
    _sourcing_1(f)
    _link_2(f)
    _supply_3(f)
    _demand_4(f)
    _flow_5(f)
    _drawbacks_6_7(f)
    _quota_8(f)
    if options.structure:
        _structure(f)
    if options.covers:
        _covers(f)
    return f


# ------------------------------------------------------------------ variables


def _big_m(f: Formulation, src: Node, dst: Node) -> float:
    inst = f.instance
    if not f.options.tight:
        return inst.demand
    bound = min(inst.demand, inst.sup_max(inst.provider(src)))
    if dst[0] != inst.root.code:
        # (5) per input: what (j, m) takes from one input equals what it sends out.
        bound = min(bound, inst.sup_max(inst.provider(dst)))
    return bound


def _variables(f: Formulation) -> None:
    inst, opt = f.instance, f.options
    for a, p in inst.nodes():
        node = (a.code, p.code)
        lb, ub = 0.0, 1.0
        if node in opt.fix_x:
            lb = ub = float(opt.fix_x[node])
        # Objective (9), first term: CCOST_il x_il.
        f.x[node] = f.add_var(f"x[{a.code},{p.code}]", lb, ub, True, p.ccost)
    for a, p in inst.nodes():
        src = (a.code, p.code)
        for dst, _nation in inst.receivers(a.code):
            lane = inst.lane(src, dst)
            m = _big_m(f, src, dst)
            # Objective (9), second and third terms: (PCOST_il + TCOST_il,i-hat,m) y.
            f.y[(src, dst)] = f.add_var(f"y[{a.code},{p.code},{dst[1]}]", 0.0,
                                        m if opt.tight else INF, False, p.pcost + lane.tcost)
            if opt.drop_z and lane.icost == 0:
                continue
            # Objective (9), fourth term: ICOST_il,i-hat,m z.
            f.z[(src, dst)] = f.add_var(f"z[{a.code},{p.code},{dst[1]}]", 0.0, 1.0, True,
                                        lane.icost)
    for a in inst.intermediate:
        for p in a.providers:
            node = (a.code, p.code)
            imports = _inflow_nations(inst, a.code)
            exports = {nation for _, nation in inst.receivers(a.code)}
            for c in inst.nations:
                for n in inst.nations:
                    gain = inst.dutyd.get((c, n), 0.0)
                    if opt.drop_d and (gain <= 0 or c not in imports or n not in exports):
                        continue
                    # Objective (9), fifth term: - DUTYD_cn d_jmcn.
                    f.d[(node, c, n)] = f.add_var(f"d[{a.code},{p.code},{c},{n}]",
                                                  0.0, INF, False, -gain)


def _inflow_nations(inst: Instance, code: str) -> set[str]:
    return {p.nation for i in inst.predecessors(code) for p in inst.activity(i).providers}


# ---------------------------------------------------------------- constraints


def _sourcing_1(f: Formulation) -> None:
    for a in f.instance.non_root:
        terms = [(f.x[(a.code, p.code)], 1.0) for p in a.providers]
        f.add_row(f"(1) sourcing[{a.code}]", terms, float(a.nsp_min), float(a.nsp_max))


def _link_2(f: Formulation) -> None:
    for (src, dst), zi in f.z.items():
        m = _big_m(f, src, dst)
        f.add_row(f"(2) link[{src[0]},{src[1]},{dst[1]}]",
                  [(f.y[(src, dst)], 1.0), (zi, -m)], -INF, 0.0)
        if f.options.tight:
            # Valid strengthening: a used transfer joins two chosen providers.
            f.add_row(f"(2+) link-from[{src[0]},{src[1]},{dst[1]}]",
                      [(zi, 1.0), (f.x[src], -1.0)], -INF, 0.0)
            if dst in f.x:
                f.add_row(f"(2+) link-to[{src[0]},{src[1]},{dst[1]}]",
                          [(zi, 1.0), (f.x[dst], -1.0)], -INF, 0.0)


def _outflow(f: Formulation, node: Node) -> list[tuple[int, float]]:
    return [(f.y[(node, dst)], 1.0) for dst, _ in f.instance.receivers(node[0])]


def _supply_3(f: Formulation) -> None:
    inst = f.instance
    for a, p in inst.nodes():
        node = (a.code, p.code)
        out = _outflow(f, node)
        xi = f.x[node]
        # SUP_il x_il <= sum_m y  and  sum_m y <= SUPbar_il x_il
        f.add_row(f"(3) supply-min[{a.code},{p.code}]", out + [(xi, -p.sup_min)], 0.0, INF)
        f.add_row(f"(3) supply-max[{a.code},{p.code}]", out + [(xi, -inst.sup_max(p))],
                  -INF, 0.0)


def _demand_4(f: Formulation) -> None:
    inst = f.instance
    for a in inst.non_root:
        terms = [t for p in a.providers for t in _outflow(f, (a.code, p.code))]
        f.add_row(f"(4) demand[{a.code}]", terms, inst.demand, inst.demand)


def _inflow(f: Formulation, node: Node, inputs: tuple[str, ...]) -> list[tuple[int, float]]:
    inst = f.instance
    return [(f.y[((i, p.code), node)], 1.0) for i in inputs for p in inst.activity(i).providers]


def _flow_5(f: Formulation) -> None:
    inst = f.instance
    for a in inst.intermediate:
        inputs = inst.predecessors(a.code)
        for p in a.providers:
            node = (a.code, p.code)
            out = _outflow(f, node)
            for i in inputs:
                f.add_row(f"(5) flow[{a.code},{p.code}|{i}]",
                          _inflow(f, node, (i,)) + [(v, -c) for v, c in out], 0.0, 0.0)


def _drawbacks_6_7(f: Formulation) -> None:
    inst = f.instance
    by_node: dict[Node, list[tuple[str, str, int]]] = {}
    for (node, c, n), di in f.d.items():
        by_node.setdefault(node, []).append((c, n, di))
    for node, ds in by_node.items():
        j = node[0]
        inputs = inst.predecessors(j)
        for c in sorted({c for c, _, _ in ds}):
            # (6): what earns a drawback was imported from c.
            terms = [(di, 1.0) for cc, _, di in ds if cc == c]
            terms += [(f.y[((i, p.code), node)], -1.0) for i in inputs
                      for p in inst.activity(i).providers if p.nation == c]
            f.add_row(f"(6) drawback-in[{j},{node[1]},{c}]", terms, -INF, 0.0)
        for n in sorted({n for _, n, _ in ds}):
            # (7): ... and exported to n.
            terms = [(di, 1.0) for _, nn, di in ds if nn == n]
            terms += [(f.y[(node, dst)], -1.0) for dst, nation in inst.receivers(j)
                      if nation == n]
            f.add_row(f"(7) drawback-out[{j},{node[1]},{n}]", terms, -INF, 0.0)


def _quota_8(f: Formulation) -> None:
    inst = f.instance
    root = inst.root.code
    for n, quota in sorted(inst.quota.items()):
        terms = [(f.y[((i, p.code), (root, inst.customer))], 1.0)
                 for i in inst.predecessors(root) for p in inst.activity(i).providers
                 if p.nation == n]
        if terms:
            f.add_row(f"(8) quota[{n}]", terms, -INF, quota)


def _sure(inst: Instance, node: Node) -> bool:
    """Chosen, this provider carries a positive flow."""
    a = inst.activity(node[0])
    return a.successor is not None and (a.nsp_max == 1 or inst.provider(node).sup_min > 0)


def _structure(f: Formulation) -> None:
    inst = f.instance
    for a in inst.non_root:
        if a.nsp_max != 1:
            continue
        for p in a.providers:
            node = (a.code, p.code)
            # (3s): single sourcing: the chosen provider's outflow is all of DEMAND.
            f.add_row(f"(3s) single[{a.code},{p.code}]",
                      _outflow(f, node) + [(f.x[node], -inst.demand)], 0.0, 0.0)
    for (src, dst), zi in f.z.items():
        if dst not in f.x:
            continue
        single_src = inst.activity(src[0]).nsp_max == 1
        single_dst = inst.activity(dst[0]).nsp_max == 1
        if single_src and single_dst:
            # Both single-sourced: the transfer carries all of DEMAND or nothing.
            f.add_row(f"(2s) all-or-nothing[{src[0]},{src[1]},{dst[1]}]",
                      [(f.y[(src, dst)], 1.0), (zi, -inst.demand)], 0.0, 0.0)
        if (single_src and _sure(inst, dst)) or (single_dst and _sure(inst, src)):
            f.add_row(f"(2s) used[{src[0]},{src[1]},{dst[1]}]",
                      [(zi, 1.0), (f.x[src], -1.0), (f.x[dst], -1.0)], -1.0, INF)
    for a, p in inst.nodes():
        node = (a.code, p.code)
        if not _sure(inst, node):
            continue
        out = [f.z.get((node, dst)) for dst, _ in inst.receivers(a.code)]
        if all(zi is not None for zi in out):
            f.add_row(f"(2s) ships[{a.code},{p.code}]",
                      [(zi, 1.0) for zi in out] + [(f.x[node], -1.0)], 0.0, INF)
        for i in inst.predecessors(a.code):
            into = [f.z.get(((i, q.code), node)) for q in inst.activity(i).providers]
            if into and all(zi is not None for zi in into):
                f.add_row(f"(2s) receives[{a.code},{p.code}|{i}]",
                          [(zi, 1.0) for zi in into] + [(f.x[node], -1.0)], 0.0, INF)


def fewest_providers(inst: Instance, a) -> int | None:
    """The fewest of ``a``'s providers whose supply ranges together reach DEMAND;
    None when all of them together do not.  feasibility.py refuses a request
    that needs more than NSPbar_i; the cover rows ask for at least this many."""
    total = 0.0
    for k, cap in enumerate(sorted((min(inst.sup_max(p), inst.demand) for p in a.providers),
                                   reverse=True), start=1):
        total += cap
        if total >= inst.demand - 1e-9:
            return k
    return None


def _covers(f: Formulation) -> None:
    inst = f.instance
    for a in inst.non_root:
        k = fewest_providers(inst, a)
        if a.nsp_max == 1 or k is None or k <= max(1, a.nsp_min):
            continue
        # (3)+(4) with x integral: fewer than k chosen providers cannot carry DEMAND.
        f.add_row(f"(3)+(4) cover[{a.code}]",
                  [(f.x[(a.code, p.code)], 1.0) for p in a.providers], float(k), INF)
