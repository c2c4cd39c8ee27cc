"""Running a real gateway on 127.0.0.1 for tests, the demo and benchmarks.

A threaded wsgiref server on an ephemeral port around GatewayWsgi, and zeep
clients that authenticate as a company: the same wire path partners use.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import zeep
from sqlalchemy import Engine
from zeep.wsse.username import UsernameToken

from .soap.app import Clock, GatewayWsgi, utc_now


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # access logs would drown the test output
        pass


def serve_in_thread(app, host: str = "127.0.0.1", port: int = 0):
    """Start ``app`` on a daemon thread; returns (server, base_url)."""
    server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name=f"wsgi-{server.server_port}",
                     daemon=True).start()
    return server, f"http://{host}:{server.server_port}"


@dataclass
class RunningGateway:
    engine: Engine
    server: object
    base_url: str
    _clients: dict = field(default_factory=dict)

    @property
    def soap_url(self) -> str:
        return f"{self.base_url}/soap"

    @property
    def wsdl_url(self) -> str:
        return f"{self.base_url}/soap?wsdl"

    def client(self, username: str, secret: str, *, digest: bool = False,
               plugins: list | None = None) -> zeep.Client:
        key = (username, secret, digest, tuple(id(p) for p in plugins or ()))
        if key not in self._clients:
            self._clients[key] = zeep.Client(
                self.wsdl_url, wsse=UsernameToken(username, secret, use_digest=digest),
                plugins=plugins or [])
        return self._clients[key]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ResponseChecker:
    """WSGI middleware: every SOAP response body the gateway writes is validated
    against the schema, and an invalid one is replaced by a Server fault that
    says why.  The tests' gateway runs behind it, so that every operation a test
    calls, core or feature, is held to the contract it publishes."""

    ENVELOPES = ("http://schemas.xmlsoap.org/soap/envelope/",
                 "http://www.w3.org/2003/05/soap-envelope")

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        captured: list = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return lambda data: None  # the gateway never writes through this

        body = b"".join(self.app(environ, capture))
        status, headers = captured
        problem = self._problem(body) if status.startswith("200") else None
        if problem is not None:
            body = self._fault(problem)
            status = "500 Internal Server Error"
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    def _problem(self, body: bytes) -> str | None:
        from lxml import etree

        from .messages.schema import NS, gateway_schema
        try:
            root = etree.fromstring(body)
        except etree.XMLSyntaxError:
            return None  # not SOAP (a WSDL is XML; text answers are not)
        if etree.QName(root).namespace not in self.ENVELOPES:
            return None
        payload = next(iter(root.find(f"{{{etree.QName(root).namespace}}}Body")), None)
        if payload is None or etree.QName(payload).namespace != NS:
            return None
        schema = gateway_schema()
        if schema.validate(payload):
            return None
        return (f"{etree.QName(payload).localname} as written is not valid against the "
                f"schema: {schema.error_log.last_error}")

    @staticmethod
    def _fault(text: str) -> bytes:
        from xml.sax.saxutils import escape
        return ('<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e='
                '"http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault>'
                f"<faultcode>e:Server</faultcode><faultstring>{escape(text)}</faultstring>"
                "</e:Fault></e:Body></e:Envelope>").encode()


def start_gateway(engine: Engine, *, clock: Clock = utc_now, check_responses: bool = True,
                  **kwargs) -> RunningGateway:
    """The gateway on 127.0.0.1; with ``check_responses`` (the default, for tests and
    the demo) every response is validated against the schema on its way out."""
    logging.getLogger("spyne.application.client").setLevel(logging.CRITICAL)
    app = GatewayWsgi(engine, clock=clock, **kwargs)
    server, url = serve_in_thread(ResponseChecker(app) if check_responses else app)
    return RunningGateway(engine=engine, server=server, base_url=url)
