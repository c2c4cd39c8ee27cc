"""Broken X12 interchanges are refused with InvalidRequest (or UnmappedCode) naming where.

Each case takes a good corpus interchange and breaks one thing in it: a control
count in a trailer (SE01, GE01, IEA01), a control number, a missing segment, a
line count, a date, a part code the agreement does not map.
"""
from __future__ import annotations

import pytest

from adapters.base import AdapterContext, ItemMap
from adapters.registry import adapter_for
from smart_gateway.domain.errors import InvalidRequest, UnmappedCode
from fixtures.corpus import CORPUS

GOOD = ((CORPUS / "x12" / "850__node-x12__850.edi").read_bytes()
        .decode("ascii"))
CTX = AdapterContext(sender="A", receiver="B")


def read(text: str, context: AdapterContext = CTX):
    return adapter_for("x12-4010").read(text.encode("ascii"), context)


def test_the_good_interchange_reads():
    assert len(read(GOOD)) == 1


@pytest.mark.parametrize("old,new,where", [
    ("SE*33*", "SE*32*", r"segment 35 \(SE01\): says 32 segments in the transaction set, .* 33"),
    ("GE*1*1421", "GE*2*1421", r"segment 36 \(GE01\): says 2 transaction sets"),
    ("IEA*1*", "IEA*3*", r"segment 37 \(IEA01\): says 3 functional groups"),
    ("SE*33*000000010", "SE*33*000000011", r"\(SE02\): control number '000000011' does not match"),
    ("GE*1*1421", "GE*1*1422", r"\(GE02\): control number '1422'"),
    ("CTT*6~", "CTT*7~", r"\(CTT01\): CTT01 says 7 line items, the transaction set has 6"),
    ("BEG*00*SA*08292233294**20101127", "BEG*00*SA*08292233294**20101327",
     r"\(BEG05\): '20101327' is not a valid date"),
    ("PO1*2*220*EA", "PO1*2*-220*EA", r"\(PO102\): quantity '-220' must be greater than zero"),
    ("PO1*2*220*EA", "PO1*2*many*EA", r"\(PO102\): 'many' is not a number"),
])
def test_a_broken_interchange_is_refused_naming_where(old, new, where):
    assert old in GOOD
    with pytest.raises(InvalidRequest, match=where):
        read(GOOD.replace(old, new, 1))


@pytest.mark.parametrize("drop,where", [
    ("SE*33*000000010~\n", r"segment 3 \(ST\): transaction set 850 000000010 has no SE "
                            r"trailer"),
    ("GE*1*1421~\n", r"\(IEA\): functional group 1421 .* has no GE trailer"),
    ("IEA*1*000003438~", r"expected GS or the IEA trailer"),
])
def test_a_missing_segment_is_refused_naming_where(drop, where):
    assert drop in GOOD
    with pytest.raises(InvalidRequest, match=where):
        read(GOOD.replace(drop, "", 1))


def test_a_missing_beginning_segment_is_refused_even_with_the_count_mended():
    text = GOOD.replace("BEG*00*SA*08292233294**20101127*610385385~\n", "", 1)
    with pytest.raises(InvalidRequest, match=r"transaction set 850 000000010 \(segment 3 \(ST\)\)"
                                             r": the beginning segment .* is missing"):
        read(text.replace("SE*33*", "SE*32*", 1))


def test_a_part_code_outside_the_agreements_map_is_refused_naming_the_line():
    items = ItemMap({"065322-117": "N1", "066850-116": "N2"})   # four of the six not mapped
    with pytest.raises(UnmappedCode, match=r"segment 21 \(PO1\).*'060733-110'"):
        read(GOOD, AdapterContext(sender="A", receiver="B", items=items))


def test_no_isa_is_no_interchange():
    with pytest.raises(InvalidRequest, match="starts with an ISA"):
        read("GS*PO*1*2~")
