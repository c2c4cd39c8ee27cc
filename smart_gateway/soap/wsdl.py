"""The published WSDLs, built from schemas/ and checked in under wsdl/.

spyne's own WSDL would name types after Python classes and import namespaces
without locations, which trips wsimport and svcutil; partners instead get a
WSDL 1.1 document/literal contract that inlines gateway.xsd unchanged and
declares one fault, tns:GatewayFault, on every operation.  ``smart-gateway
export-wsdl`` rewrites the files; tests/contract fails when they drift.
"""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..messages.schema import GATEWAY_XSD, NS

WSDL_DIR = Path(__file__).resolve().parents[2] / "wsdl"
GATEWAY_WSDL = WSDL_DIR / "gateway-v1.wsdl"
PARTNER_WSDL = WSDL_DIR / "partner-v1.wsdl"
PLACEHOLDER = "http://localhost:8080/soap"
PARTNER_PLACEHOLDER = "http://localhost:9000/partner"

W = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"

GATEWAY_OPERATIONS = [
    ("SubmitTransaction", "Register a document (order, delivery, internal order) with the "
     "instances that triggered it; the gateway validates, records and propagates it."),
    ("FetchInbox", "Messages waiting for the calling company: propagated documents and "
     "acknowledgements, oldest first. For partners that host no SOAP server."),
    ("Acknowledge", "The receiver reports Received, Approved, PendingApproval, Rejected, or "
     "Created with the number of the document its ERP created."),
    ("GetTrace", "The whole transaction network around one document number, upstream and "
     "downstream, across every tier the caller may see."),
    ("SearchAgents", "The propagation agents registered for a transaction's primary key."),
    ("GetAgent", "One propagation agent with its state and location."),
]
PARTNER_OPERATIONS = [
    ("ReceiveMessage", "The gateway delivers one message (a propagated document or an "
     "acknowledgement) to a push partner; answer accepted=true once it is stored."),
]


def build(service: str, port: str, operations: list[tuple[str, str]], location: str,
          doc: str) -> bytes:
    nsmap = {"wsdl": W, "soap": SOAP, "xs": "http://www.w3.org/2001/XMLSchema", "tns": NS}
    defs = etree.Element(f"{{{W}}}definitions", nsmap=nsmap, name=service, targetNamespace=NS)
    etree.SubElement(defs, f"{{{W}}}documentation").text = doc
    types = etree.SubElement(defs, f"{{{W}}}types")
    xsd = etree.parse(str(GATEWAY_XSD), etree.XMLParser(remove_comments=True,
                                                        remove_blank_text=True)).getroot()
    types.append(xsd)

    def message(name: str, element: str) -> None:
        m = etree.SubElement(defs, f"{{{W}}}message", name=name)
        etree.SubElement(m, f"{{{W}}}part", name="parameters", element=f"tns:{element}")

    for op, _ in operations:
        message(f"{op}Request", op)
        message(f"{op}Response", f"{op}Response")
    message("GatewayFault", "GatewayFault")

    port_type = etree.SubElement(defs, f"{{{W}}}portType", name=f"{service}PortType")
    for op, text in operations:
        o = etree.SubElement(port_type, f"{{{W}}}operation", name=op)
        etree.SubElement(o, f"{{{W}}}documentation").text = text
        etree.SubElement(o, f"{{{W}}}input", message=f"tns:{op}Request")
        etree.SubElement(o, f"{{{W}}}output", message=f"tns:{op}Response")
        etree.SubElement(o, f"{{{W}}}fault", name="GatewayFault", message="tns:GatewayFault")

    binding = etree.SubElement(defs, f"{{{W}}}binding", name=f"{service}Soap11",
                               type=f"tns:{service}PortType")
    etree.SubElement(binding, f"{{{SOAP}}}binding", style="document",
                     transport="http://schemas.xmlsoap.org/soap/http")
    for op, _ in operations:
        o = etree.SubElement(binding, f"{{{W}}}operation", name=op)
        etree.SubElement(o, f"{{{SOAP}}}operation", soapAction=f"{NS}#{op}", style="document")
        for direction in ("input", "output"):
            d = etree.SubElement(o, f"{{{W}}}{direction}")
            etree.SubElement(d, f"{{{SOAP}}}body", use="literal")
        f = etree.SubElement(o, f"{{{W}}}fault", name="GatewayFault")
        etree.SubElement(f, f"{{{SOAP}}}fault", name="GatewayFault", use="literal")

    svc = etree.SubElement(defs, f"{{{W}}}service", name=service)
    p = etree.SubElement(svc, f"{{{W}}}port", name=port, binding=f"tns:{service}Soap11")
    etree.SubElement(p, f"{{{SOAP}}}address", location=location)
    etree.indent(defs, space="  ")
    return etree.tostring(defs, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def gateway_wsdl(location: str = PLACEHOLDER) -> bytes:
    return build("SmartGateway", "SmartGatewaySoap11", GATEWAY_OPERATIONS, location,
                 "SMART gateway, headquarter of the manufacturing network: SOAP 1.1, "
                 "document/literal. Authenticate every call with a WS-Security UsernameToken.")


def partner_wsdl(location: str = PARTNER_PLACEHOLDER) -> bytes:
    return build("SmartPartner", "SmartPartnerSoap11", PARTNER_OPERATIONS, location,
                 "What a push partner serves so that the SMART gateway can deliver to it.")


def export() -> list[Path]:
    WSDL_DIR.mkdir(exist_ok=True)
    GATEWAY_WSDL.write_bytes(gateway_wsdl())
    PARTNER_WSDL.write_bytes(partner_wsdl())
    return [GATEWAY_WSDL, PARTNER_WSDL]


def served(checked_in: bytes, location: str, placeholder: str = PLACEHOLDER) -> bytes:
    """The checked-in WSDL with its address pointed at where it is served from."""
    return checked_in.replace(f'location="{placeholder}"'.encode(),
                              f'location="{location}"'.encode(), 1)
