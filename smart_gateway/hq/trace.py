"""GetTrace (the paper's O-TPA.read): the connected TDIN around one document.

Walks links both ways from the instance found, across every company, then
applies visibility: the administrator sees everything; a company sees its own
instances and the instances of direct partners linked to its own, never a
third company's.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, or_, select

from ..domain.documents import DocType
from ..domain.errors import InvalidRequest, NotFound
from ..persistence.tables import company, instance, link
from . import store
from .actor import Actor

MAX_NODES = 20_000


@dataclass(frozen=True)
class TraceNode:
    id: str
    company: str
    tier: int
    doc_type: str
    number: str
    state: str
    quantity: Decimal
    referenced_quantity: Decimal
    partner_key: str | None
    rush: bool


@dataclass(frozen=True)
class TraceEdge:
    source: str
    target: str
    quantity: Decimal
    scope: str


@dataclass(frozen=True)
class Trace:
    root: str
    nodes: list[TraceNode]
    edges: list[TraceEdge]


def trace(conn: Connection, actor: Actor, *, company_code: str, number: str,
          doc_type: DocType | None) -> Trace:
    candidates = store.find_instances_by_number(conn, company_code, number)
    if doc_type is not None:
        candidates = [c for c in candidates if c["doc_type"] == doc_type.value]
    if not actor.is_admin and company_code != actor.company:
        candidates = [c for c in candidates if _visible_from(conn, actor.company, c)]
    if not candidates:
        raise NotFound(f"{company_code} has no document numbered '{number}'"
                       + (f" of type {doc_type.value}" if doc_type else "") + " that you can see")
    if len(candidates) > 1:
        raise InvalidRequest(
            f"{company_code} has {len(candidates)} documents numbered '{number}' "
            f"({', '.join(sorted(c['doc_type'] for c in candidates))}); give the type")
    root = candidates[0]

    ids, edges = {root["id"]}, []
    frontier = [root["id"]]
    seen_links: set[int] = set()
    while frontier:
        rows = conn.execute(select(link).where(or_(link.c.source_id.in_(frontier),
                                                   link.c.target_id.in_(frontier)))).mappings().all()
        frontier = []
        for r in rows:
            if r["id"] in seen_links:
                continue
            seen_links.add(r["id"])
            edges.append(dict(r))
            for end in (r["source_id"], r["target_id"]):
                if end not in ids:
                    ids.add(end)
                    frontier.append(end)
        if len(ids) > MAX_NODES:
            raise InvalidRequest(f"the trace has more than {MAX_NODES} instances; trace a "
                                 f"document further down the network")

    tiers = dict(conn.execute(select(company.c.code, company.c.tier)).all())
    rows = {}
    id_list = list(ids)
    for i in range(0, len(id_list), 500):
        for r in conn.execute(select(instance).where(instance.c.id.in_(id_list[i:i + 500]))).mappings():
            rows[r["id"]] = dict(r)

    visible = set(rows)
    if not actor.is_admin:
        own = {i for i, r in rows.items() if r["company"] == actor.company}
        partners = {e["target_id"] for e in edges if e["source_id"] in own and e["scope"] == "ER-TDN"}
        partners |= {e["source_id"] for e in edges if e["target_id"] in own and e["scope"] == "ER-TDN"}
        visible = own | partners

    def key(i: int) -> str:
        return str(store.key_of(rows[i]))

    nodes = [TraceNode(id=key(i), company=r["company"], tier=tiers.get(r["company"], 0),
                       doc_type=r["doc_type"], number=r["number"], state=r["state"],
                       quantity=r["quantity"], referenced_quantity=r["referenced_quantity"],
                       partner_key=r["partner_key"] if (actor.is_admin or i in visible) else None,
                       rush=r["rush"])
             for i, r in sorted(rows.items(), key=lambda kv: (tiers.get(kv[1]["company"], 0), kv[0]))
             if i in visible]
    out_edges = [TraceEdge(key(e["source_id"]), key(e["target_id"]), e["quantity"], e["scope"])
                 for e in sorted(edges, key=lambda e: e["id"])
                 if e["source_id"] in visible and e["target_id"] in visible]
    return Trace(root=key(root["id"]), nodes=nodes, edges=out_edges)


def _visible_from(conn: Connection, viewer: str | None, row: dict) -> bool:
    """A partner's instance is visible when an inter-company link joins it to one of the viewer's."""
    if viewer is None:
        return False
    rows = conn.execute(select(link.c.source_id, link.c.target_id).where(
        link.c.scope == "ER-TDN", or_(link.c.source_id == row["id"], link.c.target_id == row["id"]))).all()
    for s, t in rows:
        other = t if s == row["id"] else s
        if store.get_instance(conn, other)["company"] == viewer:
            return True
    return False
