"""GetTrace latency over SOAP against a bare recursive SQL query, on TDINs of growing size.

    python -m bench.trace_latency [--sizes 100000,1000000] [--calls 30]
                                  [--databases sqlite,postgres] [--postgres-url URL]

For each database and TDIN size: a fresh database, migrated, filled by
bench/tdin.py (a mother-company order whose trace holds ~4,000 instances, a
tier-2 order whose trace holds ~70, and filler networks up to the size), the
gateway under gunicorn (one sync worker), then for each of the two orders:
GetTrace as the administrator over HTTP (request sent, whole response read),
and in the same run the bare recursive query that finds the same instances
(ids by a recursive CTE over gw_link both ways, then their rows).  Prints the
median and 99th percentile of each and their ratio; the goal is GetTrace
within twice the bare query.
"""
from __future__ import annotations

import argparse
import http.client
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from bench.submit_throughput import Server
from bench.tdin import ADMIN, generate
from smart_gateway.persistence.db import make_engine, migrate

NS = "urn:smart-gateway:v1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"

BARE = {
    # SQLite takes several recursive SELECTs in one CTE: one per link direction.
    "sqlite": """
        WITH RECURSIVE reach(id) AS (
            SELECT :root
            UNION SELECT l.target_id FROM gw_link l JOIN reach r ON l.source_id = r.id
            UNION SELECT l.source_id FROM gw_link l JOIN reach r ON l.target_id = r.id)
        SELECT i.* FROM gw_instance i JOIN reach ON i.id = reach.id""",
    # PostgreSQL takes one recursive term: both directions through LATERAL.
    "postgresql": """
        WITH RECURSIVE reach(id) AS (
            SELECT CAST(:root AS BIGINT)
            UNION SELECT n.id FROM reach r CROSS JOIN LATERAL (
                SELECT target_id AS id FROM gw_link WHERE source_id = r.id
                UNION ALL SELECT source_id FROM gw_link WHERE target_id = r.id) n)
        SELECT i.* FROM gw_instance i JOIN reach ON i.id = reach.id""",
}


def envelope(company: str, number: str, doc_type: str) -> bytes:
    return (f'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:g="{NS}">'
            f'<e:Header><s:Security xmlns:s="{WSSE}"><s:UsernameToken>'
            f"<s:Username>{ADMIN[0]}</s:Username><s:Password>{ADMIN[1]}</s:Password>"
            f"</s:UsernameToken></s:Security></e:Header><e:Body><g:GetTrace>"
            f"<g:company>{company}</g:company><g:number>{number}</g:number><g:type>{doc_type}</g:type>"
            f"</g:GetTrace></e:Body></e:Envelope>").encode()


def get_trace(port: int, body: bytes) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    conn.request("POST", "/soap", body, {"Content-Type": "text/xml; charset=utf-8"})
    resp = conn.getresponse()
    data = resp.read()
    elapsed = time.perf_counter() - t0
    conn.close()
    if resp.status != 200 or b"GetTraceResponse" not in data:
        raise RuntimeError(f"GetTrace failed: HTTP {resp.status} {data[:300]!r}")
    return elapsed, data.count(b"<node>") + data.count(b":node>")


def bare(engine, root_id: int) -> tuple[float, int]:
    sql = text(BARE[engine.dialect.name])
    with engine.connect() as conn:
        t0 = time.perf_counter()
        rows = conn.execute(sql, {"root": root_id}).all()
        return time.perf_counter() - t0, len(rows)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round((len(s) - 1) * p / 100))]


def measure(label: str, url: str, size: int, calls: int, workdir: Path) -> list[dict]:
    print(f"== {label}, TDIN of {size:,} instances", flush=True)
    engine = make_engine(url)
    migrate(engine)
    t0 = time.perf_counter()
    gen = generate(engine, total=size, progress=lambda m: print(m, flush=True))
    print(f"   generated in {time.perf_counter() - t0:.0f} s", flush=True)
    server = Server("bench.apps:gateway_app()", {"BENCH_DB_URL": url}, 1,
                    workdir / f"gunicorn-{label}-{size}.log")
    out = []
    try:
        server.wait_ready()
        with engine.connect() as conn:
            ids = {key: conn.execute(text(
                "SELECT id FROM gw_instance WHERE company = :c AND doc_type = :t AND number = :n"),
                dict(c=key[0], t=key[1], n=key[2])).scalar_one()
                for key in (gen.large_root, gen.small_root)}
        for name, key in (("mother order", gen.large_root), ("tier-2 order", gen.small_root)):
            body = envelope(key[0], key[2], key[1])
            for _ in range(3):
                get_trace(server.port, body), bare(engine, ids[key])
            soap, sql, nodes, rows = [], [], 0, 0
            for _ in range(calls):  # interleaved, so drift weighs on both alike
                s, nodes = get_trace(server.port, body)
                q, rows = bare(engine, ids[key])
                soap.append(s)
                sql.append(q)
            if nodes != rows:
                raise RuntimeError(f"GetTrace returned {nodes} nodes, the bare query {rows} rows")
            r = {"database": label, "size": size, "trace": name, "instances": nodes,
                 "soap_p50_ms": statistics.median(soap) * 1e3, "soap_p99_ms": pct(soap, 99) * 1e3,
                 "sql_p50_ms": statistics.median(sql) * 1e3, "sql_p99_ms": pct(sql, 99) * 1e3}
            r["ratio_p50"] = r["soap_p50_ms"] / r["sql_p50_ms"]
            out.append(r)
            print(f"   {name:<13} {nodes:>6} instances: GetTrace p50 {r['soap_p50_ms']:8.2f} ms "
                  f"p99 {r['soap_p99_ms']:8.2f} ms | bare query p50 {r['sql_p50_ms']:8.2f} ms "
                  f"p99 {r['sql_p99_ms']:8.2f} ms | ratio {r['ratio_p50']:.2f}x", flush=True)
    finally:
        server.stop()
        engine.dispose()
    return out


def postgres_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--databases", default="sqlite,postgres")
    ap.add_argument("--postgres-url", default=os.environ.get(
        "SMART_GATEWAY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="smart-trace-") as tmp:
        work = Path(tmp)
        for db in args.databases.split(","):
            for size in sizes:
                if db == "sqlite":
                    results += measure("SQLite", f"sqlite:///{work}/tdin-{size}.db", size,
                                       args.calls, work)
                else:
                    url, schema = postgres_schema_url(args.postgres_url)
                    try:
                        results += measure("PostgreSQL", url, size, args.calls, work)
                    finally:
                        drop_schema(args.postgres_url, schema)
    worst = max(r["ratio_p50"] for r in results)
    print(f"\nGetTrace / bare query (median), worst case: {worst:.2f}x; goal 2x: "
          f"{'MET' if worst <= 2 else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
