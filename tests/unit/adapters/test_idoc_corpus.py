"""Every IDoc of the corpus parses, checked against values read at fixed positions.

The expected values are sliced out of the files here, at the positions SAP
documents for the flat form (data record: segment name 30, client 3, IDoc
number 16, segment number 6, parent 6, level 2, then the segment's fields), not
taken from the adapter.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.base import AdapterContext, Purpose
from adapters.canonical_doc import from_element
from adapters.registry import adapter_for, kinds
from fixtures.corpus import CORPUS

IDOC_DIR = (CORPUS / "idoc")
FILES = sorted(IDOC_DIR.glob("*.idoc"))


def records(path: Path) -> list[tuple[str, str]]:
    """(segment name without E2/version, data part) of each data record."""
    out = []
    for line in path.read_text("latin-1").splitlines()[1:]:
        name = line[:30].strip()
        out.append((name[2:7] if name.startswith("E2EDKA1") or name[7:].isdigit() else name[2:],
                    line[63:]))
    return out


def field(data: str, start: int, end: int) -> str:
    return data[start:end].strip()


def expected(path: Path) -> dict:
    """The order as the file states it, by documented positions."""
    exp: dict = {"lines": []}
    for seg, data in records(path):
        if seg == "EDK01":
            exp["number"], exp["currency"] = field(data, 83, 118), field(data, 4, 7) or None
        elif seg == "EDK03" and field(data, 0, 3) == "012":
            exp["issue"] = dt.datetime.strptime(field(data, 3, 11), "%Y%m%d").date()
        elif seg == "EDKA1":
            ident = field(data, 3, 20) or field(data, 873, 943)  # partner number, else GLN
            exp[field(data, 0, 3)] = ident
            exp.setdefault("parties", []).append(party(data))
        elif seg == "EDP01":
            qty = Decimal(field(data, 11, 26))
            price = None
            if field(data, 54, 69):
                vprei, peinh = Decimal(field(data, 54, 69)), Decimal(field(data, 69, 78) or 1)
                bmng2 = Decimal(field(data, 29, 44) or qty)
                price = vprei * bmng2 / (peinh * qty)   # per unit of MENEE
            exp["lines"].append({"number": int(field(data, 0, 6)), "quantity": qty,
                                 "unit": field(data, 26, 29) or "C62", "price": price,
                                 "ids": {}})
        elif seg == "EDP19":
            exp["lines"][-1]["ids"][field(data, 0, 3)] = (field(data, 3, 38), data[38:108].rstrip())
            exp["lines"][-1].setdefault("order", []).append((field(data, 0, 3), field(data, 3, 38)))
        elif seg == "EDP20":
            exp["lines"][-1]["date"] = dt.datetime.strptime(field(data, 30, 38), "%Y%m%d").date()
    return exp


ROLE = {"AG": "Buyer", "LF": "Seller", "WE": "ShipTo", "RE": "BillTo", "RG": "Payer",
        "RS": "Payee"}
SCHEME = {"001": "Buyer", "002": "Seller", "003": "GTIN"}


def party(data: str) -> dict:
    """An E1EDKA1 at SAP's positions: PARVW 0, PARTN 3, LIFNR 20, NAME1..4 37-177,
    STRAS 177, STRS2 212, ORT01 282, PSTLZ 326, LAND1 344, REGIO 655, ILNNR 873."""
    return {"role": field(data, 0, 3), "PARTN": field(data, 3, 20),
            "LIFNR": field(data, 20, 37), "GLN": field(data, 873, 943),
            "names": [data[37 + 35 * i:72 + 35 * i].rstrip() for i in range(4)],
            "street": [field(data, 177, 212), field(data, 212, 247)],
            "city": field(data, 282, 317), "postal": field(data, 326, 335),
            "country": field(data, 344, 347), "region": field(data, 655, 658)}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_idoc_parties_and_item_ids_are_carried(path):
    exp = expected(path)
    [msg] = adapter_for("sap-idoc-flat").read(path.read_bytes(), AdapterContext("X", "Y"))
    doc = from_element(msg.document)
    want = []
    for p in exp["parties"]:
        # the id that names the company (AG) or partner (LF) travels as company/partner
        skip = ("PARTN" if p["PARTN"] else "GLN") if p["role"] in ("AG", "LF") else None
        ids = tuple((k, p[k]) for k in ("PARTN", "LIFNR", "GLN") if p[k] and k != skip)
        names = "\n".join(p["names"]).rstrip("\n") or None
        street = tuple(s for s in p["street"] if s)
        if skip and not (ids or names or street or p["city"] or p["country"]):
            continue
        want.append((ROLE[p["role"]], ids, names, street, p["city"] or None,
                     p["postal"] or None, p["region"] or None, p["country"] or None))
    assert [(q.role, q.ids, q.name, q.address.street, q.address.city, q.address.postal_code,
             q.address.region, q.address.country) for q in doc.parties] == want
    for got, line in zip(doc.lines, exp["lines"]):
        others = [(SCHEME.get(q, q), v) for q, v in line["order"] if q != "001"]
        assert list(got.item_ids) == others


def test_order_4200003091_names_its_ship_to_vendor_gln_and_item_ids_as_read_by_eye():
    path = IDOC_DIR / "ORDERS01__bots__ORDERS01001.idoc"
    [msg] = adapter_for("sap-idoc-flat").read(path.read_bytes(), AdapterContext("X", "Y"))
    doc = from_element(msg.document)
    seller, ship_to = doc.parties
    assert (seller.role, seller.ids) == ("Seller", (("GLN", "8710934000008"),))
    assert (ship_to.role, ship_to.ids, ship_to.name) == \
        ("ShipTo", (("PARTN", "0000010260"), ("LIFNR", "0001")), "Lekkerland")
    assert (ship_to.address.street, ship_to.address.city, ship_to.address.postal_code,
            ship_to.address.country) == (("Distributieweg 8",), "Waddinxveen", "2742 RB", "NL")
    [line] = doc.lines
    assert (line.item, line.item_ids) == ("82102002", (("Seller", "LL-01020304"),))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_idoc_round_trips_through_both_forms(kit, path):
    ctx = AdapterContext("X", "Y")
    [msg] = adapter_for("sap-idoc-flat").read(path.read_bytes(), ctx)
    for kind in ("sap-idoc", "sap-idoc-flat"):
        [back] = adapter_for(kind).read(adapter_for(kind).write([msg], ctx), ctx)
        kit.assert_same(msg, back)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_idoc_parses_into_the_order_it_states(path):
    exp = expected(path)
    [msg] = adapter_for("sap-idoc-flat").read(path.read_bytes(), AdapterContext("X", "Y"))
    doc = from_element(msg.document)
    assert msg.purpose is Purpose.ORIGINAL and doc.type == "PurchaseOrder"
    assert (doc.number, doc.issue_date, doc.currency) == \
        (exp["number"], exp["issue"], exp["currency"])
    assert (doc.company, doc.partner) == (exp["AG"], exp["LF"])   # sold-to buyer, vendor
    assert len(doc.lines) == len(exp["lines"])
    for got, want in zip(doc.lines, exp["lines"]):
        item, text = want["ids"]["001"]                 # the buyer's material number
        assert got.number == want["number"] and got.item == item
        assert got.quantity == want["quantity"] and got.unit == want["unit"]
        assert got.unit_price == want["price"]
        assert got.requested_date == want["date"]
        assert got.description == (text or None)


def test_hand_computed_price_basis_of_order_4200003091():
    # 100 PCE ordered, priced 6.75 EUR per 1 PA where 1 PA = the 100 PCE: 0.0675 EUR a piece
    path = IDOC_DIR / "ORDERS01__bots__ORDERS01001.idoc"
    [msg] = adapter_for("sap-idoc-flat").read(path.read_bytes(), AdapterContext("X", "Y"))
    [line] = from_element(msg.document).lines
    assert (line.quantity, line.unit, line.unit_price) == (Decimal(100), "PCE", Decimal("0.0675"))


def test_parties_map_to_network_companies_through_the_agreement():
    path = IDOC_DIR / "ORDERS01__bots__out_5.idoc"   # the vendor only by its GLN
    ctx = AdapterContext("HANBIT", "LEKKER",
                         party_ids={"HANBIT": "0001", "LEKKER": "8710934000008"})
    [msg] = adapter_for("sap-idoc-flat").read(path.read_bytes(), ctx)
    doc = from_element(msg.document)
    assert (doc.company, doc.partner) == ("HANBIT", "LEKKER")


def edifact_orders() -> dict[str, list[tuple[str, Decimal]]]:
    """Order number -> [(item, quantity)] of edifact/ORDERS__bots__1.edi, by segment tags."""
    text = (IDOC_DIR.parent / "edifact" / "ORDERS__bots__1.edi").read_text("utf-8")
    orders: dict[str, list] = defaultdict(list)
    current = None
    for segment in re.split(r"'\s*", text):
        tag, *elements = segment.split("+")
        if tag == "BGM":
            current, seen = elements[1], []
            orders[current] = seen
        elif tag == "LIN":
            seen.append([elements[2].split(":")[0], None])
        elif tag == "QTY" and current:
            seen[-1][1] = Decimal(elements[0].split(":")[1])
    return {k: [tuple(x) for x in v] for k, v in orders.items()}


def test_idocs_and_the_edifact_file_carry_the_same_orders():
    edi = edifact_orders()
    seen = set()
    for path in FILES:
        [msg] = adapter_for("sap-idoc-flat").read(path.read_bytes(), AdapterContext("X", "Y"))
        doc = from_element(msg.document)
        assert [(ln.item, ln.quantity) for ln in doc.lines] == edi[doc.number], path.name
        seen.add(doc.number)
    assert seen == {"4200000063", "4200000064", "4200001051", "4200003091", "4200003095",
                    "4200006016"}


@pytest.mark.skipif("edifact-d96a" not in kinds(), reason="no EDIFACT adapter registered")
def test_the_edifact_adapter_reads_the_same_orders_from_the_edifact_twin():
    twin_file = IDOC_DIR.parent / "edifact" / "ORDERS__bots__1.edi"
    edi = adapter_for("edifact-d96a").read(twin_file.read_bytes(), AdapterContext("X", "Y"))
    by_number = {}
    for msg in edi:
        doc = from_element(msg.document)
        by_number[doc.number] = [(ln.item, ln.quantity) for ln in doc.lines]
    for path in FILES:
        [msg] = adapter_for("sap-idoc-flat").read(path.read_bytes(), AdapterContext("X", "Y"))
        doc = from_element(msg.document)
        assert [(ln.item, ln.quantity) for ln in doc.lines] == by_number[doc.number], path.name
    # out_5 was written from the EDIFACT order and carries only what it carries: units too
    out5_file = IDOC_DIR / "ORDERS01__bots__out_5.idoc"
    [out5] = adapter_for("sap-idoc-flat").read(out5_file.read_bytes(), AdapterContext("X", "Y"))
    twin = next(from_element(m.document) for m in edi
                if from_element(m.document).number == "4200003095")
    assert [(ln.item, ln.quantity, ln.unit) for ln in from_element(out5.document).lines] == \
        [(ln.item, ln.quantity, ln.unit) for ln in twin.lines]
