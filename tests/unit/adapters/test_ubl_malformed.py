"""Broken UBL documents are refused: not XML, hostile XML, invalid against the UBL schema,
a line count that disagrees, a part code the agreement does not map."""
from __future__ import annotations

import pytest

from adapters.base import AdapterContext, ItemMap
from adapters.registry import adapter_for
from smart_gateway.domain.errors import (
    HostileXml, InvalidRequest, MalformedXml, SchemaInvalid, UnmappedCode,
)
from fixtures.corpus import CORPUS

GOOD = (CORPUS / "ubl" / "UBL-Order-2.1-Example.xml").read_text("utf-8")
CTX = AdapterContext(sender="A", receiver="B")


def read(text: str, context: AdapterContext = CTX):
    return adapter_for("ubl-2.1").read(text.encode("utf-8"), context)


def test_the_good_document_reads():
    assert len(read(GOOD)) == 1


def test_not_well_formed_xml_is_malformed():
    with pytest.raises(MalformedXml):
        read(GOOD.replace("</cbc:ID>", "</cbc:Id>", 1))


def test_a_dtd_is_refused_before_parsing():
    with pytest.raises(HostileXml):
        read('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + GOOD.split("?>", 1)[1])


def test_a_document_invalid_against_the_ubl_schema_names_the_problem():
    bad = GOOD.replace("<cbc:IssueDate>", "<cbc:IssueDay>", 1).replace(
        "</cbc:IssueDate>", "</cbc:IssueDay>", 1)
    with pytest.raises(SchemaInvalid, match=r"UBL-Order-2.4.xsd .* line \d+: .*IssueDay"):
        read(bad)


def test_a_line_count_that_disagrees_is_refused():
    with pytest.raises(InvalidRequest, match="LineCountNumeric says 3 lines, the document has 2"):
        read(GOOD.replace("<cac:ValidityPeriod>",
                          "<cbc:LineCountNumeric>3</cbc:LineCountNumeric><cac:ValidityPeriod>", 1))


def test_a_part_code_outside_the_agreements_map_is_refused_naming_the_line():
    with pytest.raises(UnmappedCode, match=r"line \d+ \(LineItem\).*has no network item"):
        read(GOOD, AdapterContext(sender="A", receiver="B", items=ItemMap({"X": "Y"})))


def test_an_unknown_root_is_refused():
    with pytest.raises(InvalidRequest, match="not a document the gateway reads"):
        read('<Catalogue xmlns="urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"/>')
