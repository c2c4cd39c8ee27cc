"""A synthetic TDIN of a given size, for the trace benchmark.

Companies in five tiers; components (connected networks) shaped as trees of
bounded depth, like an order exploded down the tiers: one *large* component
(the mother company's order, ``large`` instances), one *small* one rooted at a
tier-2 company (``small`` instances), and filler components of ``filler``
instances until the TDIN holds ``total``.  Rows are written in bulk with
explicit ids; instance lines are left out (a trace never reads them).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, insert, text

from smart_gateway.persistence.tables import company, credential, instance, link

TIERS = 5
PER_TIER = 8
ADMIN = ("bench-admin", "bench-admin-secret")
DEPTH = 12


@dataclass(frozen=True)
class Generated:
    total: int
    large_root: tuple[str, str, str]   # company, type, number
    small_root: tuple[str, str, str]
    large_size: int
    small_size: int


def _company(tier: int, k: int) -> str:
    return "MOTHER" if tier == 0 else f"T{tier}C{k:02d}"


def _tree(start_id: int, size: int, root_tier: int, seed: int):
    """Instances and links of one tree of ``size`` nodes; ids from ``start_id``.

    Each level sits one document further down: an order at a tier becomes a
    sales order at the next tier (ER-TDN), which triggers that tier's orders
    (RA-TDN), and so on; fan-out is chosen so the tree is DEPTH levels deep.
    """
    fanout = max(2, round(size ** (1 / DEPTH)) + 1)
    nodes = [(start_id, root_tier, 0)]  # id, tier, level
    links = []
    parent = 0
    while len(nodes) < size:
        pid, ptier, plevel = nodes[parent]
        for _ in range(fanout):
            if len(nodes) >= size:
                break
            nid = start_id + len(nodes)
            cross = plevel % 2 == 0 and ptier < TIERS - 1  # PO -> SO across companies
            tier = ptier + 1 if cross else ptier
            nodes.append((nid, tier, plevel + 1))
            links.append((pid, nid, "ER-TDN" if cross else "RA-TDN"))
        parent += 1
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    rows = []
    for nid, tier, level in nodes:
        k = (seed + nid) % PER_TIER if tier else 0
        doc_type = "PurchaseOrder" if level % 2 == 0 else "SalesOrder"
        rows.append({"id": nid, "company": _company(tier, k), "doc_type": doc_type,
                     "number": f"N{nid}", "partner": None, "state": "Created", "rush": False,
                     "rush_rule": None, "quantity": Decimal(100), "referenced_quantity": Decimal(0),
                     "partner_key": None, "issue_date": dt.date(2026, 1, 1),
                     "requested_date": None, "currency": None, "note": None,
                     "created_at": now, "updated_at": now, "completed_at": None, "version": 1})
    link_rows = [{"source_id": s, "target_id": t, "quantity": Decimal(100), "scope": scope}
                 for s, t, scope in links]
    return rows, link_rows


def generate(engine: Engine, *, total: int, large: int = 4000, small: int = 70,
             filler: int = 100, progress=print) -> Generated:
    with engine.begin() as conn:
        conn.execute(insert(company), [
            {"code": _company(t, k), "name": f"Tier {t} company {k}", "tier": t,
             "role": "mother" if t == 0 else "supplier", "erp_kind": "csv",
             "transport": "pull", "endpoint": None}
            for t in range(TIERS) for k in range(1 if t == 0 else PER_TIER)])
        conn.execute(insert(credential).values(username=ADMIN[0], company=None, is_admin=True,
                                               secret=ADMIN[1]))
    plan = [("large", large, 0), ("small", small, 2)]
    rest = total - large - small
    plan += [("filler", filler, i % 3) for i in range(max(rest // filler, 0))]
    next_id, link_id, roots = 1, 1, {}
    batch_i, batch_l = [], []
    written = 0

    def flush():
        nonlocal batch_i, batch_l, link_id
        if not batch_i:
            return
        with engine.begin() as conn:
            conn.execute(insert(instance), batch_i)
            for row in batch_l:
                row["id"] = link_id
                link_id += 1
            if batch_l:
                conn.execute(insert(link), batch_l)
        batch_i, batch_l = [], []

    for i, (kind, size, tier) in enumerate(plan):
        rows, links = _tree(next_id, size, tier, seed=i)
        if kind in ("large", "small"):
            r = rows[0]
            roots[kind] = (r["company"], r["doc_type"], r["number"])
        batch_i += rows
        batch_l += links
        next_id += size
        written += size
        if len(batch_i) >= 20_000:
            flush()
            progress(f"    {written:,} / {total:,} instances written")
    flush()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("gw_instance", "gw_link"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return Generated(total=next_id - 1, large_root=roots["large"], small_root=roots["small"],
                     large_size=large, small_size=small)
