"""Broken IDocs are refused with a fault that names where, never half read."""
from __future__ import annotations

import pytest

from adapters.base import AdapterContext, ItemMap
from adapters.canonical_doc import from_element
from adapters.registry import adapter_for
from smart_gateway.domain.errors import (HostileXml, InvalidRequest, MalformedXml, SchemaInvalid,
                                         UnmappedCode)
from fixtures.corpus import CORPUS

ORDER = (CORPUS / "idoc" / "ORDERS01__bots__ORDERS01005.idoc")
CTX = AdapterContext("X", "Y")


def lines() -> list[str]:
    return ORDER.read_text("latin-1").split("\n")


def read_flat(records: list[str], ctx: AdapterContext = CTX):
    return adapter_for("sap-idoc-flat").read("\n".join(records).encode("latin-1"), ctx)


def index_of(records: list[str], name: str, nth: int = 0) -> int:
    return [i for i, r in enumerate(records) if r.startswith(name)][nth]


def test_a_missing_record_is_found_by_the_segment_numbers():
    records = lines()
    del records[index_of(records, "E2EDK03")]
    with pytest.raises(SchemaInvalid, match=r"record 7 E2EDK03: segment number '000007', "
                                            r"expected 000006"):
        read_flat(records)


def test_a_wrong_control_total_is_refused():
    records = lines()
    i = index_of(records, "E2EDS01")
    records[i] = records[i][:66] + "9067".ljust(18) + records[i][84:]   # items add up to 9066
    with pytest.raises(InvalidRequest, match=r"E2EDS01 E1EDS01 002: the control total says 9067, "
                                             r"the items' net values add up to 9066"):
        read_flat(records)


def test_an_unknown_segment_makes_an_invalid_idoc():
    records = lines()
    i = index_of(records, "E2EDK17")
    records[i] = "E2EDK99" + records[i][7:]
    with pytest.raises(SchemaInvalid, match=r"record \d+: segment 'E2EDK99' is not part"):
        read_flat(records)


def test_an_item_segment_without_its_item_makes_an_invalid_idoc():
    records = lines()
    i, j = index_of(records, "E2EDP01"), index_of(records, "E2EDP20")
    records[i], records[j] = records[j], records[i]
    with pytest.raises(SchemaInvalid, match="E1EDP20 must follow its parent E1EDP01"):
        # renumber so that only the order is wrong
        read_flat([r[:49] + f"{n:06d}" + r[55:] if n else r for n, r in enumerate(records)])


def test_a_record_of_another_idoc_is_refused():
    records = lines()
    i = index_of(records, "E2EDP19")
    records[i] = records[i][:33] + "0000000000999999" + records[i][49:]
    with pytest.raises(SchemaInvalid, match=r"IDoc number '0000000000999999' differs"):
        read_flat(records)


def test_a_file_without_control_record_is_refused():
    with pytest.raises(SchemaInvalid, match="before any control record EDI_DC40"):
        read_flat(lines()[1:])


def test_an_unknown_part_code_is_refused_naming_the_item():
    ctx = AdapterContext("X", "Y", items=ItemMap({"10000029": "P-1", "10000026": "P-2"}))
    with pytest.raises(UnmappedCode, match=r"E2EDP19001 item 00030: part code '9600001'"):
        read_flat(lines(), ctx)


def test_a_bad_quantity_is_refused_naming_the_field():
    records = lines()
    i = index_of(records, "E2EDP01", 1)
    records[i] = records[i][:74] + "1O0.000".ljust(15) + records[i][89:]
    with pytest.raises(InvalidRequest, match=r"E1EDP01-MENGE: '1O0.000' is not a number"):
        read_flat(records)


def xml(body: str) -> bytes:
    return f'<?xml version="1.0"?><ORDERS05><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1">' \
           f'<TABNAM>EDI_DC40</TABNAM><IDOCTYP>ORDERS05</IDOCTYP><MESTYP>ORDERS</MESTYP>' \
           f'</EDI_DC40>{body}</IDOC></ORDERS05>'.encode()


GOOD_HEAD = ('<E1EDK01 SEGMENT="1"><BELNR>PO1</BELNR></E1EDK01>'
             '<E1EDK03 SEGMENT="1"><IDDAT>012</IDDAT><DATUM>20261123</DATUM></E1EDK03>'
             '<E1EDKA1 SEGMENT="1"><PARVW>AG</PARVW><PARTN>MOTHER</PARTN></E1EDKA1>')
ITEM = ('<E1EDP01 SEGMENT="1"><POSEX>10</POSEX><MENGE>5</MENGE><MENEE>PCE</MENEE>'
        '<E1EDP19 SEGMENT="1"><QUALF>001</QUALF><IDTNR>P-1</IDTNR></E1EDP19></E1EDP01>')


def test_a_well_formed_xml_idoc_reads_with_the_fields_sap_fills_and_the_gateway_ignores():
    item = ITEM.replace("<MENEE>PCE</MENEE>", "<MENEE>PCE</MENEE><MATKL>15010110</MATKL>"
                                              "<WERKS>1000</WERKS>")
    [msg] = adapter_for("sap-idoc").read(xml(GOOD_HEAD + item), CTX)
    [line] = from_element(msg.document).lines
    assert (line.number, line.item, line.quantity, line.unit) == (10, "P-1", 5, "PCE")


@pytest.mark.parametrize("body,error,where", [
    (ITEM, InvalidRequest, "0 E1EDK01 header segments"),
    (GOOD_HEAD, InvalidRequest, "no item segment E1EDP01"),
    (GOOD_HEAD + ITEM.replace("<MENEE>", "<COLOR>x</COLOR><MENEE>"), SchemaInvalid,
     "/ORDERS05/IDOC[1]/E1EDP01[4]: E1EDP01 has no field COLOR"),
    (GOOD_HEAD + ITEM.replace("<POSEX>10<", "<POSEX>1234567<"), SchemaInvalid,
     "E1EDP01[4]/POSEX: 7 characters; the field holds 6"),
    (GOOD_HEAD.replace("20261123", "20261323") + ITEM, InvalidRequest,
     "E1EDK03-DATUM: '20261323' is not a date"),
    (GOOD_HEAD + ITEM.replace("E1EDP19", "E1EDK14"), SchemaInvalid,
     "segment E1EDK14 belongs at the top level, not inside E1EDP01"),
])
def test_invalid_xml_idocs_are_refused_naming_where(body, error, where):
    with pytest.raises(error) as err:
        adapter_for("sap-idoc").read(xml(body), CTX)
    assert where in str(err.value)


def test_xml_idoc_that_is_not_xml_or_carries_a_dtd():
    with pytest.raises(MalformedXml):
        adapter_for("sap-idoc").read(b"<ORDERS05><IDOC>", CTX)
    with pytest.raises(HostileXml):
        adapter_for("sap-idoc").read(b'<!DOCTYPE x [<!ENTITY a "b">]><ORDERS05/>', CTX)


def test_a_second_buyer_is_refused_rather_than_one_of_them_chosen():
    records = lines()
    i = index_of(records, "E2EDKA1002")
    records.insert(i + 1, records[i])
    # renumber the records after the copy so that only the duplicate is wrong
    records = [r[:49] + f"{n:06d}" + r[55:] if n and r else r for n, r in enumerate(records)]
    with pytest.raises(InvalidRequest, match=r"E1EDKA1-PARVW: a second 'AG'"):
        read_flat(records)
