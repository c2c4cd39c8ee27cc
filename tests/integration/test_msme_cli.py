"""`smart-gateway msme ...` on a real database: what an operator types."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from fixtures.gw_network import install_network
from smart_gateway import cli
from smart_gateway.domain.documents import DocKey, DocType, Document, Line
from smart_gateway.hq.actor import Actor
from smart_gateway.msme import bom, documents


@pytest.fixture
def operator(engine, monkeypatch):
    install_network(engine)
    monkeypatch.setenv("SMART_GATEWAY_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        bom.report(conn, Actor("t1a", "T1A"), company="T1A", item="C1",
                   components=[("R", D(2), "KG", "T2A")], operations=[(10, "PRESS", D(3))])
        po = Document(key=DocKey("MOTHER", DocType.PURCHASE_ORDER, "PO-9"), partner="T1A",
                      issue_date=dt.date(2020, 1, 1), requested_date=dt.date(2020, 2, 1),
                      lines=(Line(1, "C1", D(8), "EA"),))
        documents.place(conn, Actor("mother", "MOTHER"), po, message_id="CLI-1",
                        now=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    return engine


def test_inventory_estimate_explode_alerts_and_track(operator, capsys):
    assert cli.main(["msme", "inventory", "T2A", "R=100:KG"]) == 0
    assert "recorded 1 level(s) for T2A" in capsys.readouterr().out
    # 5 C1 at T1A: 10 R from T2A's stock, + 10 days lead, + 3 days press = Jan 18
    assert cli.main(["msme", "estimate", "T1A", "C1", "5", "--date", "2026-01-05",
                     "--json"]) == 0
    path = json.loads(capsys.readouterr().out)
    assert [(s["company"], s["ready"]) for s in path] == [("T1A", "2026-01-18"),
                                                         ("T2A", "2026-01-15")]
    assert cli.main(["msme", "explode", "T1A", "C1", "5"]) == 0
    assert "T2A" in capsys.readouterr().out
    # PO-9 was due in 2020 and nothing came: overdue, raised now and listed
    assert cli.main(["msme", "alerts", "--raise", "--json"]) == 0
    [alert] = json.loads(capsys.readouterr().out)
    assert (alert["kind"], alert["order"], alert["remaining"]) == (
        "DeliveryOverdue", "MOTHER.PurchaseOrder.PO-9", "8")
    assert cli.main(["msme", "track", "MOTHER", "PO-9"]) == 0
    assert "2020-02-01" in capsys.readouterr().out


def test_a_bad_level_is_refused_with_the_expected_form(operator, capsys):
    with pytest.raises(SystemExit, match="ITEM=QUANTITY:UNIT"):
        cli.main(["msme", "inventory", "T2A", "R=lots"])
