"""SOAP 1.1 as the gateway reads and writes it, on top of spyne's Soap11.

Three changes to spyne's protocol, all at the edge of the wire:
- the envelope is parsed by messages/safe_xml (no DTDs, size and depth
  limits) and the body validated against schemas/ before any method runs;
- operations listed in ``raw_in`` get the validated body element itself
  instead of spyne objects (SubmitTransaction: building spyne objects for a
  long order costs more than validating and storing it);
- a method may return an lxml element, which becomes the body unchanged, and
  GatewayFaults are written with their tns:GatewayFault detail.
"""
from __future__ import annotations

from lxml import etree
from spyne.const.http import HTTP_500
from spyne.protocol.soap import Soap11

from ..domain.errors import MalformedXml, SchemaInvalid
from ..messages import safe_xml, schema
from .faults import GatewayFault, to_fault

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
ENV12 = "http://www.w3.org/2003/05/soap-envelope"


class GatewaySoap11(Soap11):
    def __init__(self, *args, limits: safe_xml.XmlLimits = safe_xml.XmlLimits(),
                 raw_in: frozenset[str] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.raw_in = raw_in

    def create_in_document(self, ctx, charset=None):
        try:
            chunks = ctx.in_string
            data = chunks if isinstance(chunks, bytes) else b"".join(
                c if isinstance(c, bytes) else c.encode("utf-8") for c in chunks)
            ctx.in_document = safe_xml.parse(data, self.limits)
        except Exception as exc:  # noqa: BLE001 - whatever it is, it becomes a fault
            raise to_fault(exc) from None

    def decompose_incoming_envelope(self, ctx, message=Soap11.REQUEST):
        try:
            self._decompose(ctx)
        except Exception as exc:  # noqa: BLE001
            raise to_fault(exc) from None

    def _decompose(self, ctx) -> None:
        root = ctx.in_document
        if root.tag == f"{{{ENV12}}}Envelope":
            raise MalformedXml("this endpoint speaks SOAP 1.1 (namespace "
                               f"{ENV}); a SOAP 1.2 envelope was sent")
        if root.tag != f"{{{ENV}}}Envelope":
            raise MalformedXml(f"the document is not a SOAP 1.1 Envelope (root is {root.tag})")
        header = root.find(f"{{{ENV}}}Header")
        body = root.find(f"{{{ENV}}}Body")
        payload = None if body is None else next(
            (c for c in body if isinstance(c.tag, str)), None)
        if payload is None:
            raise SchemaInvalid("the SOAP Body is empty; it must hold one operation element "
                                "of urn:smart-gateway:v1")
        ctx.in_header_doc = [] if header is None else [c for c in header if isinstance(c.tag, str)]
        ctx.in_body_doc = payload
        ctx.method_request_string = payload.tag
        schema.check(payload)

    def deserialize(self, ctx, message):
        if etree.QName(ctx.in_body_doc).localname in self.raw_in:
            self.event_manager.fire_event("before_deserialize", ctx)
            ctx.in_object = ctx.in_body_doc
            self.event_manager.fire_event("after_deserialize", ctx)
            return
        super().deserialize(ctx, message)

    def serialize(self, ctx, message):
        error = ctx.out_error
        if isinstance(error, GatewayFault):
            self._envelope(ctx, self._fault(error))
            return
        out = ctx.out_object
        if error is None and out and isinstance(out[0], etree._Element):
            self._envelope(ctx, out[0])
            return
        super().serialize(ctx, message)

    def _envelope(self, ctx, payload: etree._Element) -> None:
        self.event_manager.fire_event("before_serialize", ctx)
        env = etree.Element(f"{{{ENV}}}Envelope", nsmap={"soap11env": ENV})
        body = etree.SubElement(env, f"{{{ENV}}}Body")
        body.append(payload)
        ctx.out_document = env
        ctx.out_body_doc = body
        self.event_manager.fire_event("after_serialize", ctx)

    @staticmethod
    def _fault(fault: GatewayFault) -> etree._Element:
        el = etree.Element(f"{{{ENV}}}Fault", nsmap={"soap11env": ENV})
        etree.SubElement(el, "faultcode").text = f"soap11env:{fault.faultcode}"
        etree.SubElement(el, "faultstring").text = fault.faultstring
        etree.SubElement(el, "detail").append(fault.detail_element())
        return el

    def fault_to_http_response_code(self, fault):
        return HTTP_500  # SOAP 1.1 over HTTP and WS-I BP R1126: every fault is a 500
