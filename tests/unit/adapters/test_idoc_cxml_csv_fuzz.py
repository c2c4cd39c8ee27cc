"""Whatever bytes arrive, an adapter answers with a canonical document or a GatewayError.

A partner's broken file must end as a fault with a stable code, never as an
IndexError or a half-read document: random damage to real native documents
(bytes replaced, records dropped or doubled) is read by every adapter of the
group, and each outcome is checked.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import canonical_doc as cd
from adapters.base import AdapterContext
from adapters.registry import adapter_for
from smart_gateway.domain.errors import GatewayError
from fixtures.corpus import CORPUS

NATIVE = {
    "sap-idoc-flat": (CORPUS / "idoc" / "ORDERS01__bots__ORDERS01005.idoc").read_bytes(),
    "cxml": (CORPUS / "cxml" / "OrderRequest__cxml-php__OrderRequest.xml").read_bytes(),
}
CTX = AdapterContext("X", "Y")


def damage(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, byte) edits: 0 replace a byte, 1 drop a line, 2 double a line."""
    out = bytearray(data)
    for kind, pos, byte in edits:
        if not out:
            break
        pos %= len(out)
        if kind == 0:
            out[pos] = byte
        else:
            lines = bytes(out).split(b"\n")
            i = pos % len(lines)
            lines[i:i + 1] = [] if kind == 1 else [lines[i], lines[i]]
            out = bytearray(b"\n".join(lines))
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10**6), st.integers(0, 255)),
                 min_size=1, max_size=4)


def check_outcome(kind: str, data: bytes, ctx: AdapterContext) -> None:
    try:
        messages = adapter_for(kind).read(data, ctx)
    except GatewayError:
        return
    for msg in messages:   # what is read is whole and valid
        assert cd.problems(msg.document) == []


@pytest.mark.parametrize("kind", ["sap-idoc-flat", "cxml"])
@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_damaged_corpus_documents_end_as_a_gateway_error_or_a_valid_document(kind, edits):
    check_outcome(kind, damage(NATIVE[kind], edits), CTX)


@pytest.mark.parametrize("kind", ["sap-idoc", "sap-idoc-flat", "cxml", "csv"])
@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_damaged_gateway_output_ends_as_a_gateway_error_or_a_valid_document(kit, kind, edits):
    data = adapter_for(kind).write([kit.canonical(kit.sample("PurchaseOrder"))],
                                   kit.context("utf-8" if kind == "sap-idoc-flat" else None))
    check_outcome(kind, damage(data, edits),
                  kit.context("utf-8" if kind == "sap-idoc-flat" else None))
