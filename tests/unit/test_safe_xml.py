"""messages.safe_xml.parse: the one door untrusted XML comes through."""
from __future__ import annotations

import pytest

from smart_gateway.domain.errors import HostileXml, MalformedXml
from smart_gateway.messages.safe_xml import XmlLimits, parse

LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%s;" % (str(i - 1).encode() if i > 1 else b"")) * 10)
                     for i in range(1, 10))
          + b"]>\n<lolz>&lol9;</lolz>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b"<foo>&xxe;</foo>")
PARAMETER_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY % p SYSTEM '
                    b'"http://127.0.0.1:9/evil.dtd"> %p;]><foo/>')


def nested(depth: int) -> bytes:
    return b"<a>" * depth + b"</a>" * depth


def test_fine_input():
    root = parse('<a xmlns="urn:x"><b>한국어 ไทย 中文</b></a>'.encode())
    assert root.tag == "{urn:x}a" and root[0].text == "한국어 ไทย 中文"


def test_fine_input_with_declaration_and_comments():
    root = parse(b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a><?pi x?><b/></a>')
    assert root.tag == "a"


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\t \r\n"], ids=["empty", "spaces", "whitespace"])
def test_empty(data):
    with pytest.raises(MalformedXml, match="empty"):
        parse(data)


@pytest.mark.parametrize("data", [
    b"<a>\xff\xfe</a>",
    b'<?xml version="1.0" encoding="UTF-8"?><a>\xc3\x28</a>',
    b"<a>caf\xe9</a>",  # latin-1 bytes without a declaration
], ids=["ff-fe", "bad-continuation", "latin1"])
def test_not_utf8(data):
    with pytest.raises(MalformedXml):
        parse(data)


@pytest.mark.parametrize("data", [b"not xml", b"<a>", b"<a></b>", b"<a/><b/>", b"\x00\x01"],
                         ids=["text", "unclosed", "mismatched", "two-roots", "binary"])
def test_not_well_formed(data):
    with pytest.raises(MalformedXml):
        parse(data)


@pytest.mark.parametrize("data", [LAUGHS, XXE, PARAMETER_ENTITY, b"<!DOCTYPE a><a/>",
                                  b'<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>',
                                  b'<!ENTITY x "y"><a/>'],
                         ids=["billion-laughs", "xxe", "parameter-entity", "doctype-alone",
                              "external-dtd", "entity-without-doctype"])
def test_dtds_are_hostile(data):
    with pytest.raises(HostileXml):
        parse(data)


def test_doctype_in_utf16_is_hostile():
    # The byte search for "<!DOCTYPE" misses UTF-16; the parsed doctype check catches it.
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-16")
    with pytest.raises(HostileXml):
        parse(data)


def test_xxe_never_reads_the_file():
    with pytest.raises(HostileXml) as info:
        parse(XXE)
    assert "root:" not in str(info.value)


def test_oversized():
    limits = XmlLimits(max_bytes=100)
    parse(b"<a>" + b"x" * 93 + b"</a>", limits)  # exactly 100 bytes: fine
    with pytest.raises(HostileXml, match="101 bytes"):
        parse(b"<a>" + b"x" * 94 + b"</a>", limits)


def test_default_size_limit_is_4_mib():
    with pytest.raises(HostileXml):
        parse(b"<a>" + b"x" * (4 * 1024 * 1024) + b"</a>")


def test_depth_limit():
    limits = XmlLimits(max_depth=32)
    assert parse(nested(32), limits).tag == "a"
    with pytest.raises(HostileXml, match="32"):
        parse(nested(33), limits)


def test_depth_limit_default_and_custom():
    parse(nested(32))
    with pytest.raises(HostileXml):
        parse(nested(33))
    parse(nested(5), XmlLimits(max_depth=5))
    with pytest.raises(HostileXml):
        parse(nested(6), XmlLimits(max_depth=5))


def test_depth_counts_the_deepest_branch_only():
    wide = b"<a>" + b"<b/>" * 1000 + b"</a>"
    assert len(parse(wide, XmlLimits(max_depth=2))) == 1000
