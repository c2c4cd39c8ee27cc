"""`smart-gateway msme ...`: the MSME services from the command line.

The reads (alerts, track, estimate, explode) run as the headquarter's
administrator; ``inventory`` reports for one company, as that company would
over SOAP; ``eoq`` and ``parallelize`` only calculate (no database), so that
a planner can try figures before a company's ERP sends them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
from decimal import Decimal, InvalidOperation

ADMIN = ("cli-admin", None, True)


def _engine(settings, *, read_only: bool = True):
    from ..persistence.db import READ_ONLY, make_engine, require_current_schema
    engine = make_engine(settings.database_url)
    require_current_schema(engine)
    # A read takes no write lock, so it never holds up a running gateway's writers.
    return engine.execution_options(**{READ_ONLY: True}) if read_only else engine


def _dec(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _print(rows: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        print("(none)")
        return
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))


def cmd_alerts(args, settings) -> int:
    from ..hq.actor import Actor
    from ..msme import tracker
    engine = _engine(settings, read_only=not args.raise_due)
    raised = []
    if args.raise_due:
        raised = tracker.run_due_alerts(engine, dt.datetime.now(dt.timezone.utc))
    with engine.connect() as conn:
        alerts = tracker.list_alerts(conn, Actor(*ADMIN), args.company)
    if args.raise_due and not args.json:
        print(f"raised {len(raised)} alert(s)")
    _print([{"kind": a.kind, "order": str(a.order), "buyer": a.buyer, "supplier": a.supplier,
             "due": a.due.isoformat(), "remaining": str(a.remaining),
             "raised": a.raised_at.isoformat(timespec="seconds")} for a in alerts], args.json)
    return 0


def cmd_track(args, settings) -> int:
    from ..hq.actor import Actor
    from ..msme import tracker
    with _engine(settings).connect() as conn:
        parallel, tracked = tracker.track(conn, Actor(*ADMIN), company=args.company,
                                          number=None if args.parallel else args.number,
                                          parallel_order_id=args.number if args.parallel else None)
    if not args.json:
        print(f"{'parallel order' if parallel else 'order'} {args.number} of {args.company}")
    _print([{"supplier": t.supplier, "order": str(t.order), "state": t.state,
             "ordered": str(t.ordered), "delivered": str(t.delivered),
             "remaining": str(t.remaining),
             "last delivery": t.last_date.isoformat() if t.last_date else "-"}
            for t in tracked], args.json)
    return 0


def cmd_estimate(args, settings) -> int:
    from ..hq.actor import Actor
    from ..msme import delivery
    with _engine(settings).connect() as conn:
        step = delivery.estimate_delivery(conn, Actor(*ADMIN), company=args.company,
                                          item=args.item, quantity=args.quantity,
                                          order_date=args.date or dt.date.today())
    if not args.json:
        print(f"{args.quantity} {args.item} at {args.company}: available {step.ready}")
    _print([{"company": s.company, "item": s.item, "quantity": str(s.quantity),
             "stock": str(s.from_stock), "wip": str(s.from_wip), "made": str(s.made),
             "routing days": s.routing_days, "lead days": s.lead_time_days,
             "source": s.source, "ready": s.ready.isoformat()} for s in step.decisive_path()],
           args.json)
    return 0


def cmd_explode(args, settings) -> int:
    from ..hq.actor import Actor
    from ..msme import bom
    with _engine(settings).connect() as conn:
        found = bom.explode_for(conn, Actor(*ADMIN), company=args.company, item=args.item,
                                quantity=args.quantity, unit=None)
    if args.routing:
        _print([{"level": n.level, "company": n.company, "item": n.item, "seq": s.sequence,
                 "work centre": s.work_centre, "days": str(s.days)} for n, s in found.routing],
               args.json)
    else:
        _print([{"level": n.level, "company": n.company, "item": "  " * n.level + n.item,
                 "quantity": str(n.quantity), "unit": n.unit,
                 "bought from": n.company if n.via else "-"} for n in found.nodes], args.json)
    return 0


def cmd_inventory(args, settings) -> int:
    from ..hq.actor import Actor
    from ..msme import reports
    levels = []
    for spec in args.level:
        try:
            item, rest = spec.split("=", 1)
            qty, unit = rest.split(":", 1)
            levels.append((item, _dec(qty), unit))
        except (ValueError, argparse.ArgumentTypeError):
            raise SystemExit(f"smart-gateway msme inventory: bad level {spec!r}; "
                             f"write ITEM=QUANTITY:UNIT, e.g. C1=70:EA")
    engine = _engine(settings, read_only=False)
    with engine.begin() as conn:
        advices = reports.report_inventory(conn, Actor("cli", args.company), args.company,
                                           levels, dt.datetime.now(dt.timezone.utc))
    print(f"recorded {len(levels)} level(s) for {args.company}")
    for a in advices:
        print(f"re-order advice: {a.item} at {a.on_hand} <= {a.reorder_point}; "
              f"order {a.order_quantity}")
    return 0


def cmd_eoq(args, settings) -> int:
    from ..msme.quantities import policy
    try:
        p = policy(annual_demand=args.annual_demand, order_cost=args.order_cost,
                   holding_cost=args.holding_cost, daily=args.daily_demand,
                   lead_time_days=args.lead_time, safety=args.safety_stock)
    except ValueError as exc:
        raise SystemExit(f"smart-gateway msme eoq: {exc}")
    print(f"economic order quantity  {p.order_quantity}")
    print(f"re-order point           {p.reorder_point}")
    return 0


def _candidate(text: str):
    from ..msme.parallelizer import Candidate
    try:
        name, dist, price, avail, lead, *past = text.split(":")
        return Candidate(name, _dec(dist), _dec(price), _dec(avail), int(lead),
                         bool(past and past[0] in ("1", "yes", "past")))
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(
            f"bad candidate {text!r}; write SUPPLIER:DISTANCE:PRICE:AVAILABLE:LEAD_DAYS[:past]")


def cmd_parallelize(args, settings) -> int:
    from ..msme.parallelizer import PlanError, Request, plan
    req = Request(capacity=args.capacity, held=args.held, required=args.required,
                  start=args.date or dt.date.today(), immediate=args.immediate,
                  initial=args.initial, daily_usage=args.daily_usage,
                  max_distance=args.max_distance, max_price=args.max_price)
    try:
        found = plan(req, args.candidate)
    except PlanError as exc:
        raise SystemExit(f"smart-gateway msme parallelize: {exc}")
    print(f"space A = T - H = {found.space}")
    _print([{"supplier": p.supplier, "quantity": str(p.quantity), "due": p.due.isoformat(),
             "arrival": p.arrival.isoformat(), "late days": p.late_days, "rule": p.rule}
            for p in found.parts], args.json)
    for supplier, why in found.excluded:
        print(f"excluded {supplier}: {why}")
    return 0


def register(sub) -> None:
    m = sub.add_parser("msme", help="inventory, delivery estimates, order quantities, "
                                    "parallel orders and the order tracker")
    msub = m.add_subparsers(dest="msme_command", required=True)

    a = msub.add_parser("alerts", help="the order tracker's delivery alerts")
    a.add_argument("--company", help="only alerts where this company buys or supplies")
    a.add_argument("--raise", dest="raise_due", action="store_true",
                   help="first raise every alert due now")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_alerts)

    t = msub.add_parser("track", help="an order's remaining quantity per supplier")
    t.add_argument("company")
    t.add_argument("number", help="the purchase order's number (with --parallel: the "
                                  "parallel order's id)")
    t.add_argument("--parallel", action="store_true")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_track)

    e = msub.add_parser("estimate", help="available-to-promise date (DSA) with its path")
    e.add_argument("company")
    e.add_argument("item")
    e.add_argument("quantity", type=_dec)
    e.add_argument("--date", type=_date, help="order date (default today)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_estimate)

    x = msub.add_parser("explode", help="multi-level BOM (or --routing) across companies")
    x.add_argument("company")
    x.add_argument("item")
    x.add_argument("quantity", type=_dec)
    x.add_argument("--routing", action="store_true")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_explode)

    i = msub.add_parser("inventory", help="report a company's inventory levels (ISA)")
    i.add_argument("company")
    i.add_argument("level", nargs="+", help="ITEM=QUANTITY:UNIT")
    i.set_defaults(func=cmd_inventory)

    q = msub.add_parser("eoq", help="economic order quantity and re-order point")
    q.add_argument("--annual-demand", type=_dec, required=True)
    q.add_argument("--order-cost", type=_dec, required=True)
    q.add_argument("--holding-cost", type=_dec, required=True)
    q.add_argument("--daily-demand", type=_dec, required=True)
    q.add_argument("--lead-time", type=_dec, required=True, help="days")
    q.add_argument("--safety-stock", type=_dec, default=Decimal(0))
    q.set_defaults(func=cmd_eoq)

    p = msub.add_parser("parallelize", help="plan a parallel order (nothing is placed)")
    p.add_argument("--capacity", type=_dec, required=True, help="T")
    p.add_argument("--held", type=_dec, default=Decimal(0), help="H")
    p.add_argument("--required", type=_dec, required=True, help="RQ")
    p.add_argument("--immediate", action="store_true")
    p.add_argument("--initial", type=_dec, help="IQ, for an immediate order")
    p.add_argument("--daily-usage", type=_dec)
    p.add_argument("--max-distance", type=_dec)
    p.add_argument("--max-price", type=_dec)
    p.add_argument("--date", type=_date)
    p.add_argument("--candidate", type=_candidate, action="append", required=True,
                   help="SUPPLIER:DISTANCE:PRICE:AVAILABLE:LEAD_DAYS[:past]")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_parallelize)
