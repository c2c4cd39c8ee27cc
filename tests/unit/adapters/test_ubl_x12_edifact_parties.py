"""Parties (role, ids, name, address) and item identifiers, both ways through UBL, X12 and
EDIFACT; what a format cannot say is refused, never dropped."""
from __future__ import annotations

import datetime as dt
import string
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, ItemMap, Purpose
from adapters.formats import edi_doc as E
from adapters.formats import edi_parties as P
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest, Unrepresentable

KINDS = ("ubl-2.1", "x12-4010", "edifact-d96a")
ITEMS = ItemMap({"S-1": "P-1", "S-2": "P-2"})
IDS = {"MOTHER": "4012345000009", "T1A": "8850999000017"}
OUT = AdapterContext(sender="MOTHER", receiver="T1A", items=ITEMS, party_ids=IDS)
# the partner reads what MOTHER sent (UBL picks the reader's own item id by role)
IN = AdapterContext(sender="T1A", receiver="MOTHER", items=ITEMS, party_ids=IDS)

PARTIES = [
    P.Party("Buyer", (("GLN", "4012345000009"),), "Mother Corporation, Purchasing",
                  P.Address(("1 Main St", "Bldg 2"), "Seoul", "04524", "11", "KR")),
    P.Party("Seller", (("DUNS", "123456789"),), "T1A Ltd"),
    P.Party("ShipTo", (("Buyer", "DOCK-4"),), "Plant 2",
                  P.Address((), "Busan", None, None, "KR")),
    P.Party("BillTo", (), "Accounts", P.Address(("PO Box 7",))),
    P.Party("Payee", (("ZZZ", "AC-77"),), None, P.Address((), None, None, None, "TH")),
]
ITEM_IDS = [(("Buyer", "B-100"), ("GTIN", "4006381333931")), (("GTIN", "00012345678905"),)]


def order(parties=PARTIES, item_ids=ITEM_IDS, doc_type="PurchaseOrder"):
    doc = cd.Doc(type=doc_type, number="PO-5", company="MOTHER", partner="T1A",
                 issue_date=dt.date(2026, 11, 23),
                 lines=(cd.DocLine(1, "P-1", Decimal(3), "C62"),
                        cd.DocLine(2, "P-2", Decimal("1.5"), "KGM")))
    return E.canonical(Purpose.ORIGINAL, doc, "test", parties=parties, item_ids=item_ids)


@pytest.mark.parametrize("kind", KINDS)
def test_every_party_and_item_id_comes_back(kind):
    sent = order()
    data = adapter_for(kind).write([sent], OUT)
    [got] = adapter_for(kind).read(data, IN)
    # UBL puts roles it has no element for in its extension, after the others
    assert sorted(P.parties_of(got.document), key=repr) == sorted(PARTIES, key=repr)
    assert P.item_ids_of(got.document) == ITEM_IDS
    assert cd.differences(sent.document, got.document) == []


@pytest.mark.parametrize("kind,native", [
    ("x12-4010", [b"N1*ST*Plant 2*92*DOCK-4~", b"N4*Busan***KR~", b"N1*SE*T1A Ltd*1*123456789~",
                  b"PO1*1*3*EA***VP*S-1*BP*B-100*EN*4006381333931~", b"*UK*00012345678905~"]),
    ("edifact-d96a", [b"NAD+DP+DOCK-4::92++Plant 2++Busan+++KR'", b"NAD+SU+123456789::16++T1A",
                      b"PIA+1+B-100:IN+4006381333931:EN'"]),
    ("ubl-2.1", [b'<cbc:ID schemeID="DUNS">123456789</cbc:ID>',
                 b"<cac:BuyersItemIdentification><cbc:ID>B-100</cbc:ID>",
                 b'<cac:StandardItemIdentification><cbc:ID schemeID="GTIN">4006381333931<',
                 b"<cbc:AdditionalStreetName>Bldg 2</cbc:AdditionalStreetName>"]),
])
def test_parties_and_item_ids_take_the_formats_own_segments(kind, native):
    data = adapter_for(kind).write([order()], OUT)
    for piece in native:
        assert piece in data.replace(b"\n", b"")


@pytest.mark.parametrize("kind", ["x12-4010", "edifact-d96a"])
def test_an_edi_party_with_two_ids_is_refused_not_cut(kind):
    two = [P.Party("ShipTo", (("GLN", "4012345000016"), ("Buyer", "DOCK-4")))]
    with pytest.raises(Unrepresentable, match="carries one id"):
        adapter_for(kind).write([order(parties=two)], OUT)


def test_a_ubl_item_with_two_gtins_is_refused():
    ids = [(("GTIN", "4006381333931"), ("GTIN", "4006381333948")), ()]
    with pytest.raises(Unrepresentable, match="one StandardItemIdentification"):
        adapter_for("ubl-2.1").write([order(item_ids=ids)], OUT)


def test_x12_names_over_several_lines_travel_as_n2():
    two_lines = [P.Party("ShipTo", (), "Mother Corp\nReceiving dock 4")]
    data = adapter_for("x12-4010").write([order(parties=two_lines, item_ids=[(), ()])], OUT)
    assert b"N1*ST*Mother Corp~N2*Receiving dock 4~" in data.replace(b"\n", b"")
    [got] = adapter_for("x12-4010").read(data, IN)
    assert P.parties_of(got.document) == two_lines


def test_an_x12_country_that_is_no_iso_code_is_refused():
    data = adapter_for("x12-4010").write([order(item_ids=[(), ()])], OUT)
    bad = data.replace(b"N4*Busan***KR", b"N4*Busan***XYZ")
    with pytest.raises(InvalidRequest, match="country 'XYZ' is not an ISO 3166-1 alpha-2"):
        adapter_for("x12-4010").read(bad, IN)
    mex = data.replace(b"N4*Busan***KR", b"N4*Busan***MEX")   # alpha-3 of the table: read
    [got] = adapter_for("x12-4010").read(mex, IN)
    assert [p.address.country for p in P.parties_of(got.document) if p.role == "ShipTo"] == ["MX"]


@pytest.mark.parametrize("kind,address,match", [
    ("x12-4010", P.Address(region="Heremouthshire"), "region 'Heremouthshire' is longer than "
     "the 2 characters"),
    ("x12-4010", P.Address(street=("S" * 56,)), "street 'S{56}' is longer than the 55"),
    ("edifact-d96a", P.Address(street=("S" * 36,)), "longer than the 35 characters of C059"),
    ("edifact-d96a", P.Address(postal_code="1234567890"), "postcode '1234567890' is longer"),
])
def test_an_address_part_longer_than_its_data_element_is_refused_not_cut(kind, address, match):
    party = [P.Party("ShipTo", (), "Plant 2", address)]
    with pytest.raises(Unrepresentable, match=match):
        adapter_for(kind).write([order(parties=party, item_ids=[(), ()])], OUT)


# Any parties and item ids all three formats can say (one id a party, as X12 N1 and EDIFACT
# NAD hold; lengths within EDIFACT's 35 and X12's N4 elements) come back as they went.
_word = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8)
_text = st.lists(_word, min_size=1, max_size=4).map(" ".join).filter(lambda t: len(t) <= 30)
_ident = st.tuples(st.sampled_from(["GLN", "DUNS", "Buyer", "Seller", "ZZZ"]),
                   _word.map(lambda w: "V-" + w))   # never a company's agreed id
_address = st.builds(P.Address, street=st.lists(_text, max_size=2).map(tuple),
                     city=st.none() | _text, postal_code=st.none() | _word,
                     region=st.none() | st.sampled_from(["NY", "11", "BW"]),
                     country=st.none() | st.sampled_from(["US", "KR", "TH", "DE"]))
_party = st.builds(P.Party, role=st.sampled_from(
    ["Buyer", "Seller", "ShipTo", "ShipFrom", "BillTo", "Payer", "Payee"]),
    ids=st.lists(_ident, max_size=1).map(tuple), name=st.none() | _text, address=_address)
_gtin = st.text(alphabet=string.digits, min_size=13, max_size=13)
_item_ids = st.tuples(st.none() | _word, st.none() | _gtin).map(
    lambda t: tuple(x for x in (("Buyer", t[0]) if t[0] else None,
                                ("GTIN", t[1]) if t[1] else None) if x))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, derandomize=True, deadline=None)
@given(parties=st.lists(_party, max_size=5), ids=st.lists(_item_ids, min_size=2, max_size=2))
def test_any_parties_and_item_ids_the_formats_can_say_round_trip(kind, parties, ids):
    sent = order(parties=parties, item_ids=ids)
    [got] = adapter_for(kind).read(adapter_for(kind).write([sent], OUT), IN)
    assert sorted(P.parties_of(got.document), key=repr) == sorted(parties, key=repr)
    assert P.item_ids_of(got.document) == ids
