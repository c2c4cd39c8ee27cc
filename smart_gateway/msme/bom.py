"""BEA and REA on the database: reported bills of materials and routings,
and their explosion across companies (explosion.py does the walking)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, delete, insert, select

from ..domain.errors import InvalidRequest, NotFound, UnknownReference
from ..hq.actor import Actor
from ..persistence.tables_msme import bom_line, inventory, routing_step
from . import access
from .explosion import BomLine, CycleError, Node, RoutingStep, TooLarge, explode


class Lookups:
    """The BOM and routing lookups explosion.py and atp.py take, cached per request."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._bom: dict[tuple[str, str], list[BomLine]] = {}
        self._routing: dict[tuple[str, str], list[RoutingStep]] = {}

    def bom(self, company: str, item: str) -> list[BomLine]:
        if (company, item) not in self._bom:
            rows = self.conn.execute(select(bom_line).where(
                bom_line.c.company == company, bom_line.c.parent == item)
                .order_by(bom_line.c.component)).mappings()
            self._bom[(company, item)] = [
                BomLine(r["company"], r["parent"], r["component"], r["quantity_per"], r["unit"],
                        r["supplier"]) for r in rows]
        return self._bom[(company, item)]

    def routing(self, company: str, item: str) -> list[RoutingStep]:
        if (company, item) not in self._routing:
            rows = self.conn.execute(select(routing_step).where(
                routing_step.c.company == company, routing_step.c.item == item)
                .order_by(routing_step.c.sequence)).mappings()
            self._routing[(company, item)] = [
                RoutingStep(r["company"], r["item"], r["sequence"], r["work_centre"], r["days"])
                for r in rows]
        return self._routing[(company, item)]


def report(conn: Connection, actor: Actor, *, company: str, item: str,
           components: list[tuple[str, Decimal, str, str | None]],
           operations: list[tuple[int, str, Decimal]]) -> tuple[int, int]:
    """Replace ``company``'s BOM and routing of ``item``."""
    access.acting_as(conn, actor, company, what="report a bill of materials")
    names = [c for c, _, _, _ in components]
    if len(set(names)) != len(names):
        raise InvalidRequest(f"{item}: each component once; repeated: "
                             f"{sorted({c for c in names if names.count(c) > 1})}")
    seqs = [s for s, _, _ in operations]
    if len(set(seqs)) != len(seqs):
        raise InvalidRequest(f"{item}: routing operation sequence numbers must be unique")
    for comp, _, _, supplier in components:
        if comp == item and supplier is None:
            raise cycle_fault([(company, item), (company, item)])
        if supplier is not None:
            if supplier == company:
                raise InvalidRequest(f"{comp}: leave out supplier for a part made in-house")
            access.require_company(conn, supplier)
            if access.lead_time(conn, company, supplier) is None:
                raise UnknownReference(f"{company} buys {comp} from {supplier} but has no "
                                       f"agreement with it; register one first")
    conn.execute(delete(bom_line).where(bom_line.c.company == company, bom_line.c.parent == item))
    conn.execute(delete(routing_step).where(routing_step.c.company == company,
                                            routing_step.c.item == item))
    if components:
        conn.execute(insert(bom_line), [
            {"company": company, "parent": item, "component": c, "quantity_per": q, "unit": u,
             "supplier": s} for c, q, u, s in components])
    if operations:
        conn.execute(insert(routing_step), [
            {"company": company, "item": item, "sequence": s, "work_centre": w, "days": d}
            for s, w, d in operations])
    try:  # the whole network's BOM, with this one in: refuse a loop it would close
        explode(company, item, Decimal(1), "EA", Lookups(conn).bom)
    except CycleError as exc:
        raise cycle_fault(exc.loop) from None
    except TooLarge as exc:
        raise InvalidRequest(str(exc)) from None
    return len(components), len(operations)


def cycle_fault(loop) -> InvalidRequest:
    """A cycle, as the fault a partner gets (the message names the loop)."""
    return InvalidRequest(str(CycleError(list(loop))))


def known_item(conn: Connection, look: Lookups, company: str, item: str) -> None:
    if look.bom(company, item) or look.routing(company, item):
        return
    if conn.execute(select(inventory.c.item).where(inventory.c.company == company,
                                                   inventory.c.item == item)).first():
        return
    raise NotFound(f"{company} has reported no bill of materials, routing or inventory for "
                   f"item {item}")


@dataclass(frozen=True)
class Explosion:
    nodes: list[Node]
    routing: list[tuple[Node, RoutingStep]]


def explode_for(conn: Connection, actor: Actor, *, company: str, item: str, quantity: Decimal,
                unit: str | None) -> Explosion:
    access.reading(conn, actor, company, what="explode the bill of materials")
    look = Lookups(conn)
    known_item(conn, look, company, item)
    try:
        nodes = explode(company, item, quantity, unit or "EA", look.bom)
    except CycleError as exc:
        raise cycle_fault(exc.loop) from None
    except TooLarge as exc:
        raise InvalidRequest(str(exc)) from None
    routing = [(n, step) for n in nodes for step in look.routing(n.company, n.item)]
    return Explosion(nodes, routing)
