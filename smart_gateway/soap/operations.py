"""Operations that read and write their messages as XML, registered by feature.

The core operations (services.py) are spyne methods with spyne classes.  The
feature services (composition, MSME order services, cascades, adapters) take
their validated request element as it is and return their response element,
so that a feature adds an operation by adding an ``XmlOperation`` to the
``OPERATIONS`` list of its own ``ops_<feature>`` module and its elements to
its own schema file under schemas/gateway/v1/ (included by gateway.xsd).
Nothing here needs editing for a new operation.

A handler gets the request scope (``scope.conn`` opens the database
transaction on first use, ``scope.actor`` is the authenticated company,
``scope.now`` the request time, ``scope.commit()`` commits early) and the
request element, already valid against the schema.  It returns the response
element ``<name>Response`` in urn:smart-gateway:v1, as an lxml element or
bytes, or raises a domain GatewayError, which becomes a fault and rolls the
transaction back.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from lxml import etree
from spyne import AnyXml, ComplexModel, Service, rpc

from ..messages.schema import NS
from .faults import GatewayFault


@dataclass(frozen=True)
class XmlOperation:
    name: str                 # request element; the response is ``name + "Response"``
    doc: str                  # one or two sentences for the WSDL
    handler: Callable[[Any, etree._Element], etree._Element | bytes]
    read_only: bool = False   # on SQLite a read runs without the write lock


def registered() -> list[XmlOperation]:
    """Every feature's operations, in WSDL order."""
    from . import ops_adapters, ops_cascade, ops_composition, ops_msme
    ops = [*ops_cascade.OPERATIONS, *ops_composition.OPERATIONS, *ops_msme.OPERATIONS,
           *ops_adapters.OPERATIONS]
    names = [op.name for op in ops]
    if len(names) != len(set(names)):
        raise RuntimeError(f"an operation is registered twice: {sorted(names)}")
    return ops


def _request_class(name: str) -> type[ComplexModel]:
    # spyne routes a document/literal request by its body element's name; the
    # element's content is never read by spyne (the protocol hands it over raw),
    # but a bare method refuses an empty model: one optional placeholder field.
    return type(name, (ComplexModel,), {"__namespace__": NS,
                                        "_type_info": [("content", AnyXml)]})


def _method(op: XmlOperation):
    def call(ctx, request):
        return op.handler(ctx.udc, request)

    call.__name__ = op.name
    call.__doc__ = op.doc
    return rpc(_request_class(op.name), _returns=AnyXml, _body_style="bare",
               _throws=[GatewayFault])(call)


def xml_service(ops: list[XmlOperation]) -> type[Service]:
    """One spyne service holding every registered operation."""
    return type("FeatureService", (Service,), {op.name: _method(op) for op in ops})
