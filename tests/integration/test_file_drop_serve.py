"""`smart-gateway serve` runs the file drop in its worker loop: a file dropped into one
partner's in/ comes out, in the other partner's format and part code, in its out/."""
from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

from adapters import canonical_doc as cd
from fixtures.serve_process import free_port, start_serve, stop
from adapters.base import AdapterContext, Canonical, Purpose
from adapters.registry import adapter_for

NETWORK = """
[network]
name = "file drops"

[[company]]
code = "BUYER"
name = "Buyer on X12"
tier = 0
role = "mother"
erp_kind = "x12-4010"
transport = "file"
[company.format]
drop_folder = "${DROP}/buyer"
[company.credentials]
username = "buyer"
secret = "buyer-secret"

[[company]]
code = "SELLER"
name = "Seller on CSV"
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
lead_time_days = 5
[[agreement.item]]
item = "BOLT"
supplier_part = "S-BOLT-M8"
"""


def test_serve_carries_a_dropped_x12_order_to_the_sellers_csv_folder(tmp_path):
    network = tmp_path / "network.toml"
    network.write_text(NETWORK)
    env = {**os.environ, "SMART_GATEWAY_SQLITE_PATH": str(tmp_path / "gw.db"),
           "SMART_GATEWAY_PORT": str(free_port()), "DROP": str(tmp_path / "drop")}
    env.pop("SMART_GATEWAY_DATABASE_URL", None)
    order = cd.Doc(type="PurchaseOrder", number="B-77", company="BUYER", partner="SELLER",
                   issue_date=dt.date(2030, 1, 1),
                   lines=(cd.DocLine(1, "BOLT", Decimal(250), "EA"),))
    data = adapter_for("x12-4010").write([Canonical(Purpose.ORIGINAL, cd.to_element(order))],
                                         AdapterContext("BUYER", "SELLER"))
    inbox = tmp_path / "drop" / "buyer" / "in"
    inbox.mkdir(parents=True)
    (inbox / ".po-77.x12.part").write_bytes(data)   # still being written: left alone
    proc = start_serve(network, env)
    try:
        os.replace(inbox / ".po-77.x12.part", inbox / "po-77.x12")
        out = tmp_path / "drop" / "seller" / "out"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not list(out.glob("*.csv")):
            time.sleep(0.2)
        [written] = out.glob("*.csv")
        text = written.read_text(encoding="utf-8-sig")
        assert "B-77" in text and "S-BOLT-M8" in text and ",250," in text
        assert (tmp_path / "drop" / "buyer" / "done" / "po-77.x12").exists()
    finally:
        stop(proc)
