"""CIA: a partner's part codes <-> the network's item codes, both ways, never guessed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, ItemMap
from adapters.registry import adapter_for
from smart_gateway.domain.errors import UnmappedCode

MAP = ItemMap({"IC-100": "P-7731", "PCB-4L": "P-7732"})


def test_codes_map_both_ways():
    assert MAP.network_code("IC-100") == "P-7731"
    assert MAP.partner_code("P-7732") == "PCB-4L"


def test_an_unmapped_code_is_refused_both_ways():
    with pytest.raises(UnmappedCode, match="part code 'IC-999'"):
        MAP.network_code("IC-999")
    with pytest.raises(UnmappedCode, match="network item 'P-9999'"):
        MAP.partner_code("P-9999")


def test_no_mapping_means_the_partner_uses_network_codes():
    assert ItemMap().network_code("P-7731") == "P-7731" == ItemMap().partner_code("P-7731")


def test_a_mapping_that_could_not_translate_back_is_rejected():
    with pytest.raises(ValueError, match="one-to-one"):
        ItemMap({"A": "P-1", "B": "P-1"})


@pytest.mark.parametrize("kind", ["sap-idoc", "sap-idoc-flat", "cxml", "csv"])
def test_every_adapter_writes_partner_codes_and_reads_network_codes(kit, kind):
    sent = kit.canonical(kit.sample("PurchaseOrder", text=False))
    native = adapter_for(kind).write([sent], kit.context())
    assert b"IC-100" in native and b"P-7731" not in native
    [got] = adapter_for(kind).read(native, kit.context())
    assert [ln.item for ln in cd.from_element(got.document).lines] == ["P-7731", "P-7732", "P-7733"]


@pytest.mark.parametrize("kind", ["sap-idoc", "sap-idoc-flat", "cxml", "csv"])
def test_writing_an_item_the_partner_has_no_code_for_is_refused(kit, kind):
    doc = kit.sample("PurchaseOrder", text=False)
    ctx = AdapterContext("MOTHER", "T1A", items=ItemMap({"IC-100": "P-7731"}))
    with pytest.raises(UnmappedCode, match="network item 'P-7732'"):
        adapter_for(kind).write([Canonical(kit.canonical(doc).purpose, cd.to_element(doc))], ctx)


# LIA, as a property: any text of any script survives every Unicode format.
# (The flat IDoc cannot end a line of text in a blank: its padding would take it.)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff",
                             whitelist_characters="\n"),
               min_size=1, max_size=160).filter(lambda s: not s.endswith(" ") and " \n" not in s)


@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=TEXT, note=TEXT)
def test_any_unicode_text_survives_every_unicode_format(kit, description, note):
    line = cd.DocLine(1, "P-7731", Decimal("1.5"), "PCE", description)
    doc = cd.Doc("PurchaseOrder", "PO-1", "MOTHER", dt.date(2026, 11, 23), (line,),
                 partner="T1A", note=note)
    for kind, charset in (("sap-idoc", None), ("sap-idoc-flat", "utf-8"), ("cxml", None),
                          ("csv", None)):
        sent = Canonical(kit.canonical(doc).purpose, cd.to_element(doc))
        [got] = adapter_for(kind).read(adapter_for(kind).write([sent], kit.context(charset)),
                                       kit.context(charset))
        assert cd.differences(sent.document, got.document) == [], kind


def test_parties_follow_the_same_rule_as_part_codes():
    ctx = AdapterContext("MOTHER", "T1A", party_ids={"MOTHER": "0000001000"})
    assert ctx.native_party("MOTHER") == "0000001000" and ctx.company_of("0000001000") == "MOTHER"
    with pytest.raises(UnmappedCode, match="company 'T1A' has no party id"):
        ctx.native_party("T1A")
    with pytest.raises(UnmappedCode, match="party '0000088333' is not a company"):
        ctx.company_of("0000088333")
    assert AdapterContext("A", "B").company_of("X1") == "X1"   # no party ids: codes as they are
