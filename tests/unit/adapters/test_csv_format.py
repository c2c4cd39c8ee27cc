"""CSV: every type round-trips in UTF-8, the layout is what the docs say, broken rows are named."""
from __future__ import annotations

import csv
import io

import pytest

from adapters.base import AdapterContext, ItemMap, Purpose, TextRule
from adapters.canonical_doc import DOC_TYPES, from_element
from adapters.formats.csv_format import COLUMNS
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest, SchemaInvalid, UnmappedCode, Unrepresentable

CASES = [(t, p) for t in DOC_TYPES for p in Purpose]


@pytest.mark.parametrize("doc_type,purpose", CASES)
def test_round_trip_is_lossless(kit, doc_type, purpose):
    sent = kit.canonical(kit.sample(doc_type), purpose)
    native = adapter_for("csv").write([sent], kit.context())
    [got] = adapter_for("csv").read(native, kit.context())
    kit.assert_same(sent, got)


def test_several_documents_in_one_file(kit):
    sent = [kit.canonical(kit.sample(t)) for t in ("Delivery", "AccountReceivable")]
    got = adapter_for("csv").read(adapter_for("csv").write(sent, kit.context()), kit.context())
    for s, g in zip(sent, got):
        kit.assert_same(s, g)


def _table(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_written_file_follows_the_documented_layout(kit):
    data = adapter_for("csv").write([kit.canonical(kit.sample("PurchaseOrder"))], kit.context())
    assert data.startswith(b"\xef\xbb\xbf")   # spreadsheets recognise UTF-8 by it
    rows = _table(data)
    assert tuple(rows[0]) == COLUMNS
    assert [r["record"] for r in rows] == ["H", "L", "L", "L", "R", "T"]
    assert rows[1]["item"] == "IC-100" and rows[1]["description"] == kit.KOREAN
    assert rows[2]["quantity"] == "0.5" and rows[2]["unit_price"] == "1999.99"
    assert rows[0]["company"] == "0000001000" and rows[-1]["line"] == "3"


HAND_MADE = """record;document_type;purpose;number;company;partner;issue_date;requested_date;currency;response;response_number;note;line;item;description;quantity;unit;unit_price;ref_company;ref_type;ref_number;ref_quantity
H;Delivery;Original;DN-7;T3A;T2A;2026-11-20;;KRW;;;"첫 배송, 두 상자";;;;;;;;;;
L;;;DN-7;;;;2026-11-21;;;;;1;CCL-16;동박 적층판;40;SHT;12500;;;;
R;;;DN-7;;;;;;;;;;;;;;;T2A;PurchaseOrder;PO-T2A-9;40
T;;;DN-7;;;;;;;;;1;;;;;;;;;
"""


def test_a_hand_made_semicolon_file_from_a_spreadsheet_reads():
    [msg] = adapter_for("csv").read(HAND_MADE.encode("utf-8"), AdapterContext("T3A", "T2A"))
    doc = from_element(msg.document)
    assert (doc.type, doc.number, doc.company, doc.partner) == ("Delivery", "DN-7", "T3A", "T2A")
    assert doc.note == "첫 배송, 두 상자"
    [line] = doc.lines
    assert (line.item, line.description, line.quantity, line.unit, line.unit_price) == \
        ("CCL-16", "동박 적층판", 40, "SHT", 12500)
    assert doc.references[0].number == "PO-T2A-9" and doc.references[0].quantity == 40


@pytest.mark.parametrize("change,error,where", [
    (lambda t: t.replace("T;;;DN-7;;;;;;;;;1;", "T;;;DN-7;;;;;;;;;2;"), InvalidRequest,
     "row 5: the trailer counts 2 lines, document DN-7 has 1"),
    (lambda t: t.replace(";40;SHT;", ";4O;SHT;"), InvalidRequest,
     "row 3 column quantity: '4O' is not a number"),
    (lambda t: t.replace("L;;;DN-7", "L;;;DN-8"), InvalidRequest,
     "row 3: number 'DN-8' is not the document above it"),
    (lambda t: t.replace("2026-11-21", "21.11.2026"), InvalidRequest,
     "row 3 column requested_date: '21.11.2026' is not a date"),
    (lambda t: t.replace(";ref_quantity", ""), SchemaInvalid, "row 1: the columns must be"),
    (lambda t: t.replace("H;Delivery", "H;Shipment"), InvalidRequest,
     "row 2 column document_type: 'Shipment'"),
    (lambda t: "\n".join(ln for ln in t.split("\n") if not ln.startswith("H;")), InvalidRequest,
     "row 2: a L row before any H row"),
    (lambda t: t.replace("\nL;", "\nX;"), InvalidRequest, "row 3 column record: 'X'"),
])
def test_broken_rows_are_refused_naming_row_and_column(change, error, where):
    with pytest.raises(error) as err:
        adapter_for("csv").read(change(HAND_MADE).encode(), AdapterContext("T3A", "T2A"))
    assert where in str(err.value)


def test_an_unknown_part_code_is_refused_naming_the_row():
    ctx = AdapterContext("T3A", "T2A", items=ItemMap({"CCL-08": "P-1"}))
    with pytest.raises(UnmappedCode, match="row 3 column item: part code 'CCL-16'"):
        adapter_for("csv").read(HAND_MADE.encode(), ctx)


def test_a_latin1_agreement_refuses_or_transliterates_thai(kit):
    msg = kit.canonical(kit.sample("PurchaseOrder"))
    with pytest.raises(Unrepresentable, match="PU-2026/0042 note: .*U\\+B0A9"):
        adapter_for("csv").write([msg], kit.context("iso-8859-1"))
    ctx = kit.context("iso-8859-1", TextRule.TRANSLITERATE)
    data = adapter_for("csv").write([msg], ctx)
    data.decode("latin-1")
    assert any("line 20 description" in n and "(U+0E41)" in n for n in ctx.notes)
    rows = list(csv.DictReader(io.StringIO(data.decode("latin-1"), newline="")))
    assert rows[2]["description"].startswith("(U+0E41)(U+0E1C)")   # แผ...


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_a_minimal_document_comes_back_without_gaining_anything(kit, doc_type):
    sent = kit.canonical(kit.minimal(doc_type))
    [got] = adapter_for("csv").read(adapter_for("csv").write([sent], kit.context()), kit.context())
    kit.assert_same(sent, got)


@pytest.mark.parametrize("doc_type,purpose", CASES)
def test_parties_and_item_ids_round_trip(kit, doc_type, purpose):
    sent = kit.canonical(kit.with_parties(kit.sample(doc_type)), purpose)
    [got] = adapter_for("csv").read(adapter_for("csv").write([sent], kit.context()),
                                    kit.context())
    kit.assert_same(sent, got)


def test_party_rows_and_item_id_cells_follow_the_documented_layout(kit):
    doc = kit.with_parties(kit.sample("PurchaseOrder"))
    rows = _table(adapter_for("csv").write([kit.canonical(doc)], kit.context()))
    assert [r["record"] for r in rows] == ["H", "P", "P", "P", "P", "L", "L", "L", "R", "T"]
    ship = rows[1]
    assert (ship["party_role"], ship["party_ids"], ship["party_name"], ship["party_street"],
            ship["party_city"], ship["party_postal_code"], ship["party_region"],
            ship["party_country"]) == \
        ("ShipTo", "PARTN=0000010260\nGLN=4012345000009", "Werk Süd\n" + kit.KOREAN,
         "Industriestraße 12\nTor 4", "서울", "04524", "11", "KR")
    assert rows[5]["item_ids"] == "Seller=V-10\nGTIN=4012345000010"
    assert rows[6]["item_ids"] == ""


LINELESS = """record,document_type,purpose,number,company,partner,issue_date,requested_date,currency,response,response_number,note,line,item,description,quantity,unit,unit_price,ref_company,ref_type,ref_number,ref_quantity,party_role,party_ids,party_name,party_street,party_city,party_postal_code,party_region,party_country,item_ids
H,PurchaseOrder,{purpose},PO-9,MOTHER,T1A,2026-11-20,,,{response},,,,,,,,,,,,,,,,,,,,,
P,,,PO-9,,,,,,,,,,,,,,,,,,,ShipTo,"GLN=4012345000009",Werk 2,Hauptstr. 1,Köln,50667,,DE,
"""


@pytest.mark.parametrize("purpose,response,ok", [("Response", "Accepted", True),
                                                 ("Cancellation", "", True),
                                                 ("Change", "", False)])
def test_a_response_or_cancellation_may_have_no_lines_an_original_or_change_not(
        purpose, response, ok):
    data = LINELESS.format(purpose=purpose, response=response).encode()
    if not ok:
        with pytest.raises(InvalidRequest, match="has no L rows"):
            adapter_for("csv").read(data, AdapterContext("MOTHER", "T1A"))
        return
    [msg] = adapter_for("csv").read(data, AdapterContext("MOTHER", "T1A"))
    doc = from_element(msg.document)
    assert doc.lines == () and [(p.role, p.ids, p.address.city) for p in doc.parties] == \
        [("ShipTo", (("GLN", "4012345000009"),), "Köln")]


@pytest.mark.parametrize("cell,match", [("GLN", "is not scheme=value"),
                                        ("=4012345000009", "is not scheme=value")])
def test_a_malformed_identifier_cell_is_refused_naming_row_and_column(cell, match):
    data = LINELESS.format(purpose="Response", response="Accepted").replace(
        "GLN=4012345000009", cell).encode()
    with pytest.raises(InvalidRequest, match=f"row 3 column party_ids: .*{match}"):
        adapter_for("csv").read(data, AdapterContext("MOTHER", "T1A"))
