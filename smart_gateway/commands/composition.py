"""`smart-gateway` subcommands of the composition feature: `compose FILE`."""
from __future__ import annotations

from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "composition" / "lifung_demo.xml"


def cmd_compose(args, settings) -> int:
    """Solve a composition request file (the body of a Compose request) and print the network."""
    from ..composition.compose import compose
    from ..composition.messages import request_from_xml
    from ..composition.report import render
    from ..domain.errors import GatewayError
    from ..messages import safe_xml, schema

    path = DEMO if args.file == "demo" else Path(args.file)
    try:
        root = safe_xml.parse(path.read_bytes())
        schema.check(root)
        composition = root.find(f"{{{schema.NS}}}composition")
        if composition is None:
            print(f"{path}: expected a Compose element holding a composition")
            return 2
        req = request_from_xml(composition)
        limit = args.time_limit or req.time_limit or 60.0
        solution = compose(req.instance, time_limit=limit)
    except GatewayError as error:
        print(f"{path}: {error.code.value}: {error.message}")
        for problem in error.problems:
            print(f"  - {problem}")
        return 1
    print(render(req.instance, solution, currency=req.currency))
    return 0 if solution.has_solution else 1


def register(sub) -> None:
    c = sub.add_parser("compose", help="choose providers for an order (000 section VI) from a "
                                       "Compose request file, and print the network; "
                                       "'demo' solves the Li & Fung example")
    c.add_argument("file", help="a file holding a Compose element, or 'demo'")
    c.add_argument("--time-limit", type=float, default=None, help="seconds (default: the "
                   "request's timeLimit, else 60)")
    c.set_defaults(func=cmd_compose)
