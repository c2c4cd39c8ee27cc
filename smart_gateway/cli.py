"""``smart-gateway``: serve, run the demo network, trace, export the WSDL, migrate.

One entry point for operators; every subcommand reads Settings.from_env() so
the same environment variables configure the server, the demo and the tools.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
from decimal import Decimal
from pathlib import Path

from .config import Settings
from .persistence.db import READ_ONLY


def _start_worker(engine, settings: Settings) -> threading.Event:
    from .delivery.worker import run_forever
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(engine, stop),
                     kwargs={"max_attempts": settings.outbox_max_attempts,
                             "base_delay": settings.outbox_base_delay,
                             "timeout": settings.push_timeout,
                             "batch": settings.outbox_batch},
                     name="outbox-worker", daemon=True).start()
    return stop


def _wait_forever(stop: threading.Event) -> None:
    try:
        while True:
            threading.Event().wait(3600)
    except KeyboardInterrupt:
        stop.set()
        print("\nstopped")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from .bootstrap import build
    from .testing import serve_in_thread
    engine, app = build(settings)
    if args.network:
        from .network.loader import install, load_network
        with engine.begin() as conn:
            # ${VAR} in the file (push endpoints, say) comes from the environment.
            report = install(conn, load_network(args.network, variables=dict(os.environ)))
        print(f"network {args.network}: {len(report.changes)} change(s)")
    _, base = serve_in_thread(app, args.host or settings.host,
                              args.port if args.port is not None else settings.port)
    stop = _start_worker(engine, settings)
    print(f"SMART gateway listening on {base}/soap (WSDL: {base}/soap?wsdl)", flush=True)
    _wait_forever(stop)
    return 0


def _print_tree(found, out=sys.stdout) -> None:
    """The trace grouped per tier, each node with its partner key and the edges leaving it."""
    by_tier: dict[int, list] = {}
    for node in found.nodes:
        by_tier.setdefault(node.tier, []).append(node)
    outgoing: dict[str, list] = {}
    for edge in found.edges:
        outgoing.setdefault(edge.source, []).append(edge)
    print(f"trace from {found.root}: {len(found.nodes)} instances, {len(found.edges)} links", file=out)
    for tier in sorted(by_tier):
        print(f"tier {tier}", file=out)
        for n in by_tier[tier]:
            partner = f"  <=> {n.partner_key}" if n.partner_key else ""
            print(f"  {n.id}  [{n.state}]  qty {n.quantity} ref {n.referenced_quantity}{partner}",
                  file=out)
            for e in outgoing.get(n.id, []):
                print(f"      -> {e.target} ({e.scope}, {e.quantity})", file=out)


def _trace(engine, company: str, number: str, doc_type: str | None):
    from .domain.documents import DocType
    from .hq.actor import Actor
    from .hq.trace import trace
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})  # a read: no write lock
        return trace(conn, Actor("cli-admin", None, is_admin=True), company_code=company,
                     number=number, doc_type=DocType(doc_type) if doc_type else None)


def cmd_trace(args: argparse.Namespace, settings: Settings) -> int:
    from .persistence.db import make_engine, require_current_schema
    engine = make_engine(settings.database_url)
    require_current_schema(engine)
    found = _trace(engine, args.company, args.number, args.type)
    if args.json:
        def plain(o):
            return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in vars(o).items()}
        print(json.dumps({"root": found.root, "nodes": [plain(n) for n in found.nodes],
                          "edges": [plain(e) for e in found.edges]}, indent=2))
    else:
        _print_tree(found)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from .bootstrap import build
    from .simulator.network_sim import DemoNetwork
    from .testing import RunningGateway, serve_in_thread
    if not settings.database_url.startswith("sqlite:///"):
        print("the demo runs on a fresh SQLite file; unset SMART_GATEWAY_DATABASE_URL "
              "and set SMART_GATEWAY_SQLITE_PATH", file=sys.stderr)
        return 2
    db = Path(settings.database_url[len("sqlite:///"):])
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)   # a fresh demo every run
    engine, app = build(settings)
    port = 0 if args.once else (args.port if args.port is not None else settings.port)
    server, base = serve_in_thread(app, "127.0.0.1", port)
    gateway = RunningGateway(engine=engine, server=server, base_url=base)
    drop = db.with_name(f"{db.stem}-drop")   # the file-drop partners' folders
    shutil.rmtree(drop, ignore_errors=True)
    net = DemoNetwork.start(gateway, drop_dir=drop)
    orders = net.place_order(args.quantity)
    print(f"MOTHER placed {', '.join(orders)} for {args.quantity} units each")
    rounds = net.run_until_quiet(progress=lambda r: print(
        f"round {r.round:3d}: pushed {r.delivered}, retried {r.retried}, dead {r.dead}, "
        f"ERP actions {r.acted}", flush=True))
    print(f"quiet after {rounds} rounds")
    print(f"agents by kind: {_agents_by_kind(engine)}")
    print(f"native formats: {net.native_summary()}; files in {drop}\n")
    for number in orders:
        _print_tree(_trace(engine, "MOTHER", number, "PurchaseOrder"))
        print()
    print(f"SMART gateway listening on {base}/soap (WSDL: {base}/soap?wsdl), database {db}")
    if args.once:
        net.stop()
        gateway.stop()
        engine.dispose()
        return 0
    _wait_forever(_start_worker(engine, settings))
    return 0


def _agents_by_kind(engine) -> str:
    """'O-TPA 12, D-TPA 15, ...': the registry's agents per kind, in the paper's order."""
    from sqlalchemy import func, select
    from .domain.documents import AgentKind
    from .persistence import tables as T
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})  # a read: no write lock
        counts = dict(conn.execute(select(T.agent.c.kind, func.count())
                                   .group_by(T.agent.c.kind)).all())
    return ", ".join(f"{k.value} {counts.get(k.value, 0)}" for k in AgentKind)


def cmd_metrics(args: argparse.Namespace, settings: Settings) -> int:
    from .domain.documents import DocKey, DocType
    from .hq.actor import Actor
    from .hq.metrics import metrics
    from .persistence.db import make_engine, require_current_schema
    order = None
    if args.order:
        company, number = args.order
        order = DocKey(company, DocType(args.type) if args.type else None, number)
    engine = make_engine(settings.database_url)
    require_current_schema(engine)
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})  # a read: no write lock
        found = metrics(conn, Actor("cli-admin", None, is_admin=True), company=args.company,
                        order=order)
    if args.json:
        print(json.dumps(vars(found), indent=2))
        return 0

    def seconds(value):
        return "-" if value is None else f"{value:.1f} s"
    print(f"TCM metrics of the {found.scope}")
    print(f"  NCTP  complete propagations     {found.nctp}")
    print(f"  NITP  incomplete propagations   {found.nitp}")
    print(f"  ADTR  mean duration (complete)  {seconds(found.adtr_seconds)}")
    print(f"  MDTR  max duration (complete)   {seconds(found.mdtr_seconds)}")
    print(f"  TRCO  order instances           {found.trco}")
    return 0


def cmd_dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    """Messages the outbox gave up on, and putting one back in the queue."""
    import datetime as dt

    from .delivery.worker import list_dead, replay_dead
    from .persistence.db import make_engine, require_current_schema
    engine = make_engine(settings.database_url)
    require_current_schema(engine)
    if args.replay:
        if not replay_dead(engine, args.replay, dt.datetime.now(dt.timezone.utc)):
            print(f"smart-gateway dead-letters: no dead message {args.replay}", file=sys.stderr)
            return 2
        print(f"{args.replay} is queued again; the outbox worker sends it on its next round")
        return 0
    dead = list_dead(engine)
    for d in dead:
        print(f"{d['message_id']}  to {d['recipient']}  {d['kind']}  agent {d['agent_id']}  "
              f"{d['attempts']} attempts  created {d['created_at']:%Y-%m-%d %H:%M:%S}Z\n"
              f"    last error: {d['last_error']}")
    print(f"{len(dead)} dead message(s)")
    return 0


def cmd_export_wsdl(args: argparse.Namespace, settings: Settings) -> int:
    from .soap.wsdl import export
    for path in export():
        print(f"wrote {path}")
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from .persistence.db import make_engine, migrate
    migrate(make_engine(settings.database_url))
    print("database schema is up to date")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="smart-gateway", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the gateway and its outbox worker")
    s.add_argument("--network", help="network file (TOML) to install before serving")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(func=cmd_serve)
    d = sub.add_parser("demo", help="run the simulated demo network against a fresh SQLite gateway")
    d.add_argument("--quantity", type=int, default=100)
    d.add_argument("--port", type=int)
    d.add_argument("--once", action="store_true", help="exit when the network is quiet")
    d.set_defaults(func=cmd_demo)
    t = sub.add_parser("trace", help="print the TDIN around one document (reads the database)")
    t.add_argument("company")
    t.add_argument("number")
    t.add_argument("--type", help="document type, if the number is used by several types")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_trace)
    m = sub.add_parser("metrics", help="the TCM metrics of the network, a company or an order")
    which = m.add_mutually_exclusive_group()
    which.add_argument("--company")
    which.add_argument("--order", nargs=2, metavar=("COMPANY", "NUMBER"))
    m.add_argument("--type", help="document type of --order, if its number is used twice")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_metrics)
    dl = sub.add_parser("dead-letters", help="list the messages the outbox gave up on, or "
                                             "queue one again")
    dl.add_argument("--replay", metavar="MESSAGE_ID", help="queue this dead message again")
    dl.set_defaults(func=cmd_dead_letters)
    sub.add_parser("export-wsdl", help="rewrite wsdl/*.wsdl from schemas/").set_defaults(
        func=cmd_export_wsdl)
    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        func=cmd_migrate)
    from .commands import register_all
    register_all(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    import logging
    import signal

    if argv is None:
        # The program itself (not a caller passing its arguments, such as a test
        # run, whose process must not die of a peer closing a socket):
        # `smart-gateway trace ... | head` ends quietly, as a Unix command should.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("spyne.application.client").setLevel(logging.CRITICAL)
    args = parser().parse_args(argv)
    from .domain.errors import GatewayError
    from .network.loader import NetworkFileError
    from .persistence.db import SchemaOutOfDate
    try:
        return args.func(args, Settings.from_env())
    except (NetworkFileError, GatewayError, FileNotFoundError, SchemaOutOfDate) as exc:
        # An operator's mistake (bad file, unknown document): a message, not a traceback.
        print(f"smart-gateway {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
