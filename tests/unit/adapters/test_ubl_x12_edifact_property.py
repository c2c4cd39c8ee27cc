"""Property: any canonical document the formats can say comes back from UBL, X12 and EDIFACT
exactly as it went (numbers by value, text character for character, every line and date)."""
from __future__ import annotations

import datetime as dt
import string
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, ItemMap, Purpose
from adapters.registry import adapter_for

TYPES = ("PurchaseOrder", "SalesOrder", "Delivery", "Receiving", "AccountReceivable",
         "AccountPayable", "Payment", "Receipt", "Return", "ReturnReceiving")
SELLER_OWNED = {"SalesOrder", "Delivery", "AccountReceivable", "Receipt", "ReturnReceiving"}
OWN_REFERENCE = {"PurchaseOrder": "WorkOrder", "SalesOrder": "WorkOrder",
                 "Delivery": "SalesOrder", "Receiving": "PurchaseOrder",
                 "AccountReceivable": "Delivery", "AccountPayable": "Receiving",
                 "Payment": "AccountPayable", "Receipt": "AccountReceivable",
                 "Return": "Receiving", "ReturnReceiving": "Delivery"}
ITEMS = ItemMap({f"SUP-{i}": f"P-{i}" for i in range(8)})
CONTEXT = AdapterContext(sender="MOTHER", receiver="T1A", items=ITEMS,
                         party_ids={"MOTHER": "4012345000009"})

# Text every format carries: printable ASCII without X12's separators (* > ~), single
# blanks inside, none at the ends (X12 holds trailing blanks insignificant).
_CHARS = "".join(c for c in string.ascii_letters + string.digits + " .,-()/=!\"%&;<?'+:"
                 if c not in "*>~")
text = st.text(alphabet=_CHARS, min_size=1, max_size=200).map(lambda s: " ".join(s.split())) \
    .filter(bool)
number = st.text(alphabet=string.ascii_uppercase + string.digits + "-/.", min_size=1,
                 max_size=20)
# at most 15 significant digits: the most EDIFACT (6060 n..15) and X12 (R/15) carry
quantity = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("999999999.999999"),
                       places=6, allow_nan=False, allow_infinity=False)
price = st.none() | st.decimals(min_value=Decimal(0), max_value=Decimal("9999999"), places=6,
                                allow_nan=False, allow_infinity=False)
date = st.none() | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@st.composite
def documents(draw) -> cd.Doc:
    doc_type = draw(st.sampled_from(TYPES))
    company, partner = ("T1A", "MOTHER") if doc_type in SELLER_OWNED else ("MOTHER", "T1A")
    n = draw(st.integers(1, 6))
    numbers = draw(st.lists(st.integers(1, 999999), min_size=n, max_size=n, unique=True))
    lines = tuple(cd.DocLine(number=k, item=f"P-{draw(st.integers(0, 7))}",
                             quantity=draw(quantity), unit=draw(st.sampled_from(
                                 ["PCE", "KGM", "EA", "MTR", "LTR", "PA"])),
                             description=draw(st.none() | text), unit_price=draw(price),
                             requested_date=draw(date))
                  for k in numbers)
    refs = tuple(cd.DocRef(company, OWN_REFERENCE[doc_type], draw(number),
                           draw(st.none() | quantity)) for _ in range(draw(st.integers(0, 2))))
    has_price = any(ln.unit_price is not None for ln in lines)
    return cd.Doc(type=doc_type, number=draw(number), company=company, partner=partner,
                  issue_date=draw(st.dates(min_value=dt.date(2000, 1, 1),
                                           max_value=dt.date(2099, 12, 31))),
                  requested_date=draw(date),
                  # a UBL despatch, receipt or return carries its currency with a line price
                  currency=draw(st.sampled_from(["USD", "KRW", "THB"])) if has_price else None,
                  note=draw(st.none() | text), lines=lines,
                  references=tuple({(r.type, r.number): r for r in refs}.values()))


@pytest.mark.parametrize("kind", ["ubl-2.1", "x12-4010", "edifact-d96a"])
@settings(max_examples=30, derandomize=True, deadline=None)
@given(doc=documents())
def test_any_original_document_round_trips(kind, doc):
    sent = Canonical(Purpose.ORIGINAL, cd.checked(doc, "property"))
    adapter = adapter_for(kind)
    [got] = adapter.read(adapter.write([sent], CONTEXT), CONTEXT)
    assert got.purpose is Purpose.ORIGINAL
    if kind == "x12-4010":   # X12 has one code (EA) for Rec 20's EA and C62; EA reads as C62
        doc = cd.Doc(**{**doc.__dict__, "lines": tuple(
            cd.DocLine(**{**ln.__dict__, "unit": "C62" if ln.unit == "EA" else ln.unit})
            for ln in doc.lines)})
    assert cd.differences(doc, got.document) == []
