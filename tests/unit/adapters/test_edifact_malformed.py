"""Broken EDIFACT interchanges are refused with InvalidRequest (or UnmappedCode) naming where."""
from __future__ import annotations

import pytest

from adapters.base import AdapterContext, ItemMap
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest, UnmappedCode
from fixtures.corpus import CORPUS

GOOD = (CORPUS / "edifact" / "ORDERS__bots__orders01.edi").read_bytes().decode()
CTX = AdapterContext(sender="A", receiver="B")


def read(text: str, context: AdapterContext = CTX):
    return adapter_for("edifact-d96a").read(text.encode(), context)


def test_the_good_interchange_reads():
    assert len(read(GOOD)) == 2


@pytest.mark.parametrize("old,new,where", [
    ("UNT+22+", "UNT+21+", r"segment 23 \(UNT element 1\): says 21 segments in the message, "
                           r"the interchange has 22"),
    ("UNT+16+1-2UNHREF", "UNT+16+1-9UNHREF", r"\(UNT element 2\): reference '1-9UNHREF' does "
                                             r"not match UNH's '1-2UNHREF'"),
    ("UNZ+2+", "UNZ+3+", r"\(UNZ element 1\): says 3 messages in the interchange, .* 2"),
    ("UNZ+2+1UNBREF", "UNZ+2+2UNBREF", r"\(UNZ element 2\): reference '2UNBREF'"),
    ("DTM+137:20050819:102'\r\nDTM+64", "DTM+137:20051319:102'\r\nDTM+64",
     r"\(DTM element 1\): '20051319' is not a valid date"),
    ("QTY+21:1.00'", "QTY+21:0'", r"\(QTY element 1\): quantity '0' must be greater than zero"),
    ("LIN+2++8712345678901:EN'\r\nQTY+21:1.00'", "LIN+2++8712345678901:EN'\r\nQTY+59:1.00'",
     r"\(LIN\): line 2 has no QTY with qualifier 21"),
])
def test_a_broken_interchange_is_refused_naming_where(old, new, where):
    assert old in GOOD
    with pytest.raises(InvalidRequest, match=where):
        read(GOOD.replace(old, new, 1))


def test_a_line_count_that_disagrees_with_cnt_is_refused():
    text = GOOD.replace("UNS+S'\r\nUNT+22+", "UNS+S'\r\nCNT+2:5'\r\nUNT+23+", 1)
    with pytest.raises(InvalidRequest, match=r"\(CNT element 1\): CNT\+2 says 5 line items, the "
                                             r"message has 4"):
        read(text)


@pytest.mark.parametrize("drop,where", [
    ("UNT+22+1-1UNHREF'\r\n", r"message 1-1UNHREF has no UNT trailer"),
    ("UNZ+2+1UNBREF'", r"expected UNH or the UNZ trailer"),
])
def test_a_missing_segment_is_refused_naming_where(drop, where):
    assert drop in GOOD
    with pytest.raises(InvalidRequest, match=where):
        read(GOOD.replace(drop, "", 1))


@pytest.mark.parametrize("drop,where", [
    ("BGM+50E+1+9+NA'\r\n", r"message ORDERS 1-1UNHREF \(segment 2 \(UNH\)\): the message has "
                            r"no BGM segment"),
    ("DTM+137:20050819:102'\r\n", r"message ORDERS 1-1UNHREF .*: the message has no document "
                                  r"date"),
])
def test_a_missing_header_segment_is_refused_even_with_the_count_mended(drop, where):
    text = GOOD.replace(drop, "", 1).replace("UNT+22+", "UNT+21+", 1)
    with pytest.raises(InvalidRequest, match=where):
        read(text)


def test_a_part_code_outside_the_agreements_map_is_refused_naming_the_line():
    with pytest.raises(UnmappedCode, match=r"segment 14 \(LIN\).*'8712345678901'"):
        read(GOOD, AdapterContext(sender="A", receiver="B", items=ItemMap({"X": "Y"})))


def test_no_unb_is_no_interchange():
    with pytest.raises(InvalidRequest, match="starts with UNA or UNB"):
        read("UNH+1+ORDERS:D:96A:UN'")


def test_an_xml_syntax_message_with_a_wrong_unt_count_is_refused():
    xml = (CORPUS / "edifact" / "INVOIC__en16931__EDIFACT_EXAMPLE3.xml").read_text()
    assert "<D_0074>43</D_0074>" in xml
    with pytest.raises(InvalidRequest, match=r"\(UNT element 1\): says 42 segments in the "
                                             r"message, the message has 43"):
        adapter_for("edifact-d96a").read(xml.replace("<D_0074>43<", "<D_0074>42<").encode(), CTX)


@pytest.mark.parametrize("old,new", [
    ("LIN+", "L/N+"),      # no segment tag the tokenizer knows
])
def test_what_the_tokenizer_cannot_read_is_refused_as_invalid(old, new):
    assert old in GOOD
    with pytest.raises(InvalidRequest, match="cannot be tokenized"):
        read(GOOD.replace(old, new, 1))
