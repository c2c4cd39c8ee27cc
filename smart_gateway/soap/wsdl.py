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
from .operations import registered

WSDL_DIR = Path(__file__).resolve().parents[2] / "wsdl"
GATEWAY_WSDL = WSDL_DIR / "gateway-v1.wsdl"
GATEWAY_WSDL_12 = WSDL_DIR / "gateway-v1-soap12.wsdl"
PARTNER_WSDL = WSDL_DIR / "partner-v1.wsdl"
PLACEHOLDER = "http://localhost:8080/soap"
PLACEHOLDER_12 = "http://localhost:8080/soap12"
PARTNER_PLACEHOLDER = "http://localhost:9000/partner"

W = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"

CORE_OPERATIONS = [
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
    ("ListPendingApprovals", "Transactions held in PendingApproval for the caller's company, "
     "for its manager to decide with Acknowledge Approved or Rejected."),
    ("GetMetrics", "The transaction cost model's metrics (NCTP, NITP, ADTR, MDTR, TRCO) of "
     "the whole network, one company, or one order's trace."),
]
GATEWAY_OPERATIONS = [*CORE_OPERATIONS, *((op.name, op.doc) for op in registered())]
PARTNER_OPERATIONS = [
    ("ReceiveMessage", "The gateway delivers one message (a propagated document or an "
     "acknowledgement) to a push partner; answer accepted=true once it is stored."),
]


XS = "http://www.w3.org/2001/XMLSchema"
_PARSER = etree.XMLParser(remove_comments=True, remove_blank_text=True)


def inline_schema(path: Path) -> etree._Element:
    """gateway.xsd with each xs:include replaced by the included file's
    declarations: a WSDL's inline schema has no location to resolve an include
    against, and several SOAP stacks (svcutil, older wsimport) do not try."""
    root = etree.parse(str(path), _PARSER).getroot()
    for include in root.findall(f"{{{XS}}}include"):
        included = etree.parse(str(path.parent / include.get("schemaLocation")), _PARSER)
        at = root.index(include)
        root.remove(include)
        for offset, child in enumerate(included.getroot()):
            root.insert(at + offset, child)
    return root


def build(service: str, operations: list[tuple[str, str]],
          ports: list[tuple[str, str, str]], doc: str) -> bytes:
    """One WSDL 1.1 document; ``ports`` lists (binding namespace, port name, address),
    one binding per SOAP version, in the order a client should prefer them."""
    prefixes = {SOAP: "soap", SOAP12: "soap12"}
    nsmap = {"wsdl": W, **{prefixes[ns]: ns for ns, _, _ in ports},
             "xs": "http://www.w3.org/2001/XMLSchema", "tns": NS}
    defs = etree.Element(f"{{{W}}}definitions", nsmap=nsmap, name=service, targetNamespace=NS)
    etree.SubElement(defs, f"{{{W}}}documentation").text = doc
    types = etree.SubElement(defs, f"{{{W}}}types")
    types.append(inline_schema(GATEWAY_XSD))

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

    def binding_name(ns: str) -> str:
        return f"{service}Soap12" if ns == SOAP12 else f"{service}Soap11"

    for ns, _, _ in ports:
        binding = etree.SubElement(defs, f"{{{W}}}binding", name=binding_name(ns),
                                   type=f"tns:{service}PortType")
        etree.SubElement(binding, f"{{{ns}}}binding", style="document",
                         transport="http://schemas.xmlsoap.org/soap/http")
        for op, _ in operations:
            o = etree.SubElement(binding, f"{{{W}}}operation", name=op)
            etree.SubElement(o, f"{{{ns}}}operation", soapAction=f"{NS}#{op}", style="document")
            for direction in ("input", "output"):
                d = etree.SubElement(o, f"{{{W}}}{direction}")
                etree.SubElement(d, f"{{{ns}}}body", use="literal")
            f = etree.SubElement(o, f"{{{W}}}fault", name="GatewayFault")
            etree.SubElement(f, f"{{{ns}}}fault", name="GatewayFault", use="literal")

    svc = etree.SubElement(defs, f"{{{W}}}service", name=service)
    for ns, port, location in ports:
        p = etree.SubElement(svc, f"{{{W}}}port", name=port, binding=f"tns:{binding_name(ns)}")
        etree.SubElement(p, f"{{{ns}}}address", location=location)
    etree.indent(defs, space="  ")
    return etree.tostring(defs, xml_declaration=True, encoding="UTF-8", pretty_print=True)


_GATEWAY_DOC = ("SMART gateway, headquarter of the manufacturing network: SOAP {}, "
                "document/literal. Authenticate every call with a WS-Security UsernameToken.")


def gateway_wsdl(location: str = PLACEHOLDER) -> bytes:
    return build("SmartGateway", GATEWAY_OPERATIONS, [(SOAP, "SmartGatewaySoap11", location)],
                 _GATEWAY_DOC.format("1.1"))


def gateway_wsdl_12() -> bytes:
    """The SOAP 1.2 contract, served at /soap12?wsdl.  It declares the SOAP 1.1
    binding too, second: a toolkit that cannot do SOAP 1.2 (or picks bindings
    in its own order) still finds a port it can call."""
    return build("SmartGateway", GATEWAY_OPERATIONS,
                 [(SOAP12, "SmartGatewaySoap12", PLACEHOLDER_12),
                  (SOAP, "SmartGatewaySoap11", PLACEHOLDER)],
                 _GATEWAY_DOC.format("1.2 (and 1.1)"))


def partner_wsdl(location: str = PARTNER_PLACEHOLDER) -> bytes:
    return build("SmartPartner", PARTNER_OPERATIONS, [(SOAP, "SmartPartnerSoap11", location)],
                 "What a push partner serves so that the SMART gateway can deliver to it.")


def export() -> list[Path]:
    WSDL_DIR.mkdir(exist_ok=True)
    GATEWAY_WSDL.write_bytes(gateway_wsdl())
    GATEWAY_WSDL_12.write_bytes(gateway_wsdl_12())
    PARTNER_WSDL.write_bytes(partner_wsdl())
    return [GATEWAY_WSDL, GATEWAY_WSDL_12, PARTNER_WSDL]


def served(checked_in: bytes, base_url: str) -> bytes:
    """The checked-in WSDL with its addresses pointed at where it is served from."""
    for placeholder, path in ((PLACEHOLDER_12, "/soap12"), (PLACEHOLDER, "/soap")):
        checked_in = checked_in.replace(f'location="{placeholder}"'.encode(),
                                        f'location="{base_url}{path}"'.encode())
    return checked_in
