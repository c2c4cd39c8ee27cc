"""Every X12 interchange of the corpus, checked against values read out of the file here.

The test splits each file with the segment terminator SOURCES.md names for it
(and line breaks), and reads numbers, dates, quantities, units, prices, item
ids and N1 parties by element position: BEG03/BEG05, PO102-PO107, IT102-IT107,
LIN03 + SN102/SN103, BLI02-BLI06, RMR02/RMR04 ...  Parties are checked by
mapping the N1 ids the file names to two companies; part codes by a CIA map of
the item ids the file names.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from adapters.base import AdapterContext, ItemMap, Purpose, Response
from adapters.canonical_doc import from_element
from adapters.formats import edi_parties as P
from adapters.formats.x12 import UNIT_FROM_X12
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest
from fixtures.corpus import CORPUS

DIR = (CORPUS / "x12")
FILES = sorted(p.name for p in DIR.iterdir())
TERMINATOR = {"850__bots__850-004010VICS-01.x12": "\x15", "180__oopfactory__FromLowes.txt": "\\",
              "820__oopfactory__Example5_Wikipedia.txt": "\\",
              "850__oopfactory__Example1_PGWGlass.txt": "|",
              "850__oopfactory__Example3_Adobe_CLP.txt": "*", "856__oopfactory__Example1.txt": "*",
              "856__oopfactory__Example3.txt": "\u2026"}
REFUSED = {
    # BCH06 holds the words "PO DATE"; its lines are deletions without quantities
    "860__oopfactory__Example1.txt": "BCH06\\): 'PO DATE'",
    # LIN item ids with blanks ("000 260 056 524") need the agreement's map: given below
}
TYPE = {"850": "PurchaseOrder", "855": "PurchaseOrder", "865": "PurchaseOrder",
        "856": "Delivery", "857": "Delivery", "810": "AccountReceivable", "820": "Payment",
        "180": "Return"}
BUYER_ROLES, SELLER_ROLES = ("BY", "ST", "BT", "PR"), ("SE", "SU", "VN", "SF", "SH", "RI", "PE")
OWNED_BY_BUYER = {"850", "855", "865", "820", "180"}
RESPONSES = {"855", "865"}   # the seller's answer to the buyer's order
REQUESTED = ("002", "010", "017", "067", "011", "037", "038", "063", "064", "068")


def segments(name: str) -> list[list[str]]:
    text = (DIR / name).read_bytes().decode("utf-8").lstrip("\ufeff")
    sep = text[3]
    term = TERMINATOR.get(name, "~")
    out = []
    for chunk in re.split("[" + re.escape(term) + "\r\n]", text):
        if chunk.strip():
            out.append([e.strip() for e in chunk.strip().split(sep)])
    return out


def date(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%Y%m%d" if len(value) == 8 else "%y%m%d").date()


def e(seg: list[str], i: int) -> str:
    return seg[i] if i < len(seg) else ""


def first_id(seg: list[str], start: int) -> str:
    return next(seg[i + 1] for i in range(start, len(seg) - 1, 2) if seg[i + 1])


# Written here from the X12 code lists (N101 entity, N103 id qualifier, 235 product id
# qualifier), not taken from the adapter: what each code must read as.
ROLE = {"BY": "Buyer", "SE": "Seller", "SU": "Seller", "VN": "Seller", "ST": "ShipTo",
        "SF": "ShipFrom", "BT": "BillTo", "PR": "Payer", "PE": "Payee"}
ID_SCHEME = {"UL": "GLN", "1": "DUNS", "92": "Buyer", "91": "Seller", "ZZ": "ZZZ"}
ITEM_SCHEME = {"BP": "Buyer", "VP": "Seller", "VN": "Seller", "UP": "GTIN", "EN": "GTIN",
               "UK": "GTIN"}
COUNTRY = {"MEX": "MX"}


def id_pairs(seg: list[str], start: int, pairs: int = 99) -> list[tuple[str, str]]:
    return [(seg[i], seg[i + 1]) for i in range(start, min(len(seg) - 1, start + 2 * pairs), 2)
            if seg[i + 1]]


def expected_sets(name: str) -> list[dict]:
    sets, cur, line, gs_date = [], None, None, None
    in_line, party = False, None
    for seg in segments(name):
        tag = seg[0]
        if party is not None and tag in ("N2", "N3", "N4"):
            party["more"] = True
            if tag == "N2":
                party["name"] += [x for x in seg[1:3] if x]
            elif tag == "N3":
                party["street"] += [x for x in seg[1:3] if x]
            else:
                party.update(city=e(seg, 1) or None, region=e(seg, 2) or None,
                             postal=e(seg, 3) or None,
                             country=COUNTRY.get(e(seg, 4), e(seg, 4)) or None)
            continue
        party = None
        if tag == "N1" and cur is not None and not in_line:
            party = {"role": e(seg, 1), "name": [e(seg, 2)] if e(seg, 2) else [],
                     "qual": e(seg, 3), "id": e(seg, 4), "street": [], "city": None,
                     "region": None, "postal": None, "country": None, "more": False}
            cur["parties"].append(party)
        if tag in ("PO1", "IT1", "POC", "LIN", "BLI"):
            in_line = True
        elif tag in ("HL", "SE", "CTT"):
            in_line = False
        if tag == "GS":
            gs_date = e(seg, 4)
        elif tag == "ST":
            cur = {"code": e(seg, 1), "lines": [], "n1": {}, "rmr": [], "header": True,
                   "parties": []}
            sets.append(cur)
        elif cur is None:
            continue
        elif tag == "BEG":
            cur.update(number=e(seg, 3), date=e(seg, 5), purpose=e(seg, 1))
        elif tag == "BAK":
            cur.update(number=e(seg, 3), date=e(seg, 4), ack=e(seg, 2))
        elif tag == "BCA":
            cur.update(number=e(seg, 3), date=e(seg, 6), ack=e(seg, 2))
        elif tag == "BSN":
            cur.update(number=e(seg, 2), date=e(seg, 3))
        elif tag == "BHT":
            cur.update(number=e(seg, 3), date=e(seg, 4))
        elif tag == "BIG":
            cur.update(number=e(seg, 2), date=e(seg, 1))
            if e(seg, 4):
                cur.setdefault("refs", []).append(("PurchaseOrder", e(seg, 4)))
        elif tag == "BGN":
            cur.update(number=e(seg, 2), date=e(seg, 3))
        elif tag == "BPR":
            cur["date"] = e(seg, 16) or gs_date
        elif tag == "TRN":
            cur["number"] = e(seg, 2)
        elif tag == "REF" and e(seg, 1) == "CK" and "number" not in cur:
            cur["number"] = e(seg, 2)
        elif tag == "DTM" and cur["header"] and e(seg, 1) in REQUESTED and "requested" not in cur:
            cur["requested"] = e(seg, 2)
        elif tag == "DTM" and not cur["header"] and cur["lines"] and e(seg, 1) in REQUESTED:
            cur["lines"][-1].setdefault("date", e(seg, 2))
        elif tag == "HL":
            cur["header"] = True if not cur["lines"] else cur["header"]
        elif tag == "N1" and cur["header"]:
            cur["n1"].setdefault(e(seg, 1), e(seg, 4))
        elif tag in ("PO1", "IT1"):
            cur["header"] = False
            price = Decimal(e(seg, 4)) if e(seg, 4) else None
            line = {"item": first_id(seg, 6), "qty": Decimal(e(seg, 2)), "unit": e(seg, 3),
                    "price": price, "ids": id_pairs(seg, 6)[1:]}
            cur["lines"].append(line)
        elif tag == "POC":
            cur["header"] = False
            cur["lines"].append({"item": first_id(seg, 8), "qty": Decimal(e(seg, 3)),
                                 "unit": e(seg, 5), "price": Decimal(e(seg, 6)),
                                 "ids": id_pairs(seg, 8)[1:]})
        elif tag == "LIN":
            cur["header"] = False
            line = {"item": first_id(seg, 2), "qty": None, "unit": None, "price": None,
                    "ids": id_pairs(seg, 2)[1:]}
            cur["lines"].append(line)
        elif tag == "SN1" and line is not None and cur["lines"] and cur["lines"][-1]["qty"] is None:
            cur["lines"][-1].update(qty=Decimal(e(seg, 2)), unit=e(seg, 3))
        elif tag == "BLI":
            cur["header"] = False
            cur["lines"].append({"item": e(seg, 2), "qty": Decimal(e(seg, 3)), "unit": e(seg, 4),
                                 "price": Decimal(e(seg, 6)) if e(seg, 6) else None, "ids": []})
        elif tag == "RMR":
            cur["rmr"].append((e(seg, 2), Decimal(e(seg, 4))))
            line = None
        elif tag == "PRF" and cur["header"]:
            cur.setdefault("refs", []).append(("PurchaseOrder", e(seg, 1)))
        elif tag == "SE":
            cur, line = None, None
    for s in sets:
        if not s["lines"] and s["rmr"]:  # an 820 without IT1: one line per remitted document
            s["lines"] = [{"item": n, "qty": amount, "unit": "USD", "price": None, "ids": []}
                          for n, amount in s["rmr"]]
            s["rmr"] = []   # read as lines, not as references
    return sets


def context_for(name: str, sets: list[dict]) -> AdapterContext:
    s = sets[0]
    buyer = next((s["n1"][r] for r in BUYER_ROLES if s["n1"].get(r)), None)
    seller = next((s["n1"][r] for r in SELLER_ROLES if s["n1"].get(r)), None)
    parties = {k: v for k, v in (("BUYER", buyer), ("SELLER", seller)) if v and buyer != seller}
    items = sorted({ln["item"] for x in sets for ln in x["lines"]})
    by_buyer = s["code"] in OWNED_BY_BUYER and s["code"] not in RESPONSES
    return AdapterContext(sender="BUYER" if by_buyer else "SELLER",
                          receiver="SELLER" if by_buyer else "BUYER", party_ids=parties,
                          items=ItemMap({code: f"N{i}" for i, code in enumerate(items)}))


@pytest.mark.parametrize("name", FILES)
def test_corpus_interchange_reads_every_line_party_date_and_price(name):
    if name in REFUSED:
        with pytest.raises(InvalidRequest, match=REFUSED[name]):
            adapter_for("x12-4010").read((DIR / name).read_bytes(),
                                         AdapterContext(sender="A", receiver="B"))
        return
    sets = expected_sets(name)
    context = context_for(name, sets)
    got = adapter_for("x12-4010").read((DIR / name).read_bytes(), context)
    assert [from_element(m.document).type for m in got] == [TYPE[s["code"]] for s in sets]
    by_id = {v: k for k, v in context.party_ids.items()}
    for exp, msg in zip(sets, got):
        doc = from_element(msg.document)
        assert doc.number == exp["number"]
        assert doc.issue_date == date(exp["date"])
        assert doc.requested_date == (date(exp["requested"]) if "requested" in exp else None)
        if exp["code"] in ("855", "865"):
            assert msg.purpose is Purpose.RESPONSE
            assert msg.response is {"AC": Response.CHANGED, "RJ": Response.REJECTED,
                                    "RD": Response.REJECTED}.get(exp["ack"], Response.ACCEPTED)
        elif exp.get("purpose") in ("01",):
            assert msg.purpose is Purpose.CANCELLATION
        elif exp.get("purpose") in ("04", "05"):
            assert msg.purpose is Purpose.CHANGE
        else:
            assert msg.purpose is Purpose.ORIGINAL
        roles = BUYER_ROLES if exp["code"] in OWNED_BY_BUYER else SELLER_ROLES
        owner_id = next((exp["n1"][r] for r in roles if exp["n1"].get(r)), None)
        # an order and its response are the buyer's; a file naming no mapped party is the
        # sender's, or for a response the receiver's (the buyer it answers)
        owner = by_id.get(owner_id, context.receiver if exp["code"] in RESPONSES
                          else context.sender)
        assert (doc.company, doc.partner) == (owner, "SELLER" if owner == "BUYER" else "BUYER")
        assert len(doc.lines) == len(exp["lines"])
        for ln, x in zip(doc.lines, exp["lines"]):
            assert ln.item == context.items.to_network[x["item"]]
            # the file's unit, as the documented X12 -> UN/ECE table maps it
            assert (ln.quantity, ln.unit) == (x["qty"], UNIT_FROM_X12.get(x["unit"], x["unit"]))
            if x["price"] is not None:
                assert ln.unit_price == x["price"]
            assert ln.requested_date == (date(x["date"]) if "date" in x else None)
        # the order a despatch, invoice or return names (BIG04, PRF01), and the documents a
        # remittance with line items pays (RMR02)
        expected_refs = exp.get("refs", []) + [("AccountPayable", n) for n, _ in exp["rmr"]]
        got_refs = [(r.type, r.number) for r in doc.references]
        assert all(r in got_refs for r in expected_refs), (expected_refs, got_refs)
        # every other product id of a line, and every N1 party with its id, name and address
        assert P.item_ids_of(msg.document) == [
            tuple((ITEM_SCHEME.get(q, q or "ZZZ"), v) for q, v in x["ids"])
            for x in exp["lines"]]
        # (this test's splitter strips blanks around elements; the adapter keeps a leading one)
        assert [replace(p, name=p.name and "\n".join(x.strip() for x in p.name.split("\n")))
                for p in P.parties_of(msg.document)] == expected_parties(exp, context)


def expected_parties(exp: dict, context: AdapterContext) -> list[P.Party]:
    # An N1 that holds nothing but a company's agreed id (qualifier 92) in the buyer's or
    # seller's role names the document's company or partner, not a party of its own.
    identity = set(context.party_ids.values()) | {context.sender, context.receiver}
    roles = ("PR", "PE") if exp["code"] == "820" else ("BY", "SE")
    out = []
    for p in exp["parties"]:
        if p["role"] in roles and not p["name"] and not p["more"] and p["qual"] == "92" \
                and p["id"] in identity:
            continue
        out.append(P.Party(
            role=ROLE.get(p["role"], "Other"),
            ids=((ID_SCHEME.get(p["qual"], p["qual"] or "ZZZ"), p["id"]),) if p["id"] else (),
            name="\n".join(p["name"]) or None,
            address=P.Address(tuple(p["street"]), p["city"], p["postal"], p["region"],
                              p["country"])))
    return out


def test_a_two_group_interchange_gives_each_set_its_own_message():
    got = adapter_for("x12-4010").read((DIR / "810+850__staedi__invoice810_po850_dual.edi")
                                       .read_bytes(), AdapterContext(sender="A", receiver="B"))
    assert [from_element(m.document).type for m in got] == \
        ["AccountReceivable", "AccountReceivable", "PurchaseOrder"]
