"""Canonical documents of every type, with the text and numbers that break lossy adapters."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, ItemMap, Purpose, Response, TextRule

KOREAN, THAI, CHINESE = "동박 적층판 FR-4, 1.6mm", "แผงวงจรพิมพ์ 4 ชั้น", "显示模组 6.1英寸"

# the partner's own part code -> network item code (CIA)
ITEMS = ItemMap({"IC-100": "P-7731", "PCB-4L": "P-7732", "DSP-61": "P-7733"})
PARTIES = {"MOTHER": "0000001000", "T1A": "0000088333"}


def context(charset: str | None = None, rule: TextRule = TextRule.REFUSE) -> AdapterContext:
    return AdapterContext(sender="MOTHER", receiver="T1A", items=ITEMS, party_ids=PARTIES,
                          text_rule=rule, charset=charset)


def sample(doc_type: str, text: bool = True) -> cd.Doc:
    """A document of ``doc_type`` using every canonical field: three lines in three
    scripts, prices to the millionth, a note with a line break longer than one
    SAP text line, and a partial reference."""
    supplier_side = doc_type in {"SalesOrder", "Delivery", "AccountReceivable", "Receipt",
                                 "ReturnReceiving"}
    company, partner = ("T1A", "MOTHER") if supplier_side else ("MOTHER", "T1A")
    descriptions = (KOREAN, THAI, CHINESE) if text else ("copper clad laminate", "PCB", "display")
    lines = (
        cd.DocLine(10, "P-7731", Decimal("1250"), "PCE", descriptions[0], Decimal("0.012345"),
                   dt.date(2026, 12, 1)),
        cd.DocLine(20, "P-7732", Decimal("0.5"), "KGM", descriptions[1], Decimal("1999.99"), None),
        cd.DocLine(30, "P-7733", Decimal("3"), "PA", descriptions[2], None, dt.date(2027, 1, 15)),
    )
    note = (" ".join(["납기 엄수 — ส่งตรงเวลา — 按时交货."] * 4) + "\nSecond line, after a break.") \
        if text else "Deliver to gate 4"
    return cd.Doc(type=doc_type, number=f"{doc_type[:2].upper()}-2026/0042", company=company,
                  partner=partner, issue_date=dt.date(2026, 11, 23),
                  requested_date=dt.date(2026, 12, 1), currency="KRW", note=note, lines=lines,
                  references=(cd.DocRef(partner, "PurchaseOrder", "PO 4711", Decimal("12.5")),))


def minimal(doc_type: str) -> cd.Doc:
    """Only what gateway.xsd requires: no partner, dates, currency, note, prices, texts."""
    company = "T1A" if doc_type in {"SalesOrder", "Delivery", "AccountReceivable", "Receipt",
                                    "ReturnReceiving"} else "MOTHER"
    return cd.Doc(type=doc_type, number="M-1", company=company, issue_date=dt.date(2026, 1, 31),
                  lines=(cd.DocLine(1, "P-7731", Decimal("7"), "PCE"),))


def with_parties(doc: cd.Doc) -> cd.Doc:
    """``doc`` naming a ship-to, a bill-to and the buyer's and seller's own details
    (ids besides the company's, names over two lines, addresses in three scripts),
    and its lines naming the seller's material number and a GTIN."""
    buyer = "Buyer" if doc.company == "MOTHER" else "Seller"
    seller = "Seller" if buyer == "Buyer" else "Buyer"
    parties = (
        cd.Party("ShipTo", (("PARTN", "0000010260"), ("GLN", "4012345000009")),
                 "Werk Süd\n" + KOREAN, cd.Address(("Industriestraße 12", "Tor 4"), "서울",
                                                     "04524", "11", "KR")),
        cd.Party(buyer, (("GLN", "4012345000016"),), "Mother Electronics",
                 cd.Address(("1 Main Street",), "Busan", "48058", None, "KR")),
        cd.Party("BillTo", (("LIFNR", "V-77"),), THAI, cd.Address(city="กรุงเทพฯ", country="TH")),
        cd.Party(seller, (), CHINESE, cd.Address(country="CN")),
    )
    lines = tuple(cd.DocLine(ln.number, ln.item, ln.quantity, ln.unit, ln.description,
                             ln.unit_price, ln.requested_date,
                             (("Seller", f"V-{ln.number}"), ("GTIN", f"40123450000{ln.number:02d}"))
                             if ln.number != 20 else ())
                  for ln in doc.lines)
    return cd.Doc(**{**doc.__dict__, "parties": parties, "lines": lines})


def canonical(doc: cd.Doc, purpose: Purpose = Purpose.ORIGINAL) -> Canonical:
    if purpose is Purpose.RESPONSE:
        return Canonical(purpose, cd.to_element(doc), Response.CHANGED, "SO-99812")
    return Canonical(purpose, cd.to_element(doc))


def assert_same(sent: Canonical, got: Canonical) -> None:
    assert got.purpose is sent.purpose
    assert got.response == sent.response and got.response_number == sent.response_number
    assert cd.differences(sent.document, got.document) == []
    assert cd.problems(got.document) == []


class Kit:
    """The helpers above, handed to tests as the ``kit`` fixture."""
    KOREAN, THAI, CHINESE, ITEMS, PARTIES = KOREAN, THAI, CHINESE, ITEMS, PARTIES
    context = staticmethod(context)
    sample = staticmethod(sample)
    minimal = staticmethod(minimal)
    with_parties = staticmethod(with_parties)
    canonical = staticmethod(canonical)
    assert_same = staticmethod(assert_same)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
