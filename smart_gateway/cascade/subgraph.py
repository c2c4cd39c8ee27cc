"""Load, and lock, the part of the TDIN a change can reach, with the terms it needs.

What a change of an instance can reach: everything downstream of it (a
recursive query over gw_link), plus the instances that link into those (the
orders a receiving fulfils, the other triggers of a consolidated order).

Two cascades over overlapping instances must never interleave.  On SQLite the
whole transaction already holds the database's one write lock (BEGIN
IMMEDIATE, see persistence/db.py).  On PostgreSQL the instances are locked
with SELECT ... FOR UPDATE in id order, the same order for every cascade, so
that two overlapping cascades queue instead of deadlocking; the reach is
computed again once locked, since a link may have been added meanwhile, and
anything new is locked too before anything is read for planning.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from typing import Iterable

from sqlalchemy import Connection, select, text

from ..domain.change import Edge, Graph, Node, NodeLine, Terms
from ..domain.documents import DocType
from ..domain.states import State
from ..persistence.batches import chunks
from ..persistence.tables import agreement, agreement_item, instance, instance_line, link
from ..persistence.tables_cascade import change_request, change_term

_DOWN = {
    "sqlite": text("""
        WITH RECURSIVE down(id) AS (
            SELECT :root UNION SELECT l.target_id FROM gw_link l JOIN down d ON l.source_id = d.id)
        SELECT id FROM down"""),
    "postgresql": text("""
        WITH RECURSIVE down(id) AS (
            SELECT CAST(:root AS BIGINT)
            UNION SELECT l.target_id FROM gw_link l JOIN down d ON l.source_id = d.id)
        SELECT id FROM down"""),
}


def _reach(conn: Connection, root: int) -> tuple[set[int], list[Edge]]:
    down = {r[0] for r in conn.execute(_DOWN[conn.dialect.name], {"root": root})}
    edges: dict[int, Edge] = {}
    for chunk in chunks(down):
        for col in (link.c.source_id, link.c.target_id):
            for r in conn.execute(select(link).where(col.in_(chunk))).mappings():
                edges[r["id"]] = Edge(r["id"], r["source_id"], r["target_id"], r["quantity"],
                                      r["scope"])
    ids = down | {e.source for e in edges.values()}
    return ids, [edges[i] for i in sorted(edges)]


def lock(conn: Connection, ids: Iterable[int]) -> None:
    """Row locks on the instances, in id order (PostgreSQL; SQLite holds its write lock)."""
    if conn.dialect.name != "postgresql":
        return
    for chunk in chunks(ids):
        conn.execute(select(instance.c.id).where(instance.c.id.in_(chunk))
                     .order_by(instance.c.id).with_for_update()).all()


def load(conn: Connection, root: int, *, for_update: bool = True) -> Graph:
    """The subgraph reachable from ``root``, locked before it is read (unless only planned)."""
    ids, edges = _reach(conn, root)
    locked: set[int] = set()
    while for_update and not ids <= locked:
        # Anything linked in before the locks were taken is locked too, then read again.
        lock(conn, ids - locked)
        locked |= ids
        ids, edges = _reach(conn, root)
    nodes = _nodes(conn, ids)
    return Graph(nodes=nodes, edges=tuple(edges), proposals=_proposals(conn, nodes))


def _proposals(conn: Connection, nodes: dict[int, Node]) -> dict[int, Node]:
    """What the pending change requests on these orders ask them to become (the latest one)."""
    out: dict[int, Node] = {}
    for chunk in chunks(nodes):
        for r in conn.execute(select(change_request).where(
                change_request.c.order_instance_id.in_(chunk),
                change_request.c.state == "pending", change_request.c.kind == "update")
                .order_by(change_request.c.id)).mappings():
            order, asked = nodes[r["order_instance_id"]], json.loads(r["proposal"])
            qty = {n: Decimal(q) for n, q, _ in asked["lines"]}
            lines = tuple(replace(ln, quantity=qty.get(ln.number, ln.quantity)) for ln in order.lines)
            out[order.id] = replace(order, lines=lines,
                                    quantity=sum((ln.quantity for ln in lines), Decimal(0)),
                                    requested_date=(dt.date.fromisoformat(asked["requested_date"])
                                                    if asked["requested_date"] else None))
    return out


def _nodes(conn: Connection, ids: set[int]) -> dict[int, Node]:
    lines: dict[int, list[NodeLine]] = {}
    rows = []
    for chunk in chunks(ids):
        rows += conn.execute(select(instance).where(instance.c.id.in_(chunk))).mappings().all()
        for r in conn.execute(select(instance_line).where(instance_line.c.instance_id.in_(chunk))
                              .order_by(instance_line.c.instance_id, instance_line.c.line_no)
                              ).mappings():
            lines.setdefault(r["instance_id"], []).append(NodeLine(
                r["line_no"], r["item"], r["quantity"], r["unit_price"], r["requested_date"]))
    return {r["id"]: node_of(r, lines.get(r["id"], [])) for r in rows}


def node_of(r, lines) -> Node:
    return Node(id=r["id"], company=r["company"], doc_type=DocType(r["doc_type"]),
                number=r["number"], partner=r["partner"], state=State(r["state"]),
                quantity=r["quantity"], referenced=r["referenced_quantity"],
                requested_date=r["requested_date"], version=r["version"], lines=tuple(lines))


class TermsBook:
    """Change terms by (buyer, supplier, item), read once per pair of companies."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._pairs: dict[tuple[str, str], dict[str, Terms]] = {}

    def __call__(self, buyer: str, supplier: str, item: str) -> Terms:
        book = self._pairs.get((buyer, supplier))
        if book is None:
            book = self._pairs[(buyer, supplier)] = self._read(buyer, supplier)
        return book.get(item) or book.get("*") or Terms()

    def _read(self, buyer: str, supplier: str) -> dict[str, Terms]:
        ag = self.conn.execute(select(agreement.c.id).where(
            agreement.c.buyer == buyer, agreement.c.supplier == supplier)).first()
        if ag is None:
            return {}
        items = {r["item"]: r for r in self.conn.execute(select(agreement_item).where(
            agreement_item.c.agreement_id == ag[0])).mappings()}
        terms = {r["item"]: r for r in self.conn.execute(select(change_term).where(
            change_term.c.agreement_id == ag[0])).mappings()}
        default = terms.get("*")
        out: dict[str, Terms] = {}
        for item in set(items) | set(terms):
            i, t = items.get(item), terms.get(item) or default
            out[item] = Terms(
                decoupling=(i["decoupling"] if i is not None else "MTS") or "MTS",
                frozen_days=t["frozen_days"] if t is not None else 0,
                penalty_percent=t["penalty_percent"] if t is not None else Decimal(0),
                penalty_fixed=t["penalty_fixed"] if t is not None else Decimal(0),
                unit_price=i["unit_price"] if i is not None else None)
        return out


__all__ = ["TermsBook", "load", "lock", "node_of"]
