"""`smart-gateway drop-poll`: the file drop processed once from the command line."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, Purpose
from adapters.registry import adapter_for
from smart_gateway import cli
from smart_gateway.network.loader import install, load_network_from_string
from smart_gateway.persistence import tables as T

NETWORK = """
[network]
name = "drop"

[[company]]
code = "BUYER"
name = "Buyer"
tier = 0
role = "mother"
erp_kind = "csv"
transport = "file"
[company.format]
drop_folder = "${DROP}/buyer"
[company.credentials]
username = "buyer"
secret = "buyer-secret"

[[company]]
code = "SELLER"
name = "Seller"
tier = 1
role = "supplier"
erp_kind = "csv"
transport = "file"
[company.format]
drop_folder = "${DROP}/seller"
[company.credentials]
username = "seller"
secret = "seller-secret"

[[agreement]]
buyer = "BUYER"
supplier = "SELLER"
lead_time_days = 1
[[agreement.item]]
item = "BOLT"
supplier_part = "S-BOLT-M8"
"""


def test_drop_poll_takes_a_csv_order_and_delivers_it_as_the_sellers_csv(engine, tmp_path,
                                                                        monkeypatch, capsys):
    with engine.begin() as conn:
        install(conn, load_network_from_string(NETWORK, variables={"DROP": str(tmp_path)}))
    monkeypatch.setenv("SMART_GATEWAY_DATABASE_URL",
                       engine.url.render_as_string(hide_password=False))
    order = cd.Doc(type="PurchaseOrder", number="B-1", company="BUYER", partner="SELLER",
                   issue_date=dt.date(2030, 1, 1),
                   lines=(cd.DocLine(1, "BOLT", Decimal(500), "EA", description="볼트 M8"),))
    data = adapter_for("csv").write([Canonical(Purpose.ORIGINAL, cd.to_element(order))],
                                    AdapterContext("BUYER", "SELLER"))
    (tmp_path / "buyer" / "in").mkdir(parents=True)
    (tmp_path / "buyer" / "in" / "order-b1.csv").write_bytes(data)

    assert cli.main(["drop-poll", "--deliver"]) == 0
    out = capsys.readouterr().out
    assert "in: 1 file(s) taken (1 document(s)), 0 rejected" in out
    assert "out: 1 delivered" in out
    [written] = (tmp_path / "seller" / "out").iterdir()
    text = written.read_text(encoding="utf-8-sig")
    assert written.name.startswith("MSG-") and written.suffix == ".csv"
    assert "S-BOLT-M8" in text and "볼트 M8" in text and ",500," in text
    # a file that is not CSV of the layout: refused, exit status 1, nothing written
    (tmp_path / "buyer" / "in" / "junk.csv").write_bytes(b"hello,world\n1,2\n")
    assert cli.main(["drop-poll"]) == 1
    assert "0 file(s) taken (0 document(s)), 1 rejected" in capsys.readouterr().out
    assert (tmp_path / "buyer" / "rejected" / "junk.csv.error.txt").exists()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(T.instance)).scalar_one() == 1
