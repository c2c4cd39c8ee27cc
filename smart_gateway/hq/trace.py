"""GetTrace (the paper's O-TPA.read): the connected TDIN around one document.

Walks links both ways from the instance found, across every company, then
applies visibility: the administrator sees everything; a company sees its own
instances and the instances of direct partners linked to its own, never a
third company's.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, or_, select, text

from ..domain.documents import DocType
from ..domain.errors import InvalidRequest, NotFound
from ..persistence.driver import RawRows
from ..persistence.tables import from_micro, link
from . import store
from .actor import Actor

MAX_NODES = 20_000
_ROW_LIMIT = 4 * MAX_NODES  # instances and links together


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


@dataclass(frozen=True)
class Component:
    """What a trace found, as the database returned it: node rows (visible ones,
    in tier then id order) and edge rows, quantities in integer millionths.

    node row: (id, key, company, tier, doc_type, number, state, quantity,
               referenced_quantity, rush, partner_key or None where hidden)
    edge row: (source key, target key, quantity, scope)

    GetTrace writes its response from these directly: for a trace of thousands
    of instances, making Decimals and dataclasses of them cost more than the
    query that found them.  ``trace()`` gives the same as dataclasses."""
    root: str
    nodes: list[tuple]
    edges: list[tuple]


def trace(conn: Connection, actor: Actor, *, company_code: str, number: str,
          doc_type: DocType | None) -> Trace:
    found = component(conn, actor, company_code=company_code, number=number, doc_type=doc_type)
    return Trace(
        root=found.root,
        nodes=[TraceNode(id=n[1], company=n[2], tier=n[3], doc_type=n[4], number=n[5],
                         state=n[6], quantity=from_micro(n[7]),
                         referenced_quantity=from_micro(n[8]), partner_key=n[10],
                         rush=bool(n[9])) for n in found.nodes],
        edges=[TraceEdge(e[0], e[1], from_micro(e[2]), e[3]) for e in found.edges])


def component(conn: Connection, actor: Actor, *, company_code: str, number: str,
              doc_type: DocType | None) -> Component:
    candidates = [{"id": r[0], "doc_type": r[1]}
                  for r in _BY_NUMBER.all(conn, {"company": company_code, "number": number})]
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

    # One query: the component's instances (kind 0) and its links (kind 1).
    # The limit bounds what a huge component could cost before it is refused.
    found = _COMPONENT.all(conn, {"root": root["id"], "limit": _ROW_LIMIT + 1})
    instances: dict[int, tuple] = {}
    links: list[tuple] = []
    for row in found:
        if row[0] == 0:
            instances[row[1]] = row
        else:
            links.append(row)
    if len(found) > _ROW_LIMIT or len(instances) > MAX_NODES:
        raise InvalidRequest(f"the trace has more than {MAX_NODES} instances; trace a "
                             f"document further down the network")
    # row layout: kind, id, source, target, company|scope, doc_type, number, state,
    #             quantity, referenced_quantity, rush, partner_key, tier
    if actor.is_admin:
        visible = instances.keys()
    else:
        own = {i for i, r in instances.items() if r[4] == actor.company}
        partners = {r[3] for r in links if r[2] in own and r[4] == "ER-TDN"}
        partners |= {r[2] for r in links if r[3] in own and r[4] == "ER-TDN"}
        visible = own | partners

    keys = {i: f"{r[4]}.{r[5]}.{r[6]}" for i, r in instances.items()}
    order = sorted(visible, key=lambda i: (instances[i][12], i))
    nodes = []
    for i in order:
        r = instances[i]
        nodes.append((i, keys[i], r[4], r[12], r[5], r[6], r[7], r[8], r[9], r[10], r[11]))
    links.sort(key=lambda r: r[1])
    edges = [(keys[r[2]], keys[r[3]], r[8], r[4]) for r in links
             if r[2] in visible and r[3] in visible]
    return Component(root=keys[root["id"]], nodes=nodes, edges=edges)


# Everything linked to the root, both ways, in one recursive query: the
# database walks the links, instead of one round trip per level.  SQLite takes
# one recursive SELECT per direction; PostgreSQL one recursive term, hence
# LATERAL.  UNION (not UNION ALL) keeps each instance once and ends cycles.
_REACH = {
    "sqlite": """
        WITH RECURSIVE reach(id) AS (
            SELECT :root
            UNION SELECT l.target_id FROM gw_link l JOIN reach r ON l.source_id = r.id
            UNION SELECT l.source_id FROM gw_link l JOIN reach r ON l.target_id = r.id)""",
    "postgresql": """
        WITH RECURSIVE reach(id) AS (
            SELECT CAST(:root AS BIGINT)
            UNION SELECT n.id FROM reach r CROSS JOIN LATERAL (
                SELECT target_id AS id FROM gw_link WHERE source_id = r.id
                UNION ALL SELECT source_id FROM gw_link WHERE target_id = r.id) n)""",
}
_NULL_INT, _NULL_TEXT, _NULL_BOOL = ("CAST(NULL AS BIGINT)", "CAST(NULL AS VARCHAR)",
                                   "CAST(NULL AS BOOLEAN)")
_PARTS = f"""
    SELECT 0, i.id, {_NULL_INT}, {_NULL_INT}, i.company, i.doc_type, i.number, i.state,
           i.quantity, i.referenced_quantity, i.rush, i.partner_key, c.tier
      FROM gw_instance i JOIN reach ON i.id = reach.id JOIN gw_company c ON c.code = i.company
    UNION ALL
    SELECT 1, l.id, l.source_id, l.target_id, l.scope, {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT},
           l.quantity, {_NULL_INT}, {_NULL_BOOL}, {_NULL_TEXT}, {_NULL_INT}
      FROM gw_link l JOIN reach ON l.source_id = reach.id
    LIMIT :limit"""
# Every link of the component starts at one of its instances, so joining the
# links by source finds them all; the recursive CTE is computed once for both.
_COMPONENT = RawRows({name: text(cte + _PARTS) for name, cte in _REACH.items()})
_BY_NUMBER = RawRows({name: text("SELECT id, doc_type FROM gw_instance "
                                 "WHERE company = :company AND number = :number")
                      for name in _REACH})


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
