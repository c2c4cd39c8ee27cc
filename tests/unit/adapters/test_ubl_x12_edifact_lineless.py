"""A response or cancellation that names its document and no line, both ways through UBL,
X12 and EDIFACT; every other document without lines is refused."""
from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, Purpose, Response
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest, Unrepresentable

KINDS = ("ubl-2.1", "x12-4010", "edifact-d96a")
CTX = AdapterContext(sender="MOTHER", receiver="T1A",
                     party_ids={"MOTHER": "4012345000009", "T1A": "8850999000017"})

# (canonical type, purpose, response, receiver's number, UBL root, X12 beginning segment, EDIFACT BGM 1225)
CASES = [
    ("PurchaseOrder", Purpose.CANCELLATION, None, None, "OrderCancellation", "BCH*01", "1"),
    ("SalesOrder", Purpose.CANCELLATION, None, None, "OrderCancellation", "BCH*01", "1"),
    ("PurchaseOrder", Purpose.RESPONSE, Response.ACCEPTED, "SO-9", "OrderResponseSimple",
     "BAK*00*AD", "29"),
    ("PurchaseOrder", Purpose.RESPONSE, Response.REJECTED, None, "OrderResponseSimple",
     "BAK*00*RJ", "27"),
    ("Delivery", Purpose.CANCELLATION, None, None, "FulfilmentCancellation",
     "BSN*01", "1"),
    ("Receiving", Purpose.CANCELLATION, None, None, "FulfilmentCancellation", "BSN*01", "1"),
]


def lineless(doc_type: str, note: str | None) -> cd.Doc:
    seller_owned = doc_type in ("SalesOrder", "Delivery")
    company, partner = ("T1A", "MOTHER") if seller_owned else ("MOTHER", "T1A")
    # a despatch advice's cancellation names the buyer's order it was for
    refs = (cd.DocRef("MOTHER", "PurchaseOrder", "PO-1"),) if doc_type == "Delivery" else ()
    return cd.Doc(type=doc_type, number="ORD-77", company=company, partner=partner,
                  issue_date=dt.date(2026, 11, 23), lines=(), note=note, references=refs)


def native_marks(kind: str, data: bytes) -> list[str]:
    if kind == "ubl-2.1":
        return [etree.QName(etree.fromstring(data)).localname]
    if kind == "x12-4010":
        return [s.strip() for s in data.decode().split("~")]
    return [s.strip() for s in data.decode("latin-1").split("'")]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("doc_type,purpose,response,number,ubl,x12,function", CASES)
@pytest.mark.parametrize("note", [None, "Customer withdrew the project"])
def test_a_lineless_response_or_cancellation_round_trips(kind, doc_type, purpose, response,
                                                         number, ubl, x12, function, note):
    doc = lineless(doc_type, note)
    sent = Canonical(purpose, cd.checked(doc, "test"), response, number)
    data = adapter_for(kind).write([sent], CTX)
    marks = native_marks(kind, data)
    if kind == "ubl-2.1":
        assert marks == [ubl]
    elif kind == "x12-4010":
        assert any(m.startswith(x12 + "*") for m in marks)
        assert not any(m.split("*")[0] in ("PO1", "POC", "LIN", "CTT") for m in marks)
    else:
        bgm = next(m for m in marks if m.startswith("BGM+"))
        assert bgm.split("+")[3] == function
        assert not any(m.split("+")[0] in ("LIN", "UNS", "CNT") for m in marks)
    [got] = adapter_for(kind).read(data, CTX)
    assert (got.purpose, got.response, got.response_number) == (purpose, response, number)
    assert cd.differences(doc, got.document) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("purpose", [Purpose.ORIGINAL, Purpose.CHANGE])
def test_an_original_or_change_without_lines_is_refused_on_writing(kind, purpose):
    sent = Canonical(purpose, cd.checked(lineless("PurchaseOrder", None), "test"))
    with pytest.raises(InvalidRequest, match="no line items; only a response or a cancellation"):
        adapter_for(kind).write([sent], CTX)


def test_ubl_has_no_lineless_response_that_changes_the_order():
    sent = Canonical(Purpose.RESPONSE, cd.checked(lineless("PurchaseOrder", None), "test"),
                     Response.CHANGED, None)
    with pytest.raises(Unrepresentable, match="changes the order carries its lines"):
        adapter_for("ubl-2.1").write([sent], CTX)


@pytest.mark.parametrize("kind,cancel,change", [
    ("x12-4010", b"BCH*01*", b"BCH*04*"), ("edifact-d96a", b"+ORD-77+1'", b"+ORD-77+4'")])
def test_a_change_read_without_lines_is_refused(kind, cancel, change):
    sent = Canonical(Purpose.CANCELLATION, cd.checked(lineless("PurchaseOrder", None), "test"))
    data = adapter_for(kind).write([sent], CTX)
    assert data.count(cancel) == 1
    with pytest.raises(InvalidRequest, match="no line items"):
        adapter_for(kind).read(data.replace(cancel, change), CTX)


def test_a_ubl_cancellation_of_two_orders_at_once_is_refused():
    sent = Canonical(Purpose.CANCELLATION, cd.checked(lineless("PurchaseOrder", None), "test"))
    root = etree.fromstring(adapter_for("ubl-2.1").write([sent], CTX))
    ref = root.find("{*}OrderReference")
    ref.addnext(etree.fromstring(etree.tostring(ref)))
    with pytest.raises(InvalidRequest, match="names 2 documents"):
        adapter_for("ubl-2.1").read(etree.tostring(root), CTX)
