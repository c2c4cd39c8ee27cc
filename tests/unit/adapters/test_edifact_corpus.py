"""Every EDIFACT interchange of the corpus, checked against values read out of the file here.

The expected values come from a splitter written in this test (UNA, release
character, segment terminator), by segment tag and element position, not from
pydifact or the adapter.  Parties are checked by giving the agreement the NAD
ids the file names and expecting the companies they map to; part codes by a
CIA map built from the item ids the file names.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from adapters.base import AdapterContext, ItemMap, Purpose
from adapters.canonical_doc import from_element
from adapters.formats import edi_parties as P
from adapters.formats.edifact import EdifactAdapter
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest
from fixtures.corpus import CORPUS

DIR = (CORPUS / "edifact")
QTY = {"ORDERS": ("21", "1"), "ORDRSP": ("21", "113", "1"), "DESADV": ("12",),
       "RECADV": ("48", "194"), "INVOIC": ("47", "46", "12")}
SENT_BY_BUYER = {"ORDERS", "RECADV"}
REF_TYPES = {"ON": "PurchaseOrder", "VN": "SalesOrder", "AAK": "Delivery", "ALO": "Receiving",
             "IV": "AccountReceivable", "AAJ": "DeliveryRequest"}   # UNCL 1153
TYPE = {"ORDERS": "PurchaseOrder", "DESADV": "Delivery", "RECADV": "Receiving",
        "INVOIC": "AccountReceivable"}

# Files the strict adapter refuses, and why (the envelope or the content is broken
# as published); the ones whose content is whole are read with strict_envelope=False.
REFUSED = {
    "INVOIC__edinet__edifact.Issue203.edi": "UNT element 1\\): says 13 segments",
    "ORDERS__pydifact__order.edi": "expected UNH or the UNZ trailer",
    "ORDERS__staedi__orders-with-group.edi": "UNT element 1\\): says 21 segments",
    "ORDRSP__edinet__edifact.ORDRSP.edi": "UNT element 1\\): says 17 segments",
}
CONTENT_REFUSED = {  # refused even with the envelope forgiven
    "INVOIC__edinet__edifact.Issue203.edi": "no BGM segment",
    "ORDRSP__edinet__edifact.ORDRSP.edi": "no QTY with qualifier 21",
}
FILES = sorted(p.name for p in DIR.iterdir() if p.suffix != ".xml")


def split(path: Path) -> list[list[list[str]]]:
    """Segments as lists of elements, each a list of components."""
    text = path.read_bytes().decode("utf-8", errors="strict" if b"\xff" not in
                                    path.read_bytes() else "replace").lstrip("\ufeff").lstrip()
    comp, data, rel, term = ":", "+", "?", "'"
    if text.startswith("UNA"):
        comp, data, rel, term = text[3], text[4], text[6], text[8]
        text = text[9:]
    segments, seg, el, cur, i = [], [], [], [], 0
    while i < len(text):
        c = text[i]
        if c == rel:
            cur.append(text[i + 1])
            i += 2
            continue
        if c == comp:
            el.append("".join(cur)); cur = []  # noqa: E702
        elif c == data:
            el.append("".join(cur)); seg.append(el); el, cur = [], []  # noqa: E702
        elif c == term:
            el.append("".join(cur)); seg.append(el)  # noqa: E702
            seg[0] = [seg[0][0].strip()]
            segments.append(seg)
            seg, el, cur = [], [], []
        else:
            cur.append(c)
        i += 1
    return segments


def g(seg: list[list[str]], i: int, j: int = 0) -> str:
    return seg[i][j] if i < len(seg) and j < len(seg[i]) else ""


# Written here from the EDIFACT code lists (3035 party function, 3055 agency, 7143 item
# number type), not taken from the adapter: what each code must read as.
ROLE = {"BY": "Buyer", "SU": "Seller", "SE": "Seller", "DP": "ShipTo", "ST": "ShipTo",
        "SF": "ShipFrom", "CZ": "ShipFrom", "IV": "BillTo", "BT": "BillTo", "PR": "Payer",
        "PE": "Payee"}
AGENCY = {"9": "GLN", "16": "DUNS", "92": "Buyer", "91": "Seller", "ZZZ": "ZZZ"}
ITEM_TYPE = {"IN": "Buyer", "BP": "Buyer", "SA": "Seller", "EN": "GTIN", "SRV": "GTIN"}


def expected_party(seg: list[list[str]]) -> P.Party:
    name = "".join(seg[4]) if len(seg) > 4 else ""
    if not name and len(seg) > 3:
        name = "\n".join(x for x in seg[3] if x)
    pid = g(seg, 2)
    return P.Party(
        role=ROLE.get(g(seg, 1), "Other"),
        ids=((AGENCY.get(g(seg, 2, 2), g(seg, 2, 2) or "ZZZ"), pid),) if pid else (),
        name=name or None,
        address=P.Address(tuple(x for x in (seg[5] if len(seg) > 5 else []) if x),
                          g(seg, 6) or None, g(seg, 8) or None, g(seg, 7) or None,
                          g(seg, 9) or None))


def expected_messages(path: Path) -> list[dict]:
    out, msg, line = [], None, None
    for seg in split(path):
        tag = seg[0][0]
        if tag == "UNH":
            msg, line = {"type": g(seg, 2, 0), "lines": [], "header": True, "nad": {},
                         "dtm": {}, "nads": []}, None
            out.append(msg)
        elif msg is None:
            continue
        elif tag == "BGM":
            msg["number"], msg["code"], msg["function"] = g(seg, 2), g(seg, 1), g(seg, 3)
        elif tag == "LIN":
            msg["header"] = False
            line = {"item": g(seg, 3) or None, "qty": None, "unit": None, "price": None,
                    "ids": [(g(seg, 3, 1), g(seg, 3))] if g(seg, 3) else []}
            msg["lines"].append(line)
        elif tag == "UNS":
            msg["header"], line = True, None
        elif tag == "PIA" and line is not None:
            line["ids"] += [(g(seg, k, 1), g(seg, k)) for k in range(2, 7) if g(seg, k)]
            if line["item"] is None:
                line["item"] = g(seg, 2)
        elif tag == "IMD" and line is not None and g(seg, 1) == "F" and "name" not in line:
            line["name"] = g(seg, 3, 3) + g(seg, 3, 4)   # names the item where no id does
        elif tag == "QTY" and line is not None and g(seg, 1) in QTY[msg["type"]] \
                and line["qty"] is None:
            line["qty"] = Decimal(g(seg, 1, 1).replace(",", "."))
            line["unit"] = g(seg, 1, 2) or "C62"
        elif tag == "PRI" and line is not None and (line["price"] is None or g(seg, 1) == "AAA"):
            price = Decimal(g(seg, 1, 1).replace(",", "."))
            line["price"] = price / Decimal(g(seg, 1, 4)) if g(seg, 1, 4) else price
        elif tag == "DTM" and line is not None:
            line.setdefault("dtm", {}).setdefault(g(seg, 1), g(seg, 1, 1))
        elif tag == "NAD" and msg["header"]:
            msg["nad"].setdefault(g(seg, 1), g(seg, 2))
            msg["nads"].append(seg)
        elif tag == "DTM" and msg["header"]:
            msg["dtm"].setdefault(g(seg, 1), (g(seg, 1, 1), g(seg, 1, 2)))
        elif tag == "RFF" and msg["header"] and g(seg, 1) in REF_TYPES and g(seg, 1, 1):
            msg.setdefault("refs", []).append((REF_TYPES[g(seg, 1)], g(seg, 1, 1)))
        elif tag == "CUX" and msg["header"] and len(g(seg, 1, 1)) == 3:
            msg.setdefault("currency", g(seg, 1, 1))
    for m in out:
        for ln in m["lines"]:
            ln["item"] = ln["item"] or ln.get("name")
    return out


def when(value: str) -> dt.date:
    return dt.datetime.strptime(value[:8], "%Y%m%d").date()


def context_for(msgs: list[dict]) -> AdapterContext:
    m = msgs[0]
    buyer, seller = m["nad"].get("BY"), m["nad"].get("SU") or m["nad"].get("SE")
    parties = {k: v for k, v in (("BUYER", buyer), ("SELLER", seller)) if v}
    items = sorted({ln["item"] for x in msgs for ln in x["lines"] if ln["item"]})
    by_buyer = m["type"] in SENT_BY_BUYER
    return AdapterContext(sender="BUYER" if by_buyer else "SELLER",
                          receiver="SELLER" if by_buyer else "BUYER", party_ids=parties,
                          items=ItemMap({code: f"N{i}" for i, code in enumerate(items)}))


@pytest.mark.parametrize("name", FILES)
def test_corpus_interchange_reads_every_line_party_date_and_price(name):
    path = DIR / name
    msgs = expected_messages(path)
    context = context_for(msgs)
    if name in REFUSED:
        with pytest.raises(InvalidRequest, match=REFUSED[name]):
            adapter_for("edifact-d96a").read(path.read_bytes(), context)
        if name in CONTENT_REFUSED:
            with pytest.raises(InvalidRequest, match=CONTENT_REFUSED[name]):
                EdifactAdapter(strict_envelope=False).read(path.read_bytes(), context)
            return
        got = EdifactAdapter(strict_envelope=False).read(path.read_bytes(), context)
    else:
        got = adapter_for("edifact-d96a").read(path.read_bytes(), context)
    assert len(got) == len(msgs)
    to_network = context.items.to_network
    for exp, msg in zip(msgs, got):
        doc = from_element(msg.document)
        cancels = exp["code"] == "381" or exp["function"] == "1"   # a credit note cancels
        assert msg.purpose is (Purpose.CANCELLATION if cancels else Purpose.ORIGINAL)
        assert doc.type == TYPE[exp["type"]]
        assert doc.number == exp["number"]
        issued = next(q for q in ("137", "3", "11", "50") if q in exp["dtm"])
        assert doc.issue_date == when(exp["dtm"][issued][0])
        wanted = [q for q in ("2", "69", "64", "63", "17", "35", "11", "50")
                  if q in exp["dtm"] and q != issued]
        assert doc.requested_date == (when(exp["dtm"][wanted[0]][0]) if wanted else None)
        # The owner is the party in the owner's role as this message names it (a buyer
        # owns an order or a receiving advice, a seller the rest), mapped by the agreement.
        by_id = {v: k for k, v in context.party_ids.items()}
        role_id = exp["nad"].get("BY") if exp["type"] in SENT_BY_BUYER else \
            exp["nad"].get("SU") or exp["nad"].get("SE")
        owner = by_id.get(role_id, context.sender)
        assert (doc.company, doc.partner) == (owner, "SELLER" if owner == "BUYER" else "BUYER")
        if exp.get("currency"):
            assert doc.currency == exp["currency"]
        assert len(doc.lines) == len(exp["lines"])
        for ln, e in zip(doc.lines, exp["lines"]):
            assert ln.item == to_network[e["item"]]
            assert (ln.quantity, ln.unit) == (e["qty"], e["unit"])
            assert ln.unit_price == e["price"]
            dates = [e.get("dtm", {})[q] for q in ("2", "69", "64", "63", "17", "35", "11", "50")
                     if q in e.get("dtm", {})]
            assert ln.requested_date == (when(dates[0]) if dates else None)
        assert sum(ln.quantity for ln in doc.lines) == sum(e["qty"] for e in exp["lines"])
        refs = [r for r in exp.get("refs", []) if r != (doc.type, doc.number)]
        assert [(r.type, r.number) for r in doc.references] == refs
        # every further item id of a line (LIN, PIA), and every NAD party but those that only
        # name one of the two companies by its agreed id (NAD+BY/SU+id::ZZZ and nothing else)
        assert P.item_ids_of(msg.document) == [
            tuple((ITEM_TYPE.get(t, t or "ZZZ"), v) for t, v in e["ids"][1:])
            for e in exp["lines"]]
        identity = set(context.party_ids.values()) | {context.sender, context.receiver}
        assert P.parties_of(msg.document) == [
            expected_party(seg) for seg in exp["nads"]
            if not (g(seg, 1) in ("BY", "SU") and len(seg) == 3 and g(seg, 2, 2) == "ZZZ"
                    and g(seg, 2) in identity)]
        owner_is_buyer = doc.type in ("PurchaseOrder", "Receiving")
        for r in doc.references:   # the buyer's order is the buyer's, whoever refers to it
            on_owner_side = (r.type in ("PurchaseOrder", "Receiving")) == owner_is_buyer
            assert r.company == (doc.company if on_owner_side else doc.partner)


def test_a_mapped_party_other_than_the_two_companies_is_refused():
    path = DIR / "ORDERS__bots__orders01.edi"
    context = AdapterContext(sender="BUYER", receiver="SELLER",
                             party_ids={"BUYER": "PARTNER1", "ELSEWHERE": "PARTNER2"})
    with pytest.raises(InvalidRequest, match="PARTNER2.*ELSEWHERE"):
        adapter_for("edifact-d96a").read(path.read_bytes(), context)


def test_an_item_named_only_by_its_description_needs_the_agreements_mapping():
    path = DIR / "INVOIC__smooks__invoic.txt"
    from smart_gateway.domain.errors import UnmappedCode
    with pytest.raises(UnmappedCode, match="only as 'Packaging', with no item id"):
        adapter_for("edifact-d96a").read(path.read_bytes(),
                                         AdapterContext(sender="A", receiver="B"))


def test_an_item_code_with_blanks_needs_the_agreements_mapping():
    path = DIR / "ORDERS__oca__test_orders_-_no_ean_in_LIN_segments.txt"
    from smart_gateway.domain.errors import UnmappedCode
    with pytest.raises(UnmappedCode, match="'98891 75'.*map it"):
        adapter_for("edifact-d96a").read(path.read_bytes(),
                                         AdapterContext(sender="A", receiver="B"))


def test_the_bots_orders_carry_the_idoc_orders_numbers_items_and_quantities():
    """README same-content set: ORDERS__bots__1.edi (12 messages, some repeated) and the six
    ORDERS01 IDocs carry the same orders, item numbers and quantities."""
    context = AdapterContext(sender="BUYER", receiver="SELLER")
    edi = adapter_for("edifact-d96a").read((DIR / "ORDERS__bots__1.edi").read_bytes(), context)
    from_edi = {}
    for m in edi:
        doc = from_element(m.document)
        from_edi[doc.number] = sorted((ln.item, ln.quantity) for ln in doc.lines)
    idoc = adapter_for("sap-idoc-flat")
    from_idoc = {}
    for path in sorted((CORPUS / "idoc").glob("ORDERS01__bots__ORDERS0100*.idoc")):
        for m in idoc.read(path.read_bytes(), context):
            doc = from_element(m.document)
            from_idoc[doc.number] = sorted((ln.item.lstrip("0"), ln.quantity) for ln in doc.lines)
    assert set(from_edi) == set(from_idoc) == {"4200000063", "4200000064", "4200001051",
                                                "4200003091", "4200003095", "4200006016"}
    for number in from_edi:
        assert [(i.lstrip("0"), q) for i, q in from_edi[number]] == from_idoc[number], number


XML = DIR / "INVOIC__en16931__EDIFACT_EXAMPLE3.xml"


def test_the_iso_20625_xml_invoice_reads_by_its_data_element_codes():
    root = etree.parse(str(XML)).getroot()
    x = lambda path: root.xpath(path)[0].text  # noqa: E731
    buyer = x("//S_NAD[D_3035='BY']/C_C082/D_3039")
    name = x("//S_LIN/following-sibling::S_IMD[D_7077='F']/C_C273/D_7008")
    context = AdapterContext(sender="SELLER", receiver="BUYER", party_ids={"BUYER": buyer},
                             items=ItemMap({name: "N-1"}))
    [msg] = adapter_for("edifact-d96a").read(XML.read_bytes(), context)
    doc = from_element(msg.document)
    assert (doc.type, doc.number) == ("AccountReceivable", x("//S_BGM/C_C106/D_1004"))
    assert doc.issue_date == when(x("//S_DTM/C_C507[D_2005='137']/D_2380"))
    assert (doc.company, doc.partner, doc.currency) == ("SELLER", "BUYER",
                                                        x("//S_CUX/C_C504/D_6345"))
    assert doc.note == x("//S_FTX[D_4451='GEN']/C_C108/D_4440")
    [line] = doc.lines
    assert (line.item, line.quantity, line.unit) == (
        "N-1", Decimal(x("//S_QTY/C_C186/D_6060")), x("//S_QTY/C_C186/D_6411"))
    assert line.unit_price == Decimal(x("//S_PRI/C_C509/D_5118"))


def test_invoice_tosl108_reads_alike_in_ubl_and_in_edifact_xml():
    """README same-content set (UBL, CII, EDIFACT XML).  The two of these formats agree
    on number, date, currency, parties, note, item, description and unit price; the
    published samples differ in their lines themselves (UBL: two lines of 2 EA;
    EDIFACT: one line of 1 C62), which is compared as such."""
    context = AdapterContext(sender="SELLER", receiver="BUYER",
                             party_ids={"BUYER": "5790000435975"},
                             items=ItemMap({"Paper subscription": "N-1"}))
    [e] = adapter_for("edifact-d96a").read(XML.read_bytes(), context)
    [u] = adapter_for("ubl-2.1").read(
        (CORPUS / "ubl" / "Invoice__en16931__ubl-tc434-example3.xml").read_bytes(),
        context)
    de, du = from_element(e.document), from_element(u.document)
    same = ("type", "number", "company", "partner", "issue_date", "currency", "note")
    assert [getattr(de, f) for f in same] == [getattr(du, f) for f in same]
    assert {(ln.item, ln.description, ln.unit_price) for ln in de.lines} == \
        {(ln.item, ln.description, ln.unit_price) for ln in du.lines}
    assert [(ln.quantity, ln.unit) for ln in de.lines] == [(Decimal(1), "C62")]
    assert [(ln.quantity, ln.unit) for ln in du.lines] == [(Decimal(2), "EA")] * 2
