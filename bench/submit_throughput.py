"""SubmitTransaction throughput: the gateway against a spyne-only and an lxml-only server.

    python -m bench.submit_throughput [--seconds 8] [--clients 4] [--lines 20] [--json-out PATH]

See bench/README.md for what each figure means.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import multiprocessing as mp
import os
import pstats
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import payload

REPO = Path(__file__).resolve().parents[1]
TARGET = 1.5  # gateway throughput / spyne-only throughput
SERVERS = [
    # key, label, factory
    ("gateway", "(a) gateway SubmitTransaction", "bench.apps:gateway_app()"),
    ("spyne", "(b) spyne-only (Soap11, no DB)", "bench.apps:spyne_app()"),
    ("lxml", "(c) lxml-only (parse + fixed reply)", "bench.apps:lxml_app()"),
]


# ------------------------------------------------------------------ servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn, 2 sync workers, on 127.0.0.1 and a free port, as a subprocess."""

    def __init__(self, factory: str, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync",
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "60",
             factory],
            cwd=REPO, env={**os.environ, **env, "PYTHONPATH": str(REPO)},
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.log_path = log_path

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n"
                                   f"{self.log_path.read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not listen on {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the arbiter stops its workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only its workers
                self.proc.wait(timeout=5)
        self.log.close()


# ------------------------------------------------------------------ clients

def _check(kind: str, status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:300]!r}"
    if kind in ("gateway", "spyne") and (b"SubmitTransactionResponse" not in body
                                          or b"Fault>" in body):
        return f"not a SubmitTransactionResponse: {body[:300]!r}"
    return None


def post(port: int, body: bytes, head: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 POST on a fresh connection, read until the server closes it.

    A plain socket rather than http.client: the clients share the two cores
    with the servers, and every microsecond a client spends is taken from the
    server being measured.  gunicorn's sync workers close the connection
    after each response, so reading to EOF is the whole protocol needed.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head + str(len(body)).encode() + b"\r\n\r\n" + body)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    status = int(data[9:12]) if data[:5] == b"HTTP/" else -1
    return status, data[data.find(b"\r\n\r\n") + 4:]


def client_worker(kind, port, tpl, run_tag, index, warmup, seconds, max_requests, barrier, out):
    """One client process: its warm-up share, then the timed loop.

    gunicorn's sync workers answer 'Connection: close', so each request opens
    a loopback TCP connection (the same for all three servers).
    """
    head = (f"POST /soap HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in payload.HEADERS.items())
            + "Content-Length: ").encode()
    failures, sample = 0, None

    def one(phase: str, seq: int) -> float:
        nonlocal failures, sample
        body = payload.request(tpl, f"{run_tag}-{phase}{index}-{seq}",
                               f"{run_tag}{phase}{index}-{seq}")
        t0 = time.perf_counter()
        try:
            status, data = post(port, body, head)
        except OSError as exc:
            status, data = -1, repr(exc).encode()
        elapsed = time.perf_counter() - t0
        if (problem := _check(kind, status, data)) is not None:
            failures += 1
            sample = sample or problem
        return elapsed

    for seq in range(warmup):
        one("W", seq)
    warm_failures = failures
    barrier.wait()
    start = time.perf_counter()
    deadline = start + seconds
    latencies = []
    seq = 0
    while seq < max_requests and time.perf_counter() < deadline:
        latencies.append(one("M", seq))
        seq += 1
    end = time.perf_counter()
    out.put({"index": index, "start": start, "end": end, "latencies": latencies,
             "warmup_failures": warm_failures, "failures": failures - warm_failures,
             "sample": sample})


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def load(kind: str, port: int, tpl: bytes, run_tag: str, args, *, seconds: float,
         warmup: int) -> dict:
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(args.clients)
    out = ctx.Queue()
    per_client_warmup = -(-warmup // args.clients)
    procs = [ctx.Process(target=client_worker, daemon=True,
                         args=(kind, port, tpl, run_tag, i, per_client_warmup, seconds,
                               args.max_requests, barrier, out))
             for i in range(args.clients)]
    for p in procs:
        p.start()
    try:
        results = [out.get(timeout=seconds + 300) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    start = min(r["start"] for r in results)
    end = max(r["end"] for r in results)
    return {
        "wall_s": end - start,
        "latencies": [x for r in results for x in r["latencies"]],
        "warmup_requests": per_client_warmup * args.clients,
        "warmup_failures": sum(r["warmup_failures"] for r in results),
        "failures": sum(r["failures"] for r in results),
        "failure_sample": next((r["sample"] for r in results if r["sample"]), None),
    }


def wrk_load(kind: str, port: int, tpl: bytes, run_tag: str, args, *, seconds: float,
             warmup: int, workdir: Path) -> dict:
    """One slice with wrk: ``--clients`` connections on two threads, the same request stream.

    wrk is a C load generator: it spends a few microseconds a request where a
    Python client spends a hundred, so less of the shared two cores goes to
    the clients and the figure is closer to the server's own cost.
    """
    template = workdir / "order.tpl"
    if not template.exists():
        template.write_bytes(tpl)
    env = {**os.environ, "BENCH_TEMPLATE": str(template),
           "BENCH_EXPECT": "SubmitTransactionResponse" if kind in ("gateway", "spyne") else ""}
    script = str(Path(__file__).with_name("wrk_submit.lua"))
    url = f"http://127.0.0.1:{port}/soap"
    warmed = 0
    if warmup:
        warm = subprocess.run(["wrk", "-t2", f"-c{args.clients}", "-d2s", "-s", script, url],
                              env={**env, "BENCH_TAG": f"{run_tag}W"}, capture_output=True,
                              text=True, timeout=60)
        line = next((ln for ln in warm.stdout.splitlines() if ln.startswith("RESULT ")), "")
        warmed = int(dict(i.split("=") for i in line.split()[1:]).get("requests", 0))
    proc = subprocess.run(["wrk", "-t2", f"-c{args.clients}", f"-d{max(seconds, 1):.0f}s",
                           "--timeout", "30s", "-s", script, url],
                          env={**env, "BENCH_TAG": run_tag}, capture_output=True, text=True,
                          timeout=seconds + 120)
    result = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode != 0 or result is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr[-500:]}")
    fields = dict(item.split("=") for item in result.split()[1:])
    bad = [ln for ln in proc.stderr.splitlines() if ln.startswith("BAD ")]
    requests = int(fields["requests"])
    return {
        "wall_s": int(fields["duration_us"]) / 1e6, "requests": requests,
        "pcts_ms": {p: int(fields[f"p{p}"]) / 1e3 for p in (50, 90, 99)},
        "mean_ms": float(fields["mean"]) / 1e3,
        "warmup_requests": warmed, "warmup_failures": 0, "wrk_runs": 2 if warmup else 1,
        "failures": len(bad) + int(fields["errors"]),
        "failure_sample": bad[0] if bad else None,
    }


def _slice_figures(sl: dict) -> tuple[int, dict, float]:
    if "latencies" in sl:  # the Python clients keep every latency
        lat = sorted(sl["latencies"])
        return (len(lat), {p: percentile(lat, p) * 1e3 for p in (50, 90, 99)},
                statistics.fmean(lat) * 1e3 if lat else float("nan"))
    return sl["requests"], sl["pcts_ms"], sl["mean_ms"]


def summarize(slices: list[dict]) -> dict:
    """One server's figures over all its time slices.

    Percentiles of several slices are their request-weighted mean (wrk gives
    percentiles, not samples); the slices are of equal length and load, so
    this stays close to the percentile of the pooled samples."""
    figures = [_slice_figures(sl) for sl in slices]
    n = sum(f[0] for f in figures)
    wall = sum(sl["wall_s"] for sl in slices)

    def weighted(p):
        return sum(f[0] * f[1][p] for f in figures) / n if n else float("nan")
    warmups = [sl["warmup_requests"] for sl in slices]
    return {
        "requests": n, "wall_s": wall, "rps": n / wall,
        "p50_ms": weighted(50), "p90_ms": weighted(90), "p99_ms": weighted(99),
        "mean_ms": sum(f[0] * f[2] for f in figures) / n if n else float("nan"),
        "slices": len(slices),
        "warmup_requests": sum(warmups),
        "warmup_failures": sum(sl["warmup_failures"] for sl in slices),
        "failures": sum(sl["failures"] for sl in slices),
        "failure_sample": next((sl["failure_sample"] for sl in slices
                                if sl["failure_sample"]), None),
    }


def gateway_rows(db_url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from smart_gateway.persistence.db import make_engine
    from smart_gateway.persistence.tables import instance, instance_line, outbox

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (instance, instance_line, outbox)}
    finally:
        engine.dispose()


# ------------------------------------------------------------------ in-process

def environ_for(body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/soap", "SCRIPT_NAME": "", "QUERY_STRING": "",
        "CONTENT_TYPE": "text/xml; charset=utf-8", "CONTENT_LENGTH": str(len(body)),
        "HTTP_SOAPACTION": '"SubmitTransaction"', "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


def wsgi_call(app, body: bytes) -> tuple[str, bytes]:
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    result = app(environ_for(body), start_response)
    try:
        data = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0], data


def per_call_us(fn, n: int, repeat: int = 3) -> float:
    """Best of ``repeat`` means, in µs, of ``fn(i)`` over ``n`` calls."""
    best = float("inf")
    counter = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            fn(counter)
            counter += 1
        best = min(best, (time.perf_counter() - t0) / n)
    return best * 1e6


def in_process(tpl: bytes, args, workdir: Path) -> tuple[dict, object]:
    from lxml import etree
    from spyne.util.xml import get_xml_as_object

    from smart_gateway.messages import safe_xml
    from smart_gateway.messages.schema import gateway_schema
    from smart_gateway.persistence.db import make_engine
    from smart_gateway.soap import types as t
    from smart_gateway.soap.app import GatewayWsgi

    from . import apps

    logging.getLogger("spyne.application.client").setLevel(logging.CRITICAL)
    body = payload.request(tpl, "INPROC-1", "INPROC-1")
    env_q = "{http://schemas.xmlsoap.org/soap/envelope/}Body"
    payload_el = next(iter(etree.fromstring(body).find(env_q)))
    schema = gateway_schema()
    assert schema.validate(payload_el), schema.error_log
    obj = get_xml_as_object(payload_el, t.SubmitTransaction)
    assert len(obj.document.line) == args.lines, obj
    n = args.inproc_n

    def parse_validate(_):
        root = safe_xml.parse(body)
        if not schema.validate(next(iter(root.find(env_q)))):
            raise AssertionError(schema.error_log)

    figures = {
        "lxml_parse_us": per_call_us(lambda _: etree.fromstring(body), n),
        "safe_xml_parse_us": per_call_us(lambda _: safe_xml.parse(body), n),
        "xsd_validate_us": per_call_us(lambda _: schema.validate(payload_el), n),
        "lxml_parse_plus_xsd_us": per_call_us(parse_validate, n),
        "spyne_deserialize_us": per_call_us(
            lambda _: get_xml_as_object(payload_el, t.SubmitTransaction), n),
    }
    spyne_wsgi = apps.spyne_app()
    lxml_wsgi = apps.lxml_app()
    for name, app in (("spyne_only_wsgi_us", spyne_wsgi), ("lxml_only_wsgi_us", lxml_wsgi)):
        status, data = wsgi_call(app, body)
        assert status.startswith("200"), (status, data[:300])
        figures[name] = per_call_us(lambda _, app=app: wsgi_call(app, body), n)

    # The whole gateway, called in-process: a fresh database of its own.
    gdir = workdir / "inproc"
    gdir.mkdir()
    engine = make_engine(payload.fresh_database(gdir))
    gateway = GatewayWsgi(engine)

    def gw(i, tag="I"):
        status, data = wsgi_call(gateway, payload.request(tpl, f"{tag}-{i}", f"{tag}-{i}"))
        if not status.startswith("200") or b"SubmitTransactionResponse" not in data:
            raise AssertionError(f"{status}: {data[:500]!r}")

    for i in range(50):
        gw(i, "IW")
    figures["gateway_wsgi_us"] = per_call_us(gw, max(n // 2, 50), repeat=1)

    profile = None
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for i in range(args.profile_n):
            gw(i, "IP")
        prof.disable()
        profile = prof
    engine.dispose()
    return figures, profile


def cpu_busy(seconds: float = 1.0) -> float | None:
    """Share of all CPUs busy during ``seconds`` (from /proc/stat): other load skews the figures."""
    def sample():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait
    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except OSError:
        return None
    return 1 - (i1 - i0) / max(t1 - t0, 1)


# ------------------------------------------------------------------ main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=12.0,
                    help="timed duration per server, over all rounds (12)")
    ap.add_argument("--client", choices=("wrk", "python"),
                    default="wrk" if shutil.which("wrk") else "python",
                    help="load generator: wrk (C, the default when installed) or Python "
                         "socket clients")
    ap.add_argument("--rounds", type=int, default=4,
                    help="slices the load alternates in among the servers (4)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent client processes (4)")
    ap.add_argument("--lines", type=int, default=20, help="order lines per request (20)")
    ap.add_argument("--warmup", type=int, default=200, help="warm-up requests per server (200)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    ap.add_argument("--max-requests", type=int, default=50_000,
                    help="bound on timed requests per client (50000)")
    ap.add_argument("--inproc-n", type=int, default=300, help="calls per in-process figure (300)")
    ap.add_argument("--no-inprocess", action="store_true", help="skip the in-process figures")
    ap.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                    help="cProfile the in-process gateway call (auto: when below target)")
    ap.add_argument("--profile-n", type=int, default=300)
    ap.add_argument("--json-out", type=Path, help="write all figures as JSON to this path")
    args = ap.parse_args(argv)

    tpl = payload.template(args.lines)
    run_tag = f"B{int(time.time()) % 100000}"
    print(f"SubmitTransaction benchmark: {args.lines}-line order ({len(tpl)} bytes), "
          f"{args.clients} concurrent clients ({args.client}), gunicorn {args.workers} sync workers, "
          f"{args.warmup} warm-up + {args.seconds:g} s per server, {os.cpu_count()} CPUs "
          f"(clients and servers share them)", flush=True)

    busy_before = cpu_busy()
    if busy_before is not None:
        print(f"CPU busy before start (other processes): {busy_before:.0%}"
              + ("  WARNING: the machine is not idle; figures will be low and noisy"
                 if busy_before > 0.10 else ""), flush=True)

    results: dict[str, dict] = {}
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="smart-bench-") as tmp:
        work = Path(tmp)
        try:
            # All three servers run from the start; the load alternates among
            # them in short slices, so that a machine whose speed drifts (a
            # shared virtual machine does) weighs on all three alike.
            started: dict[str, Server] = {}
            for key, label, factory in SERVERS:
                env = {}
                if key == "gateway":
                    (work / "gw").mkdir()
                    env["BENCH_DB_URL"] = db_url = payload.fresh_database(work / "gw")
                server = Server(factory, env, args.workers, work / f"{key}.log")
                servers.append(server)
                server.wait_ready()
                started[key] = server
                print(f"  {label}: gunicorn on 127.0.0.1:{server.port}", flush=True)
            slices: dict[str, list[dict]] = {key: [] for key, _, _ in SERVERS}
            per_slice = args.seconds / args.rounds
            for rnd in range(args.rounds):
                for key, _, _ in SERVERS:
                    tag = f"{run_tag}{key[0]}{rnd}"
                    warm = args.warmup if rnd == 0 else 0
                    if args.client == "wrk":
                        sl = wrk_load(key, started[key].port, tpl, tag, args, seconds=per_slice,
                                      warmup=warm, workdir=work)
                    else:
                        sl = load(key, started[key].port, tpl, tag, args, seconds=per_slice,
                                  warmup=warm)
                    slices[key].append(sl)
                print(f"  round {rnd + 1}/{args.rounds}: " + ", ".join(
                    f"{key} {_slice_figures(slices[key][-1])[0]}" for key, _, _ in SERVERS),
                    flush=True)
            for key, _, _ in SERVERS:
                started[key].stop()
                results[key] = summarize(slices[key])
                results[key]["raw_slices"] = [{"wrk_runs": sl.get("wrk_runs", 0)}
                                              for sl in slices[key]]
            results["gateway"]["db_rows"] = gateway_rows(db_url)
        finally:
            for server in servers:
                server.stop()
            for server in servers:
                if server.proc.returncode not in (0, None):
                    print(f"  note: gunicorn for port {server.port} exited with "
                          f"{server.proc.returncode}", file=sys.stderr)

        g, s, x = results["gateway"], results["spyne"], results["lxml"]
        ratio_spyne, ratio_lxml = g["rps"] / s["rps"], g["rps"] / x["rps"]
        met = ratio_spyne >= TARGET

        print()
        print(f"{'server':<38}{'requests':>9}{'rps':>9}{'p50 ms':>9}{'p90 ms':>9}"
              f"{'p99 ms':>9}{'fail':>6}")
        for key, label, _ in SERVERS:
            r = results[key]
            print(f"{label:<38}{r['requests']:>9}{r['rps']:>9.1f}{r['p50_ms']:>9.2f}"
                  f"{r['p90_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['failures'] + r['warmup_failures']:>6}")
        print()
        print(f"throughput gateway / spyne-only: {ratio_spyne:.2f}x")
        print(f"throughput gateway / lxml-only:  {ratio_lxml:.2f}x")
        print(f"target gateway >= {TARGET}x spyne-only: {'MET' if met else 'NOT MET'}")
        rows = g["db_rows"]
        expected = g["requests"] + g["warmup_requests"]
        print(f"gateway database after the run: {rows['gw_instance']} instances, "
              f"{rows['gw_instance_line']} lines, {rows['gw_outbox']} queued messages "
              f"(expected {expected} / {expected * args.lines} / {expected}"
              + (", plus up to one in flight per wrk connection)" if args.client == "wrk" else ")"))

        figures, profile = {}, None
        if not args.no_inprocess:
            args.profile = {"always": True, "never": False}.get(args.profile, not met)
            figures, profile = in_process(tpl, args, work)
            print()
            print(f"in-process cost per request ({args.lines}-line order, no HTTP, one core):")
            for name, text in (
                    ("lxml_parse_us", "lxml etree.fromstring of the envelope"),
                    ("safe_xml_parse_us", "safe_xml.parse (limits, depth check)"),
                    ("xsd_validate_us", "XSD validation of the SubmitTransaction body"),
                    ("lxml_parse_plus_xsd_us", "safe_xml.parse + XSD validation"),
                    ("spyne_deserialize_us", "spyne deserialization body -> objects"),
                    ("lxml_only_wsgi_us", "(c) lxml-only WSGI app, full call"),
                    ("spyne_only_wsgi_us", "(b) spyne-only WSGI app, full call"),
                    ("gateway_wsgi_us", "(a) GatewayWsgi, full call (SQLite file)")):
                print(f"  {text:<48}{figures[name]:>10.0f} µs")

        if profile is not None:
            print()
            print(f"cProfile of {args.profile_n} in-process gateway calls, top 30 by cumulative time:")
            buf = io.StringIO()
            pstats.Stats(profile, stream=buf).sort_stats("cumulative").print_stats(30)
            print(buf.getvalue())
            buf = io.StringIO()
            print("top 20 by own time:")
            pstats.Stats(profile, stream=buf).sort_stats("tottime").print_stats(20)
            print(buf.getvalue())

    failed = {k: r["failure_sample"] for k, r in results.items()
              if r["failures"] or r["warmup_failures"]}
    # wrk stops with up to one request per connection still in flight: the
    # server completes it, wrk does not count it.
    slack = args.clients * sum(sl.get("wrk_runs", 0) for sl in g.get("raw_slices", []))
    rows_ok = (expected <= rows["gw_instance"] <= expected + slack
               and rows["gw_outbox"] == rows["gw_instance"])
    if args.json_out:
        args.json_out.write_text(json.dumps({
            "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "cpus": os.cpu_count(), "cpu_busy_before": busy_before, "request_bytes": len(tpl), "results": results,
            "ratio_gateway_spyne": ratio_spyne, "ratio_gateway_lxml": ratio_lxml,
            "target": TARGET, "target_met": met, "in_process_us": figures,
        }, indent=2, default=str))
        print(f"figures written to {args.json_out}")
    if failed or not rows_ok:
        print(f"FAILED: {sum(r['failures'] + r['warmup_failures'] for r in results.values())} "
              f"bad responses; first per server: {failed}; gateway rows ok: {rows_ok}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
