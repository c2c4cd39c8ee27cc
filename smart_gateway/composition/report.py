"""A solved composition as text for a person (the `compose` command)."""
from __future__ import annotations

from .instance import Instance
from .solution import Solution


def render(inst: Instance, s: Solution, *, currency: str | None = None) -> str:
    cur = f" {currency}" if currency else ""
    if not s.has_solution:
        return f"no network found ({s.status}) in {s.seconds:.2f} s"
    gap = "?" if s.gap is None else f"{100 * s.gap:.4f}%"
    lines = [f"{inst.product or 'product'}: {inst.demand:,.0f} units for {inst.customer} "
             f"({inst.customer_nation})",
             f"status {s.status}, gap {gap}, {s.seconds:.2f} s, {s.nodes} nodes", "",
             "activity      provider      nation        units"]
    order = _depth_first(inst)
    for code in order:
        for (a, p), q in sorted(s.chosen.items()):
            if a == code:
                lines.append(f"{a:<13} {p:<13} {inst.nation_of((a, p)):<8} {q:>10,.0f}")
    lines += ["", "flows"]
    for f in sorted(s.flows, key=lambda f: (order.index(f.source[0]), f.source[1], f.target)):
        lines.append(f"  {f.source[0]}/{f.source[1]} -> {f.target[0]}/{f.target[1]}: "
                     f"{f.quantity:,.0f}")
    lines += ["", "cost (objective 9)"]
    for term in ("coordination", "production", "transport", "interfacing"):
        lines.append(f"  {term:<14}{s.terms[term]:>14,.2f}{cur}")
    lines.append(f"  {'drawback':<14}{-s.terms['drawback']:>14,.2f}{cur}")
    lines.append(f"  {'total':<14}{s.objective:>14,.2f}{cur}")
    return "\n".join(lines)


def _depth_first(inst: Instance) -> list[str]:
    """Leaves first, the root last: the order in which material flows."""
    out: list[str] = []

    def visit(code: str) -> None:
        for p in inst.predecessors(code):
            visit(p)
        out.append(code)

    visit(inst.root.code)
    return out
