"""Bench: PlanChange and UpdateTransaction time for a cascade reaching 1,000 and 10,000 instances.

    python -m bench.cascade_scale [postgresql+psycopg://...]   (default: a SQLite file in a temp dir)

The TDIN: MOTHER's order -> T1's sales order, which triggers N orders to T2
(RA-TDN, one unit per unit), each answered by T2's sales order (ER-TDN):
2 + 2N instances, all make-to-stock, so a cut reaches every one of them.
Written in bulk; the cascade is run through the use case (cascade/service.py)
in one transaction, as the SOAP operation runs it.  Prints seconds and the
ratio 10,000 / 1,000 (10 means linear growth).
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
import uuid
from decimal import Decimal

from sqlalchemy import insert, text

from smart_gateway.cascade import service
from smart_gateway.domain.documents import DocKey, DocType
from smart_gateway.hq.actor import Actor
from smart_gateway.persistence.db import make_engine, migrate
from smart_gateway.persistence.tables import (
    agreement, company, instance, instance_line, link,
)

NOW = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
DUE = dt.date(2026, 6, 1)


def build(engine, n: int) -> None:
    rows, lines, links = [], [], []

    def node(i, comp, t, number, partner, qty, pk=None):
        rows.append(dict(id=i, company=comp, doc_type=t, number=number, partner=partner,
                         state="Created", rush=False, rush_rule=None, quantity=Decimal(qty),
                         referenced_quantity=Decimal(0), partner_key=pk, issue_date=DUE,
                         requested_date=DUE, currency=None, note=None, created_at=NOW,
                         updated_at=NOW, completed_at=None, version=1))
        lines.append(dict(instance_id=i, line_no=1, item="ITEM", description=None,
                          quantity=Decimal(qty), unit="EA", unit_price=None, requested_date=DUE))

    node(1, "MOTHER", "PurchaseOrder", "PO-M", "T1", 2 * n, "T1.SalesOrder.SO-1")
    node(2, "T1", "SalesOrder", "SO-1", "MOTHER", 2 * n, "MOTHER.PurchaseOrder.PO-M")
    links.append(dict(source_id=1, target_id=2, quantity=Decimal(2 * n), scope="ER-TDN"))
    for k in range(n):
        po, so = 3 + 2 * k, 4 + 2 * k
        node(po, "T1", "PurchaseOrder", f"PO-{k}", "T2", 2, f"T2.SalesOrder.SO-{k}")
        node(so, "T2", "SalesOrder", f"SO-{k}", "T1", 2, f"T1.PurchaseOrder.PO-{k}")
        links.append(dict(source_id=2, target_id=po, quantity=Decimal(2), scope="RA-TDN"))
        links.append(dict(source_id=po, target_id=so, quantity=Decimal(2), scope="ER-TDN"))
    with engine.begin() as c:
        c.execute(insert(company), [dict(code=x, name=x, tier=t, role="supplier", erp_kind="csv",
                                         transport="pull", endpoint=None)
                                    for t, x in enumerate(["MOTHER", "T1", "T2"])])
        c.execute(insert(agreement), [dict(buyer="MOTHER", supplier="T1", lead_time_days=0),
                                      dict(buyer="T1", supplier="T2", lead_time_days=0)])
        c.execute(insert(instance), rows)
        c.execute(insert(instance_line), lines)
        c.execute(insert(link), links)
        if engine.dialect.name == "postgresql":
            c.execute(text("SELECT setval('gw_instance_id_seq', 100000)"))


def run(url: str, n: int) -> tuple[int, float, float]:
    engine = make_engine(url)
    migrate(engine)
    build(engine, n)
    key, actor = DocKey("MOTHER", DocType.PURCHASE_ORDER, "PO-M"), Actor("bench", "MOTHER")
    t0 = time.perf_counter()
    with engine.begin() as c:
        planned = service.change(c, actor, key, cancel=False, lines={1: Decimal(n)}, now=NOW,
                                 dry_run=True)
    t1 = time.perf_counter()
    with engine.begin() as c:
        done = service.change(c, actor, key, cancel=False, lines={1: Decimal(n)}, now=NOW)
    t2 = time.perf_counter()
    assert len(done.plan.applied) == len(planned.plan.steps) == 2 + 2 * n
    engine.dispose()
    return 2 + 2 * n, t1 - t0, t2 - t1


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else None
    results = []
    for n in (499, 4999):
        if base is None:
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        else:
            schema = f"b_{uuid.uuid4().hex[:10]}"
            admin = make_engine(base)
            with admin.begin() as c:
                c.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
        size, plan_s, update_s = run(url, n)
        results.append((size, plan_s, update_s))
        print(f"{size:>6} instances reached: PlanChange {plan_s:7.3f} s   "
              f"UpdateTransaction {update_s:7.3f} s")
        if base is not None:
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    (s1, p1, u1), (s2, p2, u2) = results
    print(f"ratio {s2 // s1}x instances: PlanChange x{p2 / p1:.1f}, UpdateTransaction x{u2 / u1:.1f}")


if __name__ == "__main__":
    main()
