"""`smart-gateway` subcommands of the cascade feature: `check`, the TDIN integrity checker."""
from __future__ import annotations


def cmd_check(args, settings) -> int:
    """Print every integrity violation of the TDIN, with the instances involved; 1 if any."""
    import json

    from ..cascade.check import check
    from ..persistence.db import READ_ONLY, make_engine, require_current_schema

    engine = make_engine(settings.database_url)
    require_current_schema(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})  # a read: no write lock
        found = check(conn)
    if args.json:
        print(json.dumps([{"rule": v.rule, "message": v.message, "instances": list(v.instances)}
                          for v in found], indent=2, ensure_ascii=False))
    else:
        for v in found:
            print(v)
        print(f"{len(found)} violation{'s' if len(found) != 1 else ''} found")
    return 1 if found else 0


def register(sub) -> None:
    c = sub.add_parser("check", help="verify every link and inter-company foreign key of the "
                                     "TDIN; exit status 1 on any violation")
    c.add_argument("--json", action="store_true", help="the violations as JSON")
    c.set_defaults(func=cmd_check)
