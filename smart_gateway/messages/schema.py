"""The canonical schema, compiled once per process."""
from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

from ..domain.errors import SchemaInvalid

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
GATEWAY_XSD = SCHEMAS / "gateway" / "v1" / "gateway.xsd"
NS = "urn:smart-gateway:v1"


@functools.cache
def gateway_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(GATEWAY_XSD)))


def problems(element: etree._Element) -> list[str]:
    """Every schema violation in ``element``, each with its line and path."""
    schema = gateway_schema()
    if schema.validate(element):
        return []
    return [f"line {e.line}: {e.path}: {e.message}" for e in schema.error_log]


def check(element: etree._Element) -> None:
    if found := problems(element):
        raise SchemaInvalid(
            f"{etree.QName(element).localname} is not valid against "
            f"gateway.xsd ({len(found)} problem(s)); first: {found[0]}",
            found,
        )
