"""Documents per second through each ERP adapter, both ways, against a baseline of the same run.

    .venv/bin/python -m bench.adapters_bench [--lines 20] [--seconds 6] [--rounds 3]
                                             [--kinds sap-idoc,csv] [--json-out PATH]

The document is a PurchaseOrder of ``--lines`` lines (descriptions in Korean,
Thai and Chinese, prices, dates, a reference) from MOTHER to T1A, with a part
code mapping and party ids in the context, as an agreement gives them, and
each format's default charset (UTF-8 for the flat IDoc, whose default Latin-1
cannot carry the document).

For each adapter kind (default: every registered kind):
- write: canonical element -> native bytes;
- read: native bytes -> canonical element, which includes validating the
  canonical document against gateway.xsd (an adapter never hands on a document
  the schema would refuse);
and two baselines, on the same document:
- xml: the canonical document serialized to bytes and parsed back (lxml), the
  least any XML hop costs;
- xml+xsd: the same plus the schema validation every read does.

Measurements alternate in ``--rounds`` slices (each kind's write, read and the
baselines in turn), so that a machine whose speed drifts weighs on all alike;
each figure is the total count over the total time of its slices.  A kind
whose format cannot carry the document (EDI charsets without Hangul, say) is
measured with the same document in ASCII and without references, marked
"(plain)", and the reason is printed; a kind that carries invoices only (CII)
with the same lines as an invoice, marked "(invoice)".  Ratios are
adapter rate / baseline rate: 0.5 means half as many documents a second as a
canonical XML round trip.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from decimal import Decimal

from lxml import etree

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, ItemMap, Purpose
from adapters.registry import adapter_for, kinds

TEXTS = ("동박 적층판 FR-4, 1.6mm", "แผงวงจรพิมพ์ 4 ชั้น", "显示模组 6.1英寸")


def document(lines: int) -> cd.Doc:
    return cd.Doc(
        type="PurchaseOrder", number="PO-2026-0042", company="MOTHER", partner="T1A",
        issue_date=dt.date(2026, 11, 23), requested_date=dt.date(2026, 12, 1), currency="KRW",
        note="납기 엄수, deliver to gate 4",
        lines=tuple(cd.DocLine(10 * (i + 1), f"P-{7000 + i}", Decimal(100 + i), "PCE",
                               TEXTS[i % 3], Decimal("12.345678"), dt.date(2026, 12, 1))
                    for i in range(lines)),
        references=(cd.DocRef("T1A", "SalesOrder", "SO-1", Decimal(5)),))


def plain(doc: cd.Doc) -> cd.Doc:
    """The same document in ASCII and without references, for a kind whose format or
    charset cannot carry the full one (measured, and marked, rather than skipped)."""
    return dataclasses.replace(
        doc, note="deliver to gate 4", references=(),
        lines=tuple(dataclasses.replace(ln, description=f"part {ln.number}") for ln in doc.lines))


def invoice(doc: cd.Doc) -> cd.Doc:
    """The same lines as T1A's invoice to MOTHER, billing a delivery, for a kind that
    carries invoices only (CII)."""
    return dataclasses.replace(
        doc, type="AccountReceivable", number="INV-2026-0042", company="T1A", partner="MOTHER",
        references=(cd.DocRef("T1A", "Delivery", "DL-1", Decimal(5)),))


def context(lines: int, charset: str | None = None) -> AdapterContext:
    return AdapterContext(sender="MOTHER", receiver="T1A",
                          items=ItemMap({f"T1A-{7000 + i}": f"P-{7000 + i}" for i in range(lines)}),
                          party_ids={"MOTHER": "0000001000", "T1A": "0000088333"},
                          charset=charset)


def _rate(step, seconds: float) -> tuple[int, float]:
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        step()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=6.0, help="per measured step, all rounds")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kinds", default="", help="comma-separated; default every registered kind")
    ap.add_argument("--json-out")
    args = ap.parse_args(argv)

    doc = document(args.lines)
    element = cd.to_element(doc)
    msg = Canonical(Purpose.ORIGINAL, element)
    contexts = {"sap-idoc-flat": context(args.lines, "utf-8")}  # else each format's default
    steps: dict[str, object] = {
        "baseline xml": lambda: etree.fromstring(etree.tostring(element)),
        "baseline xml+xsd": lambda: cd.problems(etree.fromstring(etree.tostring(element))),
    }
    errors: dict[str, str] = {}
    plain_msg = Canonical(Purpose.ORIGINAL, cd.to_element(plain(doc)))
    invoice_msg = Canonical(Purpose.ORIGINAL, cd.to_element(invoice(doc)))
    for kind in (args.kinds.split(",") if args.kinds else kinds()):
        adapter = adapter_for(kind)
        ctx = contexts.get(kind) or context(args.lines)
        invoice_ctx = dataclasses.replace(ctx, sender="T1A", receiver="MOTHER", notes=[])
        for label, m, ctx in ((kind, msg, ctx), (f"{kind} (plain)", plain_msg, ctx),
                              (f"{kind} (invoice)", invoice_msg, invoice_ctx)):
            try:
                native = adapter.write([m], ctx)
                [back] = adapter.read(native, ctx)
                if diff := cd.differences(m.document, back.document):
                    raise AssertionError(f"round trip changed the document: {diff[0]}")
            except Exception as exc:  # reported, and the plain document tried
                errors[label] = f"{type(exc).__name__}: {exc}"
                continue
            steps[f"{label} write"] = (lambda a=adapter, m=m, c=ctx: a.write([m], c))
            steps[f"{label} read"] = (lambda a=adapter, n=native, c=ctx: a.read(n, c))
            break

    totals = {name: [0, 0.0] for name in steps}
    slice_seconds = args.seconds / args.rounds
    for _ in range(args.rounds):
        for name, step in steps.items():
            count, took = _rate(step, slice_seconds)
            totals[name][0] += count
            totals[name][1] += took

    rates = {name: count / took for name, (count, took) in totals.items()}
    base, base_xsd = rates["baseline xml"], rates["baseline xml+xsd"]
    print(f"adapters: a {args.lines}-line PurchaseOrder, {args.rounds} rounds, "
          f"{args.seconds:g} s a step")
    print(f"{'step':<34}{'docs/s':>10}{'vs xml':>10}{'vs xml+xsd':>12}")
    for name, rate in rates.items():
        print(f"{name:<34}{rate:>10.0f}{rate / base:>10.2f}{rate / base_xsd:>12.2f}")
    for kind, err in errors.items():
        print(f"{kind:<34}not with this document: {err[:150]}")
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump({"lines": args.lines, "rates": rates, "errors": errors}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
