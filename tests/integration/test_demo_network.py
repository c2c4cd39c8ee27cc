"""The whole demo network over real HTTP with zeep, on SQLite and PostgreSQL.

One order from the mother company runs down every tier to RAW and the
deliveries run back up; then the TDIN and the agent registry are checked
against what the paper promises, and GetTrace is compared with the database.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import select

from smart_gateway.persistence import tables as T
from smart_gateway.simulator.network_sim import DemoNetwork
from smart_gateway.testing import start_gateway

TIERS = ["MOTHER", "T1A", "T1B", "T2A", "T2B", "T3A", "RAW"]


@pytest.fixture
def demo(engine):
    gw = start_gateway(engine)
    net = DemoNetwork.start(gw)
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
    assert net.erps["MOTHER"].stock == {"MAINBOARD": 100, "DISPLAY-MODULE": 100}
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
    done = subprocess.run([sys.executable, "-m", "smart_gateway.cli", "demo", "--once"],
                          env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "quiet after" in done.stdout
    assert "tier 4" in done.stdout and "RAW.Delivery." in done.stdout
    assert "SMART gateway listening on http://127.0.0.1:" in done.stdout
    # The same database can be traced from the command line afterwards.
    traced = subprocess.run([sys.executable, "-m", "smart_gateway.cli", "trace", "MOTHER",
                             "MOTHER-PO-0001", "--json"], env=env, capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr
    assert '"root": "MOTHER.PurchaseOrder.MOTHER-PO-0001"' in traced.stdout
