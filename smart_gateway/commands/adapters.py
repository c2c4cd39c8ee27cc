"""`smart-gateway` subcommands of the adapters feature: the file drop, once."""
from __future__ import annotations

import argparse


def cmd_drop_poll(args: argparse.Namespace, settings) -> int:
    """Take in every file waiting in the file-drop partners' in/ folders, and write every
    due message to their out/ folders; then exit (the server does this in its loop)."""
    import datetime as dt

    from ..delivery import file_drop
    from ..delivery.worker import deliver_due
    from ..persistence.db import make_engine, require_current_schema
    engine = make_engine(settings.database_url)
    require_current_schema(engine)
    report = file_drop.poll(engine)
    print(f"in: {report.done} file(s) taken ({report.documents} document(s)), "
          f"{report.rejected} rejected (see each rejected/<name>.error.txt)")
    if args.deliver:
        sent = deliver_due(engine, now=dt.datetime.now(dt.timezone.utc),
                           max_attempts=settings.outbox_max_attempts,
                           base_delay=settings.outbox_base_delay, timeout=settings.push_timeout,
                           batch=settings.outbox_batch)
        print(f"out: {sent.delivered} delivered, {sent.retried} to retry, {sent.dead} dead")
    return 1 if report.rejected else 0


def register(sub) -> None:
    p = sub.add_parser("drop-poll", help="process the file-drop folders once (in/ -> done/ or "
                                         "rejected/; with --deliver, also the due messages)")
    p.add_argument("--deliver", action="store_true",
                   help="also deliver due messages (push, SAP, out/ folders) once")
    p.set_defaults(func=cmd_drop_poll)
