"""Documents per second through the UBL, X12 and EDIFACT adapters, both ways, against
baselines measured in the same run.

    .venv/bin/python -m bench.adapters_edi_bench [--lines 20] [--seconds 4] [--rounds 3]
                                                 [--types PurchaseOrder,Delivery,...]

The documents are one of each type (PurchaseOrder, Delivery, AccountReceivable,
Payment by default) of ``--lines`` lines with prices, dates, descriptions, a
note and a reference, between MOTHER and T1A, with a part-code mapping and
party ids in the context as an agreement gives them.  Text is ASCII, which all
three formats carry in their default character sets (X12's extended set has no
accented letters).

Steps, each on the same documents:
- ``<kind> write``: canonical element -> native bytes (for UBL including the
  validation of the UBL document against its OASIS schema);
- ``<kind> read``: native bytes -> canonical element (UBL: safe parse and UBL
  schema validation; X12/EDIFACT: tokenizing and envelope checks), including
  the canonical document's validation against gateway.xsd;
- baseline ``xml``: the canonical element serialized and parsed back by lxml,
  the least any XML hop costs;
- baseline ``xml+xsd``: the same plus the gateway.xsd validation every read does;
- baseline ``pydifact tokenize`` (EDIFACT read only): pydifact's parser over the
  interchange the EDIFACT adapter wrote, the part of a read the adapter leaves
  to the library.

Measurements alternate in ``--rounds`` slices so that a machine whose speed
drifts weighs on all steps alike; a figure is the documents done over the time
of its slices.  Ratios are step rate / baseline rate.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from decimal import Decimal

from lxml import etree
from pydifact.parser import Parser

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, ItemMap, Purpose
from adapters.registry import adapter_for

KINDS = ("ubl-2.1", "x12-4010", "edifact-d96a")
SELLER_OWNED = {"SalesOrder", "Delivery", "AccountReceivable", "Receipt", "ReturnReceiving"}
OWN_REFERENCE = {"PurchaseOrder": "SalesOrder", "Delivery": "SalesOrder",
                 "AccountReceivable": "Delivery", "Payment": "AccountPayable",
                 "Receiving": "PurchaseOrder", "Return": "Receiving"}


def document(doc_type: str, lines: int) -> cd.Doc:
    company, partner = ("T1A", "MOTHER") if doc_type in SELLER_OWNED else ("MOTHER", "T1A")
    return cd.Doc(
        type=doc_type, number="DOC-2026-0042", company=company, partner=partner,
        issue_date=dt.date(2026, 11, 23), requested_date=dt.date(2026, 12, 1), currency="EUR",
        note="Deliver to gate 4, call ahead (Mr. Mueller)",
        lines=tuple(cd.DocLine(10 * (i + 1), f"P-{7000 + i}", Decimal(100 + i), "PCE",
                               f"Copper clad laminate FR-4, type {i}", Decimal("12.345678"),
                               dt.date(2026, 12, 1)) for i in range(lines)),
        references=(cd.DocRef(company, OWN_REFERENCE[doc_type], "REF-1", Decimal(5)),))


def context(lines: int) -> AdapterContext:
    return AdapterContext(sender="MOTHER", receiver="T1A",
                          items=ItemMap({f"T1A-{7000 + i}": f"P-{7000 + i}"
                                         for i in range(lines)}),
                          party_ids={"MOTHER": "4012345000009", "T1A": "8850999000017"})


def _rate(step, seconds: float) -> tuple[int, float]:
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        count += step()
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=4.0, help="per step, all rounds together")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--types", default="PurchaseOrder,Delivery,AccountReceivable,Payment")
    args = ap.parse_args(argv)

    types = args.types.split(",")
    ctx = context(args.lines)
    messages = [Canonical(Purpose.ORIGINAL, cd.checked(document(t, args.lines), "bench"))
                for t in types]
    n = len(messages)

    def xml() -> int:
        for m in messages:
            etree.fromstring(etree.tostring(m.document))
        return n

    def xml_xsd() -> int:
        for m in messages:
            cd.problems(etree.fromstring(etree.tostring(m.document)))
        return n

    steps = {"baseline xml": xml, "baseline xml+xsd": xml_xsd}
    sizes: dict[str, int] = {}
    for kind in KINDS:
        adapter = adapter_for(kind)
        # UBL holds one document a file; the EDI formats put all of them in one interchange.
        batches = [[m] for m in messages] if kind == "ubl-2.1" else [messages]
        natives = [adapter.write(b, ctx) for b in batches]
        back = [c for data in natives for c in adapter.read(data, ctx)]
        for sent, got in zip(messages, back):   # the bench measures only lossless work
            if diff := cd.differences(sent.document, got.document):
                raise SystemExit(f"{kind}: the round trip changed the document: {diff[0]}")
        sizes[kind] = sum(len(d) for d in natives)

        def write(a=adapter, bs=batches) -> int:
            for b in bs:
                a.write(b, ctx)
            return n

        def read(a=adapter, ds=natives) -> int:
            for d in ds:
                a.read(d, ctx)
            return n

        steps[f"{kind} write"] = write
        steps[f"{kind} read"] = read
        if kind == "edifact-d96a":
            text = natives[0].decode("latin-1")

            def tokenize(t=text) -> int:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    list(Parser().parse(t))
                return n

            steps["baseline pydifact tokenize"] = tokenize

    totals = {name: [0, 0.0] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            count, took = _rate(step, args.seconds / args.rounds)
            totals[name][0] += count
            totals[name][1] += took
    rates = {name: count / took for name, (count, took) in totals.items()}
    base, base_xsd = rates["baseline xml"], rates["baseline xml+xsd"]
    print(f"UBL / X12 / EDIFACT adapters: {', '.join(types)}, {args.lines} lines each, "
          f"{args.rounds} rounds, {args.seconds:g} s a step")
    print("native bytes for the set: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    print(f"{'step':<30}{'docs/s':>10}{'vs xml':>10}{'vs xml+xsd':>12}")
    for name, rate in rates.items():
        print(f"{name:<30}{rate:>10.0f}{rate / base:>10.2f}{rate / base_xsd:>12.2f}")
    if "baseline pydifact tokenize" in rates:
        share = rates["edifact-d96a read"] / rates["baseline pydifact tokenize"]
        print(f"EDIFACT read runs at {share:.2f} of pydifact's tokenizer alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
