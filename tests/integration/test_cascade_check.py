"""`smart-gateway check`: silent and 0 on a consistent TDIN; each violation with its instances, and 1.

The broken TDINs are written straight into the tables (the gateway itself
refuses to write them) and repaired before the test ends, so that the
checker run after every test (conftest.py) sees a consistent TDIN again.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from fixtures.gw_network import chain
from smart_gateway.cli import main
from smart_gateway.persistence import tables as T


def run_check(engine, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setenv("SMART_GATEWAY_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    status = main(["check"])
    return status, capsys.readouterr().out


def test_check_finds_nothing_then_names_each_broken_instance(gw, engine, monkeypatch, capsys):
    chain(gw)  # MOTHER PO-M1 -> T1A SO-1 -> PO-T1 -> T2A SO-T2, 10 each
    status, out = run_check(engine, monkeypatch, capsys)
    assert (status, out.strip()) == (0, "0 violations found")

    with engine.begin() as c:
        ids = {r.number: r.id for r in c.execute(T.instance.select())}
        # a sales order cancelled under a live purchase order it triggered
        c.execute(update(T.instance).where(T.instance.c.id == ids["SO-1"]).values(state="Canceled"))
        # a supplier's sales order that no longer mirrors the order it answers
        c.execute(update(T.instance_line).where(T.instance_line.c.instance_id == ids["SO-T2"])
                  .values(quantity=Decimal(7)))
        c.execute(update(T.instance).where(T.instance.c.id == ids["SO-T2"])
                  .values(quantity=Decimal(7)))
        # an inter-company foreign key naming nothing
        c.execute(update(T.instance).where(T.instance.c.id == ids["PO-M1"])
                  .values(partner_key="T1A.SalesOrder.GONE"))
    status, out = run_check(engine, monkeypatch, capsys)
    assert status == 1
    lines = out.strip().splitlines()
    assert lines[-1] == "5 violations found"
    assert ("[mirror] one end of inter-company link 1 is cancelled, the other not "
            "(MOTHER.PurchaseOrder.PO-M1, T1A.SalesOrder.SO-1)") in lines
    assert ("[cancelled] a live instance carries 10 from a cancelled one "
            "(T1A.PurchaseOrder.PO-T1, T1A.SalesOrder.SO-1)") in lines
    assert ("[mirror] inter-company link 3 carries 10 between 10 and 7 "
            "(T1A.PurchaseOrder.PO-T1, T2A.SalesOrder.SO-T2)") in lines
    assert ("[partner-key] its inter-company foreign key T1A.SalesOrder.GONE names no instance "
            "(MOTHER.PurchaseOrder.PO-M1)") in lines
    assert ("[partner-key] inter-company foreign keys do not name each other over an ER-TDN "
            "link (T1A.SalesOrder.SO-1, MOTHER.PurchaseOrder.PO-M1)") in lines

    # repaired: consistent again
    with engine.begin() as c:
        c.execute(update(T.instance).where(T.instance.c.id == ids["SO-1"]).values(state="Created"))
        c.execute(update(T.instance_line).where(T.instance_line.c.instance_id == ids["SO-T2"])
                  .values(quantity=Decimal(10)))
        c.execute(update(T.instance).where(T.instance.c.id == ids["SO-T2"])
                  .values(quantity=Decimal(10)))
        c.execute(update(T.instance).where(T.instance.c.id == ids["PO-M1"])
                  .values(partner_key="T1A.SalesOrder.SO-1"))
    assert run_check(engine, monkeypatch, capsys)[0] == 0
