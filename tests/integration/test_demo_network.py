"""The whole demo network over real HTTP with zeep, on SQLite and PostgreSQL.

One order from the mother company runs down every tier to RAW and the
deliveries run back up; every delivery is invoiced and every invoice paid,
and the mother returns a few units once.  Then the TDIN and the agent
registry are checked against what the paper promises, and GetTrace is
compared with the database.
"""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from smart_gateway.domain.documents import PROPAGATION, AgentKind, DocType
from smart_gateway.persistence import tables as T
from smart_gateway.simulator.network_sim import DemoNetwork
from smart_gateway.testing import start_gateway

TIERS = ["MOTHER", "T1A", "T1B", "T2A", "T2B", "T3A", "RAW"]
ROOT = Path(__file__).resolve().parents[2]
UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


@pytest.fixture
def demo(engine, tmp_path):
    gw = start_gateway(engine)
    net = DemoNetwork.start(gw, drop_dir=tmp_path / "drop")
    orders = net.place_order(100)
    net.run_until_quiet(max_rounds=60)
    yield net, orders
    net.stop()
    gw.stop()


def _db(engine):
    with engine.connect() as conn:
        instances = {r["id"]: dict(r) for r in conn.execute(select(T.instance)).mappings()}
        links = [dict(r) for r in conn.execute(select(T.link)).mappings()]
        agents = [dict(r) for r in conn.execute(select(T.agent)).mappings()]
        outbox = [dict(r) for r in conn.execute(select(T.outbox)).mappings()]
    return instances, links, agents, outbox


def _lines(engine):
    with engine.connect() as conn:
        out: dict[int, list[dict]] = {}
        for r in conn.execute(select(T.instance_line)).mappings():
            out.setdefault(r["instance_id"], []).append(dict(r))
    return out


# the sending document of each agent kind, and the receiver's counterpart
SENT_BY = {kind: (sent.value, counterpart.value) for sent, (kind, counterpart) in PROPAGATION.items()
           if sent != DocType.OUTSOURCING_ORDER}
ALL_KINDS = {k.value for k in AgentKind}


def _key(row) -> str:
    return f"{row['company']}.{row['doc_type']}.{row['number']}"


def _trace_graph(gw, company, number, doc_type):
    found = gw.client("hq-admin", "HQ-ADMIN-secret").service.GetTrace(
        company=company, number=number, type=doc_type)
    nodes = {n.id for n in found.node}
    edges = Counter((e["from"], e.to, e.scope) for e in found.edge)
    return nodes, edges


def test_demo_order_runs_through_every_tier_and_traces_back(demo, engine):
    net, orders = demo
    instances, links, agents, outbox = _db(engine)
    by_key = {_key(r): r for r in instances.values()}
    types_at = {c: {r["doc_type"] for r in instances.values() if r["company"] == c} for c in TIERS}

    # Orders reach RAW through every tier; deliveries flow back up to the mother.
    for code in TIERS[1:]:
        assert "SalesOrder" in types_at[code], code
    for code in ["T1A", "T1B", "T2A", "T2B", "T3A", "RAW"]:
        assert "Delivery" in types_at[code], code
    for code in ["MOTHER", "T1A", "T1B", "T2A", "T2B", "T3A"]:
        assert "Receiving" in types_at[code], code
    # Leagile: T2B served part of its chipset demand from stock, so it ordered less than it sold.
    sold = sum(r["quantity"] for r in instances.values()
               if r["company"] == "T2B" and r["doc_type"] == "SalesOrder")
    bought = sum(r["quantity"] for r in instances.values()
                 if r["company"] == "T2B" and r["doc_type"] == "PurchaseOrder")
    assert bought < sold

    # Every message was delivered, and every agent ended Created.
    assert {o["state"] for o in outbox} == {"delivered"}
    assert agents and {a["state"] for a in agents} == {"Created"}

    # The inter-company foreign key, both ways, for every propagated document.
    for a in agents:
        source, target = instances[a["source_instance_id"]], instances[a["target_instance_id"]]
        assert source["partner_key"] == _key(target)
        assert target["partner_key"] == _key(source)
        assert a["inter_company_fk"] == _key(target)

    # The mother's purchase orders were delivered in full.
    for number in orders:
        po = by_key[f"MOTHER.PurchaseOrder.{number}"]
        assert po["state"] == "CompletelyReferenced" and po["referenced_quantity"] == 100
    # ... less the 2 units of its first receiving it sent back (one Return).
    (returned_from,) = net.erps["MOTHER"].returns.values()
    returned_item = next(r for r in instances.values() if r["company"] == "MOTHER"
                         and r["doc_type"] == "Receiving" and r["number"] == returned_from)
    returned_item = _lines(engine)[returned_item["id"]][0]["item"]
    expected_stock = {"MAINBOARD": 100, "DISPLAY-MODULE": 100}
    expected_stock[returned_item] -= 2
    assert net.erps["MOTHER"].stock == expected_stock
    # Split shipments: T1A shipped 60 then 40.
    t1a = sorted(r["quantity"] for r in instances.values()
                 if r["company"] == "T1A" and r["doc_type"] == "Delivery")
    assert t1a == [40, 60]

    # GetTrace as the administrator, from each of the mother's orders, returns exactly the
    # connected part of the TDIN the database holds; the two orders together cover all of it.
    traced_nodes, traced_edges = set(), Counter()
    traces = {}
    for number in orders:
        nodes, edges = _trace_graph(net.gateway, "MOTHER", number, "PurchaseOrder")
        root = by_key[f"MOTHER.PurchaseOrder.{number}"]["id"]
        component = _component(root, links)
        assert nodes == {_key(instances[i]) for i in component}
        assert edges == Counter((_key(instances[ln["source_id"]]), _key(instances[ln["target_id"]]),
                                 ln["scope"]) for ln in links if ln["source_id"] in component)
        traced_nodes |= nodes
        traced_edges += edges
        traces[number] = (nodes, edges)
    assert traced_nodes == set(by_key)
    assert sum(traced_edges.values()) == len(links)
    # The same graph from the far end: each of RAW's deliveries traces back to a mother order.
    raw_deliveries = [r for r in instances.values()
                      if r["company"] == "RAW" and r["doc_type"] == "Delivery"]
    assert raw_deliveries
    for row in raw_deliveries:
        graph = _trace_graph(net.gateway, "RAW", row["number"], "Delivery")
        assert graph in traces.values()
        assert any(_key(row) in nodes for nodes, _ in traces.values())
    # The mainboard order reaches RAW: its trace contains a RAW delivery.
    assert any(k.startswith("RAW.Delivery.") for k in traces[orders[0]][0])

    # Every TPA kind is in the registry, and in the trace from the mother's orders: each
    # kind's sent document and its counterpart are traced nodes, and its agents' keys too.
    assert {a["kind"] for a in agents} == ALL_KINDS
    traced_types = {n.split(".")[1] for n in traced_nodes}
    for kind, (sent, counterpart) in SENT_BY.items():
        assert {sent, counterpart} <= traced_types, kind
    assert {a["kind"] for a in agents
            if a["primary_key"] in traced_nodes and a["inter_company_fk"] in traced_nodes} \
        == ALL_KINDS
    # Each of the mother's two orders has its own invoices and payments in its trace.
    for number in orders:
        types = {n.split(".")[1] for n in traces[number][0]}
        assert {"AccountReceivable", "AccountPayable", "Payment", "Receipt"} <= types, number


def test_demo_invoices_pays_and_returns(demo, engine):
    net, _ = demo
    instances, links, agents, outbox = _db(engine)
    lines = _lines(engine)
    of_type = {t: [r for r in instances.values() if r["doc_type"] == t]
               for t in {r["doc_type"] for r in instances.values()}}
    sources = {}   # instance id -> the instances it was linked from (RA-TDN: its references)
    for ln in links:
        if ln["scope"] == "RA-TDN":
            sources.setdefault(ln["target_id"], []).append(instances[ln["source_id"]])
    price = {(a.buyer, a.supplier, it.item): it.unit_price
             for a in net.network.agreements for it in a.items}
    kinds = Counter(a["kind"] for a in agents)

    # Every delivery was invoiced in full, once, at the agreed unit price: the delivery
    # is CompletelyReferenced and its invoice became the buyer's AccountPayable.
    assert len(of_type["AccountReceivable"]) == len(of_type["Delivery"]) == kinds["A-TPA"] \
        == kinds["D-TPA"]
    invoiced = Counter()
    for ar in of_type["AccountReceivable"]:
        (dl,) = sources[ar["id"]]
        assert dl["doc_type"] == "Delivery" and dl["company"] == ar["company"]
        assert dl["state"] == "CompletelyReferenced" and dl["referenced_quantity"] == dl["quantity"]
        assert ar["quantity"] == dl["quantity"] and ar["partner"] == dl["partner"]
        for line in lines[ar["id"]]:
            assert line["unit_price"] == price[(ar["partner"], ar["company"], line["item"])]
        assert ar["partner_key"].startswith(f"{ar['partner']}.AccountPayable.")
        invoiced[dl["id"]] += 1
    assert set(invoiced.values()) == {1}

    # Every AccountPayable has its Payment, for the full quantity, to the supplier,
    # and the supplier acknowledged each payment with a Receipt.
    assert len(of_type["AccountPayable"]) == len(of_type["Payment"]) == len(of_type["Receipt"]) \
        == kinds["P-TPA"] == kinds["A-TPA"]
    paid = Counter()
    for pay in of_type["Payment"]:
        (ap,) = sources[pay["id"]]
        assert ap["doc_type"] == "AccountPayable" and ap["company"] == pay["company"]
        assert ap["state"] == "CompletelyReferenced" and pay["quantity"] == ap["quantity"]
        assert pay["partner"] == ap["partner"]
        assert pay["partner_key"].startswith(f"{pay['partner']}.Receipt.")
        paid[ap["id"]] += 1
    assert set(paid) == {ap["id"] for ap in of_type["AccountPayable"]}
    assert set(paid.values()) == {1}

    # Exactly one Return and one ReturnReceiving: the mother sends 2 units of one of its
    # receivings back to the supplier that delivered them; both sides carry the other's key.
    (ret,) = of_type["Return"]
    (rr,) = of_type["ReturnReceiving"]
    assert kinds["R-TPA"] == 1
    (rc,) = sources[ret["id"]]
    assert (ret["company"], rc["company"], rc["doc_type"]) == ("MOTHER", "MOTHER", "Receiving")
    assert ret["quantity"] == 2 and rc["referenced_quantity"] == 2
    assert rc["state"] == "PartiallyReferenced"
    assert ret["partner"] == rc["partner"] == rr["company"]
    assert ret["partner_key"] == _key(rr) and rr["partner_key"] == _key(ret)
    assert rc["partner_key"].startswith(f"{rr['company']}.Delivery.")


def _x12_segments(data: bytes) -> list[list[str]]:
    return [s.strip().split("*") for s in data.decode().split("~") if s.strip()]


def test_demo_order_reaches_each_tier_in_its_own_format(demo, engine):
    """The mother's mainboard order, followed down the tiers: a SAP IDoc leaves the
    mother, T2A gets an X12 850 file and T3A a CSV file, each with its own part code;
    the display order reaches T1B as a UBL Order from FetchInbox; the deliveries come
    back to SAP's own endpoint as IDocs.  Values are read out of the native bytes."""
    net, orders = demo
    mainboard, display = orders
    instances, links, _, _ = _db(engine)
    by_id = {r["id"]: r for r in instances.values()}
    key = {_key(r): r["id"] for r in instances.values()}
    in_trace = {_key(by_id[i]) for i in _component(key[f"MOTHER.PurchaseOrder.{mainboard}"], links)}
    erps = net.erps

    # MOTHER's SAP sent its orders as ORDERS05 IDocs (SubmitNative) ...
    sent = [etree.fromstring(data) for _, data in erps["MOTHER"].native_sent]
    ordered = {root.findtext("IDOC/E1EDK01/BELNR"): root for root in sent
               if root.findtext("IDOC/EDI_DC40/MESTYP") == "ORDERS"}
    assert {mainboard, display} <= set(ordered)   # (the mother's Return is an ORDERS too)
    assert ordered[mainboard].findtext("IDOC/E1EDP01/E1EDP19/IDTNR") == "MAINBOARD"
    assert Decimal(ordered[mainboard].findtext("IDOC/E1EDP01/MENGE")) == 100
    # ... and got the deliveries as DESADV IDocs at its own IDoc endpoint
    desadv = [etree.fromstring(i.data) for i in net.sap.received]
    desadv = [r for r in desadv if r.findtext("IDOC/EDI_DC40/MESTYP") == "DESADV"]
    assert sum(Decimal(r.findtext("IDOC/E1EDP01/MENGE")) for r in desadv
               if r.findtext("IDOC/E1EDP01/E1EDP19/IDTNR") == "MAINBOARD") == 100
    assert all("MOTHER.Receiving." in by_id[key[f"{r.findtext('IDOC/E1EDKA1/PARTN')}.Delivery."
                                                f"{r.findtext('IDOC/E1EDK01/BELNR')}"]]
               ["partner_key"] for r in desadv)

    # T1B pulled the display order as a UBL Order (FetchInbox, native element)
    ubl = [etree.fromstring(data) for _, data in erps["T1B"].native_seen]
    [order] = [r for r in ubl if etree.QName(r).localname == "Order"]
    assert order.xpath("string(cbc:ID)", namespaces=UBL) == display
    assert order.xpath("string(cac:OrderLine/cac:LineItem/cac:Item/cac:SellersItemIdentification"
                       "/cbc:ID)", namespaces=UBL) == "HG-OLED-61-FHD"
    assert Decimal(order.xpath("string(cac:OrderLine/cac:LineItem/cbc:Quantity)",
                               namespaces=UBL)) == 100

    # T2A got T1A's order for the mainboard's PCBs as an X12 850 file, in its part code
    drop = net.drop_dir
    x12 = {p.name: _x12_segments(p.read_bytes()) for p in (drop / "T2A" / "read").glob("*.x12")}
    orders_850 = [segs for segs in x12.values() if ["ST", "850", "0001"] == segs[2][:3]]
    assert len(orders_850) == 1
    [segs] = orders_850
    tags = [s[0] for s in segs]
    beg, po1 = segs[tags.index("BEG")], segs[tags.index("PO1")]
    assert f"T1A.PurchaseOrder.{beg[3]}" in in_trace
    assert "PCW-8L-160" in po1 and Decimal(po1[2]) == 100
    # ... and T2A's order for laminate went to the gateway as an X12 file it dropped
    assert any(b"ST*850" in data for _, data in erps["T2A"].native_sent)

    # T3A got T2A's order as a CSV file, in the part code it sells to T2A
    files = [list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8-sig"))))
             for p in (drop / "T3A" / "read").glob("*.csv")]
    purchase_orders = {rows[0]["company"]: rows for rows in files
                       if rows[0]["record"] == "H" and rows[0]["document_type"] == "PurchaseOrder"}
    assert set(purchase_orders) == {"T2A", "T2B"}
    po = purchase_orders["T2A"]
    assert po[0]["partner"] == "T3A" and f"T2A.PurchaseOrder.{po[0]['number']}" in in_trace
    [line] = [r for r in po if r["record"] == "L"]
    assert line["item"] == "DL-FR4-16-1OZ" and Decimal(line["quantity"]) > 0
    # T2B's order (the chipset's laminate) came in T3A's other part code for the same item
    assert [r["item"] for r in purchase_orders["T2B"] if r["record"] == "L"] == ["DL-BT-04-HF"]
    # every file dropped into the gateway's in/ folders was taken, none refused
    for code in ("T2A", "T3A"):
        assert not list((drop / code / "in").iterdir())
        assert not list((drop / code / "rejected").iterdir())
        done = [p for p in (drop / code / "done").iterdir()
                if not p.name.endswith(".result.xml")]
        assert len(done) == len(erps[code].native_sent)
        # ... each with what became of its documents beside it
        assert all((p.parent / f"{p.name}.result.xml").is_file() for p in done)


def _component(start: int, links: list[dict]) -> set[int]:
    """The instance ids connected to start by links in either direction."""
    neighbours: dict[int, set[int]] = {}
    for ln in links:
        neighbours.setdefault(ln["source_id"], set()).add(ln["target_id"])
        neighbours.setdefault(ln["target_id"], set()).add(ln["source_id"])
    seen, todo = {start}, [start]
    while todo:
        for nxt in neighbours.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen

def test_cli_demo_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMART_GATEWAY_")}
    env["SMART_GATEWAY_SQLITE_PATH"] = str(tmp_path / "demo.db")
    # the adapters package sits next to smart_gateway in the source tree
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "smart_gateway.cli", "demo", "--once"],
                          env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "quiet after" in done.stdout
    assert "agents by kind: O-TPA " in done.stdout and ", R-TPA 1\n" in done.stdout
    assert "MOTHER.Return." in done.stdout and "ReturnReceiving." in done.stdout
    assert "tier 4" in done.stdout and "RAW.Delivery." in done.stdout
    assert "SMART gateway listening on http://127.0.0.1:" in done.stdout
    assert "native formats: MOTHER sap-idoc " in done.stdout
    assert list((tmp_path / "demo-drop" / "T2A" / "read").glob("*.x12"))
    assert list((tmp_path / "demo-drop" / "T3A" / "read").glob("*.csv"))
    # The same database can be traced from the command line afterwards.
    traced = subprocess.run([sys.executable, "-m", "smart_gateway.cli", "trace", "MOTHER",
                             "MOTHER-PO-0001", "--json"], env=env, capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr
    assert '"root": "MOTHER.PurchaseOrder.MOTHER-PO-0001"' in traced.stdout
