"""What a push company hosts: partner-v1.wsdl's ReceiveMessage, in front of an ERP's queue.

A plain WSGI app on lxml rather than spyne: the ERP wants the InboxMessage
element exactly as the gateway stored it (the same bytes FetchInbox returns
to pull partners), and spyne would turn it into objects and back.  The body
is still checked against gateway.xsd, and the checked-in partner WSDL is
served on ?wsdl.  Messages are deduplicated by messageId: the gateway retries
when it did not hear accepted=true, so the same message may arrive twice and
must be processed once.
"""
from __future__ import annotations

import threading
from collections import deque

from lxml import etree

from ..messages.safe_xml import XmlLimits
from ..messages.schema import NS, gateway_schema
from ..soap import wsdl
from ..testing import serve_in_thread

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PATH = "/partner"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_blank_text=True)


class PartnerQueue:
    """The ERP's local inbound queue; thread-safe, one entry per messageId."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._items: deque[etree._Element] = deque()
        self.duplicates = 0

    def put(self, message: etree._Element) -> bool:
        message_id = message.findtext(f"{{{NS}}}messageId")
        with self._lock:
            if message_id in self._seen:
                self.duplicates += 1
                return False
            self._seen.add(message_id)
            self._items.append(message)
            return True

    def drain(self) -> list[etree._Element]:
        with self._lock:
            out = list(self._items)
            self._items.clear()
            return out

    def __len__(self) -> int:
        return len(self._items)


class PartnerApp:
    """WSGI: POST /partner takes ReceiveMessage; GET /partner?wsdl gives the contract."""

    def __init__(self, queue: PartnerQueue | None = None,
                 limits: XmlLimits = XmlLimits()) -> None:
        self.queue = queue or PartnerQueue()
        self.limits = limits
        self.received = 0  # every accepted POST, duplicates included

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET" and environ.get("QUERY_STRING", "").lower() == "wsdl":
            host = environ.get("HTTP_HOST", "127.0.0.1")
            body = wsdl.PARTNER_WSDL.read_bytes().replace(
                f'location="{wsdl.PARTNER_PLACEHOLDER}"'.encode(), f'location="http://{host}{PATH}"'.encode())
            return _reply(start_response, "200 OK", body)
        if method != "POST" or environ.get("PATH_INFO", "").rstrip("/") != PATH:
            return _reply(start_response, "404 Not Found", b"POST ReceiveMessage to /partner\n",
                          "text/plain")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > self.limits.max_bytes:
                raise ValueError(f"request of {length} bytes is over the limit")
            doc = etree.fromstring(environ["wsgi.input"].read(length), _PARSER)
            receive = doc.find(f"{{{SOAP_ENV}}}Body/{{{NS}}}ReceiveMessage")
            if receive is None:
                raise ValueError("the body holds no ReceiveMessage")
            schema = gateway_schema()
            if not schema.validate(receive):
                raise ValueError(f"ReceiveMessage is not valid: {schema.error_log.last_error}")
            self.received += 1
            self.queue.put(receive.find(f"{{{NS}}}message"))
        except Exception as exc:  # noqa: BLE001 - any refusal is a Client fault
            return _reply(start_response, "500 Internal Server Error", _fault(str(exc)))
        return _reply(start_response, "200 OK", _accepted())


def _envelope(child: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(env, f"{{{SOAP_ENV}}}Body").append(child)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _accepted() -> bytes:
    resp = etree.Element(f"{{{NS}}}ReceiveMessageResponse", nsmap={None: NS})
    etree.SubElement(resp, f"{{{NS}}}accepted").text = "true"
    return _envelope(resp)


def _fault(text: str) -> bytes:
    fault = etree.Element(f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soapenv:Client"
    etree.SubElement(fault, "faultstring").text = text[:500]
    return _envelope(fault)


def _reply(start_response, status: str, body: bytes, ctype: str = "text/xml"):
    start_response(status, [("Content-Type", f"{ctype}; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]


def start_partner_server(host: str = "127.0.0.1", port: int = 0) -> tuple[object, str, PartnerApp]:
    """Serve a PartnerApp on a daemon thread; returns (server, endpoint URL, app)."""
    app = PartnerApp()
    server, base = serve_in_thread(app, host, port)
    return server, base + PATH, app
