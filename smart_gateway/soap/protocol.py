"""SOAP 1.1 and 1.2 as the gateway reads and writes them, on top of spyne's protocols.

Three changes to spyne's protocols, all at the edge of the wire, the same for
both SOAP versions (GatewayProtocol):
- the envelope is parsed by messages/safe_xml (no DTDs, size and depth
  limits) and the body validated against schemas/ before any method runs;
- operations listed in ``raw_in`` get the validated body element itself
  instead of spyne objects (SubmitTransaction: building spyne objects for a
  long order costs more than validating and storing it);
- a method may return an lxml element, which becomes the body unchanged, and
  GatewayFaults are written with their tns:GatewayFault detail.
What differs between the versions is the envelope namespace and the shape of
a fault; each subclass says only that.
"""
from __future__ import annotations

from lxml import etree
from spyne.const.http import HTTP_400, HTTP_500
from spyne.protocol.soap import Soap11, Soap12

from ..domain.errors import MalformedXml, SchemaInvalid
from ..messages import safe_xml, schema
from ..messages.schema import NS
from .faults import GatewayFault, to_fault

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
ENV12 = "http://www.w3.org/2003/05/soap-envelope"
_OTHER = {ENV: (ENV12, "1.2"), ENV12: (ENV, "1.1")}


class TextBody:
    """A response body already written as UTF-8 XML text."""
    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text


class GatewayProtocol:
    """Mixed in before spyne's Soap11 or Soap12; ``ENVELOPE`` and ``fault_element`` vary."""

    ENVELOPE: str
    VERSION: str

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
        env = self.ENVELOPE
        other, version = _OTHER[env]
        if root.tag == f"{{{other}}}Envelope":
            raise MalformedXml(f"this endpoint speaks SOAP {self.VERSION} (namespace {env}); a "
                               f"SOAP {version} envelope was sent: use the SOAP {version} "
                               f"endpoint of the gateway")
        if root.tag != f"{{{env}}}Envelope":
            raise MalformedXml(f"the document is not a SOAP {self.VERSION} Envelope "
                               f"(root is {root.tag})")
        header = root.find(f"{{{env}}}Header")
        body = root.find(f"{{{env}}}Body")
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
            self._envelope(ctx, self.fault_element(error))
            return
        out = ctx.out_object
        if error is None and out and isinstance(out[0], etree._Element):
            self._envelope(ctx, out[0])
            return
        if error is None and out and isinstance(out[0], bytes):
            # A body already written as UTF-8 XML text (a large trace): it goes
            # out as it is, inside an envelope written as text too.
            self.event_manager.fire_event("before_serialize", ctx)
            ctx.out_document = TextBody(out[0])  # spyne's context takes no new attributes
            self.event_manager.fire_event("after_serialize", ctx)
            return
        super().serialize(ctx, message)

    def create_out_string(self, ctx, charset=None):
        if not isinstance(ctx.out_document, TextBody) or ctx.out_error is not None:
            return super().create_out_string(ctx, charset)
        body = ctx.out_document.text
        prefix = "soap11env" if self.ENVELOPE == ENV else "soap12env"
        ctx.out_string = [
            f"<?xml version='1.0' encoding='UTF-8'?>\n<{prefix}:Envelope "
            f'xmlns:{prefix}="{self.ENVELOPE}"><{prefix}:Body>'.encode(),
            body, f"</{prefix}:Body></{prefix}:Envelope>".encode()]

    def _envelope(self, ctx, payload: etree._Element) -> None:
        self.event_manager.fire_event("before_serialize", ctx)
        ctx.out_document = self.envelope(payload)
        ctx.out_body_doc = ctx.out_document[0]
        self.event_manager.fire_event("after_serialize", ctx)

    @classmethod
    def envelope(cls, payload: etree._Element) -> etree._Element:
        prefix = "soap11env" if cls.ENVELOPE == ENV else "soap12env"
        env = etree.Element(f"{{{cls.ENVELOPE}}}Envelope", nsmap={prefix: cls.ENVELOPE})
        etree.SubElement(env, f"{{{cls.ENVELOPE}}}Body").append(payload)
        return env

    @classmethod
    def fault_element(cls, fault: GatewayFault) -> etree._Element:
        raise NotImplementedError


class GatewaySoap11(GatewayProtocol, Soap11):
    ENVELOPE, VERSION = ENV, "1.1"

    @classmethod
    def fault_element(cls, fault: GatewayFault) -> etree._Element:
        el = etree.Element(f"{{{ENV}}}Fault", nsmap={"soap11env": ENV})
        etree.SubElement(el, "faultcode").text = f"soap11env:{fault.faultcode}"
        etree.SubElement(el, "faultstring").text = fault.faultstring
        etree.SubElement(el, "detail").append(fault.detail_element())
        return el

    @staticmethod
    def http_status(fault) -> str:
        return HTTP_500  # SOAP 1.1 over HTTP and WS-I BP R1126: every fault is a 500

    def fault_to_http_response_code(self, fault):
        return self.http_status(fault)


class GatewaySoap12(GatewayProtocol, Soap12):
    """SOAP 1.2: Code Sender or Receiver, the gateway's code as a Subcode in its namespace."""
    ENVELOPE, VERSION = ENV12, "1.2"

    @classmethod
    def fault_element(cls, fault: GatewayFault) -> etree._Element:
        q = f"{{{ENV12}}}"
        el = etree.Element(q + "Fault", nsmap={"soap12env": ENV12, "gw": NS})
        code = etree.SubElement(el, q + "Code")
        etree.SubElement(code, q + "Value").text = (
            "soap12env:Sender" if fault.error.client_side else "soap12env:Receiver")
        sub = etree.SubElement(code, q + "Subcode")
        etree.SubElement(sub, q + "Value").text = f"gw:{fault.error.code.value}"
        reason = etree.SubElement(el, q + "Reason")
        text = etree.SubElement(reason, q + "Text")
        text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        text.text = fault.faultstring
        etree.SubElement(el, q + "Detail").append(fault.detail_element())
        return el

    @staticmethod
    def http_status(fault) -> str:
        # SOAP 1.2 HTTP binding: a Sender fault is 400, any other 500.
        if isinstance(fault, GatewayFault):
            return HTTP_400 if fault.error.client_side else HTTP_500
        return HTTP_400 if str(getattr(fault, "faultcode", "")).startswith("Client") else HTTP_500

    def fault_to_http_response_code(self, fault):
        return self.http_status(fault)
