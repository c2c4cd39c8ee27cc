"""A simulated SAP IDoc inbound endpoint: what the mother company's SAP serves over SOAP.

SAP takes IDocs over SOAP on its own endpoint, with its own small contract
(not the gateway's ReceiveMessage): one operation, ``IdocInbound``, taking
the IDoc XML and a message id, answering with the IDoc number SAP assigned.
This one checks the IDoc the way SAP's inbound processing would refuse it
(the sap-idoc adapter's ``read``: control record, segment tree, field
lengths, partners, items, control totals) and answers a SOAP fault naming
what is wrong, or queues the IDoc for the simulated ERP behind it.

The message id makes a retry harmless: the gateway retries when it did not
hear the answer, and the same message id gets the same IDoc number back
without being queued twice.
"""
from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass

from spyne import Application, Fault, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from adapters.base import AdapterContext
from adapters.registry import adapter_for

from ..domain.errors import GatewayError
from ..testing import serve_in_thread

TNS = "urn:sap-simulated:idoc-inbound"
PATH = "/sap/idoc"


@dataclass(frozen=True)
class InboundIdoc:
    message_id: str
    idoc_number: str
    data: bytes


class IdocInbox:
    """What SAP received, in order, once per message id; thread-safe."""

    def __init__(self, company: str) -> None:
        self.company = company
        self._lock = threading.Lock()
        self._numbers = itertools.count(4_000_000_001)
        self._by_message: dict[str, str] = {}
        self._items: deque[InboundIdoc] = deque()
        self.received: list[InboundIdoc] = []   # everything ever accepted, for a test to read
        self.refused = 0

    def accept(self, message_id: str, data: bytes) -> str:
        # The adapter's read is SAP's inbound check; a broken IDoc is never queued.
        adapter_for("sap-idoc").read(data, AdapterContext(sender="GATEWAY", receiver=self.company))
        with self._lock:
            if message_id in self._by_message:
                return self._by_message[message_id]
            number = f"{next(self._numbers):016d}"
            self._by_message[message_id] = number
            idoc = InboundIdoc(message_id, number, data)
            self._items.append(idoc)
            self.received.append(idoc)
            return number

    def drain(self) -> list[InboundIdoc]:
        with self._lock:
            out = list(self._items)
            self._items.clear()
            return out


def application(inbox: IdocInbox) -> WsgiApplication:
    class IdocInboundService(ServiceBase):
        @rpc(Unicode(min_occurs=1, nillable=False), Unicode(min_occurs=1, nillable=False),
             _returns=Unicode, _out_variable_name="idocNumber",
             _in_variable_names={"message_id": "messageId", "idoc": "idoc"})
        def IdocInbound(ctx, message_id, idoc):
            """Take one IDoc file (XML form); answer the IDoc number SAP gave it."""
            try:
                return inbox.accept(message_id, idoc.encode("utf-8"))
            except GatewayError as exc:
                inbox.refused += 1
                raise Fault(faultcode=f"Client.{exc.code.value}", faultstring=str(exc)) from None

    app = Application([IdocInboundService], tns=TNS, name="SapIdocInbound",
                      in_protocol=Soap11(validator="lxml"), out_protocol=Soap11())
    return WsgiApplication(app)


def start_sap_endpoint(company: str = "MOTHER", host: str = "127.0.0.1",
                       port: int = 0) -> tuple[object, str, IdocInbox]:
    """Serve a simulated SAP IDoc endpoint on a daemon thread; (server, URL, its inbox).
    The WSDL is at URL + "?wsdl"."""
    inbox = IdocInbox(company)
    wsgi = application(inbox)

    def app(environ, start_response):
        if environ.get("PATH_INFO", "").rstrip("/") != PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [f"the IDoc endpoint is {PATH}\n".encode()]
        return wsgi(environ, start_response)

    server, base = serve_in_thread(app, host, port)
    return server, base + PATH, inbox
