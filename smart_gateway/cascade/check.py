"""The integrity checker: every link and inter-company foreign key of the TDIN, held against its rules.

Read-only; each violation names its rule and the instances involved.  The
rules, one function of the whole TDIN each:

- lines:        an instance's quantity is the sum of its lines';
- dangling:     a link joins two instances that exist;
- partner-key:  an inter-company foreign key names an existing instance that
                names this one back, joined to it by an ER-TDN link;
- mirror:       the two ends of an ER-TDN link carry the same quantity as the
                link, and are both live or both cancelled;
- cancelled:    no live instance carries anything from a cancelled one (a
                link from a cancelled instance to a live one carries zero);
- referenced:   what an instance has referenced is what its live fulfilling
                successors carry of it, never more than its quantity;
- state:        the state agrees with that: Created and Confirmed reference
                nothing, PartiallyReferenced part, CompletelyReferenced all;
- carried:      the links into a live instance carry no more than it has
                (what it fulfils, and what triggered it, counted apart; an order
                with a pending change request may be asked for more).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, func, select

from ..domain.documents import FULFILS
from ..domain.states import State
from ..persistence.tables import instance, instance_line, link
from ..persistence.tables_cascade import change_request

_CANCELED = State.CANCELED.value


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    message: str
    instances: tuple[str, ...]

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message} ({', '.join(self.instances)})"


def check(conn: Connection) -> list[Violation]:
    rows = {r["id"]: r for r in conn.execute(select(
        instance.c.id, instance.c.company, instance.c.doc_type, instance.c.number,
        instance.c.state, instance.c.quantity, instance.c.referenced_quantity,
        instance.c.partner_key)).mappings()}
    line_sums = dict(conn.execute(select(instance_line.c.instance_id,
                                         func.sum(instance_line.c.quantity))
                                  .group_by(instance_line.c.instance_id)).all())
    links = conn.execute(select(link.c.id, link.c.source_id, link.c.target_id, link.c.quantity,
                                link.c.scope).order_by(link.c.id)).all()
    # An order with a pending change request may be asked for more than it has.
    asked = {r[0] for r in conn.execute(select(change_request.c.order_instance_id).where(
        change_request.c.state == "pending"))}
    key = {i: f"{r['company']}.{r['doc_type']}.{r['number']}" for i, r in rows.items()}
    by_key = {k: i for i, k in key.items()}
    out: list[Violation] = []

    def bad(rule: str, message: str, *ids: int) -> None:
        out.append(Violation(rule, message, tuple(key.get(i, f"#{i}") for i in ids)))

    for i, r in rows.items():
        lines = Decimal(line_sums.get(i) or 0)
        if lines != r["quantity"]:
            bad("lines", f"quantity {r['quantity']} but its lines carry {lines}", i)

    referenced: dict[int, Decimal] = {i: Decimal(0) for i in rows}
    carried_fulfil: dict[int, Decimal] = {i: Decimal(0) for i in rows}
    carried_trigger: dict[int, Decimal] = {i: Decimal(0) for i in rows}
    er_pairs: set[tuple[int, int]] = set()
    for lid, s, t, qty, scope in links:
        if s not in rows or t not in rows:
            bad("dangling", f"link {lid} joins a missing instance", *(i for i in (s, t) if i in rows))
            continue
        src, dst = rows[s], rows[t]
        live_s, live_t = src["state"] != _CANCELED, dst["state"] != _CANCELED
        if scope == "ER-TDN":
            er_pairs.add((s, t))
            if live_s != live_t:
                bad("mirror", f"one end of inter-company link {lid} is cancelled, the other not", s, t)
            elif live_s and not (src["quantity"] == dst["quantity"] == qty):
                bad("mirror", f"inter-company link {lid} carries {qty} between "
                              f"{src['quantity']} and {dst['quantity']}", s, t)
            continue
        if not live_s and live_t and qty > 0:
            bad("cancelled", f"a live instance carries {qty} from a cancelled one", t, s)
        if (dst["doc_type"], src["doc_type"]) in _FULFILS:
            if live_t:
                referenced[s] += qty
                carried_fulfil[t] += qty
        elif live_t:
            carried_trigger[t] += qty

    for i, r in rows.items():
        q, ref, state = r["quantity"], r["referenced_quantity"], r["state"]
        if ref != referenced[i]:
            bad("referenced", f"referenced {ref} but its live successors carry {referenced[i]}", i)
        if ref > q:
            bad("referenced", f"referenced {ref} of only {q}", i)
        expected = {State.CREATED.value: ref == 0, State.CONFIRMED.value: ref == 0,
                    State.PARTIALLY_REFERENCED.value: 0 < ref < q,
                    State.COMPLETELY_REFERENCED.value: ref >= q,
                    State.MODIFIED.value: ref <= q, _CANCELED: ref == 0}.get(state, True)
        if not expected:
            bad("state", f"state {state} with {ref} of {q} referenced", i)
        if state != _CANCELED:
            for what, amount in (("fulfil", carried_fulfil[i]), ("were triggered by", carried_trigger[i])):
                if amount > q and not (what != "fulfil" and i in asked):
                    bad("carried", f"its links {what} {amount}, more than its {q}", i)
        if r["partner_key"]:
            other = by_key.get(r["partner_key"])
            if other is None:
                bad("partner-key", f"its inter-company foreign key {r['partner_key']} names "
                                   f"no instance", i)
            elif rows[other]["partner_key"] != key[i] or not (
                    (i, other) in er_pairs or (other, i) in er_pairs):
                bad("partner-key", "inter-company foreign keys do not name each other over an "
                                   "ER-TDN link", i, other)
    return out


_FULFILS = frozenset((a.value, b.value) for a, b in FULFILS)

__all__ = ["Violation", "check"]
