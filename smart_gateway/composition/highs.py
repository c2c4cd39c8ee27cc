"""Solve a formulation with HiGHS (highspy): the benchmark's peer, and the LP
solver of the enumeration the tests check SCIP against."""
from __future__ import annotations

import time

import highspy

from .formulation import INF, Formulation
from .solution import Solution, extract, relative_gap

_STATUS = {
    highspy.HighsModelStatus.kOptimal: "Optimal",
    highspy.HighsModelStatus.kTimeLimit: "TimeLimit",
    highspy.HighsModelStatus.kInfeasible: "Infeasible",
}


def _load(f: Formulation, *, relax: bool = False) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = h.getInfinity()
    lp = highspy.HighsLp()
    lp.num_col_ = len(f.vars)
    lp.num_row_ = len(f.rows)
    lp.col_cost_ = [v.obj for v in f.vars]
    lp.col_lower_ = [v.lb for v in f.vars]
    lp.col_upper_ = [inf if v.ub == INF else v.ub for v in f.vars]
    lp.row_lower_ = [-inf if r.lb == -INF else r.lb for r in f.rows]
    lp.row_upper_ = [inf if r.ub == INF else r.ub for r in f.rows]
    start, index, value = [0], [], []
    for r in f.rows:
        for i, c in r.terms:
            index.append(i)
            value.append(c)
        start.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    if not relax:
        lp.integrality_ = [highspy.HighsVarType.kInteger if v.binary
                           else highspy.HighsVarType.kContinuous for v in f.vars]
    h.passModel(lp)
    return h


def solve(f: Formulation, *, time_limit: float, gap: float = 1e-4, threads: int = 1,
          relax: bool = False) -> Solution:
    h = _load(f, relax=relax)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("threads", threads)
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    model_status = h.getModelStatus()
    status = _STATUS.get(model_status, h.modelStatusToString(model_status))
    info = h.getInfo()
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if not has_primal:
        return Solution(status="Infeasible" if status == "Infeasible" else "NoSolution",
                        objective=None, bound=None, gap=None, seconds=seconds)
    values = list(h.getSolution().col_value)
    bound = info.mip_dual_bound if not relax and any(v.binary for v in f.vars) \
        else info.objective_function_value
    solution = extract(f, values, status=status, bound=bound, seconds=seconds,
                       nodes=int(getattr(info, "mip_node_count", 0)))
    solution.gap = relative_gap(solution.objective, bound)
    return solution
