"""Every adapter reads numbers through canonical_doc.parse_number: finite, and no
larger than a canonical quantity or amount can be, or InvalidRequest naming where."""
from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.canonical_doc import parse_number
from smart_gateway.domain.errors import InvalidRequest


@pytest.mark.parametrize("text,value", [("12.5", Decimal("12.5")), ("0", Decimal(0)),
                                         ("1E-30", Decimal("1E-30")),
                                         ("9999999999999999999", Decimal("9999999999999999999"))])
def test_numbers_a_document_may_carry_read_as_they_are(text, value):
    assert parse_number(text, "here") == value


@pytest.mark.parametrize("text,message", [
    ("abc", r"here: 'abc' is not a number \(hint\)"),
    ("NaN", r"here: 'NaN' is not a number$"),
    ("Infinity", r"here: 'Infinity' is not a number$"),
    ("1E+19", r"here: '1E\+19' is too large"),
    ("-1E+999999", r"here: '-1E\+999999' is too large"),
])
def test_what_is_no_number_or_too_large_is_refused_naming_where(text, message):
    with pytest.raises(InvalidRequest, match=message):
        parse_number(text, "here", hint=" (hint)")
