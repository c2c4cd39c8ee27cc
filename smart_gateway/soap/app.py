"""The spyne Application and the WSGI front door.

GatewayApplication.call_wrapper is where a request gets its scope: one
database transaction, the WS-Security actor and the request time; a
GatewayError anywhere inside rolls the transaction back and becomes a fault.
GatewayWsgi in front of spyne refuses oversized bodies before reading them
and serves the checked-in WSDL.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from spyne import Application, Fault
from spyne import const as spyne_const
from spyne.server.wsgi import WsgiApplication

from ..domain.errors import Duplicate, GatewayError, HostileXml, Internal, MalformedXml
from ..messages.safe_xml import XmlLimits
from ..messages.schema import NS
from . import wsdl
from .faults import GatewayFault, to_fault
from .protocol import GatewaySoap11
from .security import authenticate
from .services import RAW_IN, GatewayService

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class RequestScope:
    conn: Connection
    actor: object
    now: dt.datetime


class GatewayApplication(Application):
    def __init__(self, services, *, engine: Engine, clock: Clock, **kwargs) -> None:
        super().__init__(services, **kwargs)
        self.engine = engine
        self.clock = clock

    def call_wrapper(self, ctx):
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                actor = authenticate(conn, ctx.in_header_doc, now)
                ctx.udc = RequestScope(conn=conn, actor=actor, now=now)
                return super().call_wrapper(ctx)
        except GatewayError as exc:
            raise to_fault(exc) from None
        except IntegrityError as exc:
            # Two requests raced for the same document number or message id;
            # the loser gets the same answer as if it had come second.
            log.info("integrity race: %s", exc.orig)
            raise to_fault(Duplicate("another request created the same document or message "
                                     "id at the same moment; fetch it before retrying")) from None
        except OperationalError:
            log.exception("database unavailable")
            raise to_fault(Internal("the gateway's database is busy or unavailable; nothing "
                                    "was applied, retry later")) from None
        except Fault:
            raise
        except Exception as exc:  # noqa: BLE001 - the partner gets a code, the log the trace
            raise to_fault(exc) from None
        finally:
            ctx.udc = None


def make_application(engine: Engine, *, clock: Clock = utc_now,
                     limits: XmlLimits = XmlLimits()) -> GatewayApplication:
    # spyne runs a full gc.collect() from every request context's close, at
    # most once a second: a 50 ms stall on a random request.  CPython's
    # generational collector already reclaims what a request leaves behind.
    spyne_const.MIN_GC_INTERVAL = float("inf")
    return GatewayApplication(
        [GatewayService], engine=engine, clock=clock, tns=NS, name="SmartGateway",
        in_protocol=GatewaySoap11(limits=limits, raw_in=RAW_IN),
        out_protocol=GatewaySoap11(limits=limits),
    )


class GatewayWsgi:
    """Routes /soap to spyne after the size check, and serves /soap?wsdl from wsdl/."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now,
                 limits: XmlLimits = XmlLimits()) -> None:
        self.limits = limits
        # spyne's own cap (2 MiB by default) would answer Server.Internal below our
        # limit; one byte over it lets safe_xml report HostileXml for a body sent
        # without Content-Length (spyne then stops reading at the cap).
        self.spyne = WsgiApplication(make_application(engine, clock=clock, limits=limits),
                                     max_content_length=limits.max_bytes + 1)
        self.wsdl = wsdl.GATEWAY_WSDL.read_bytes()

    def __call__(self, environ, start_response):
        try:
            return self._route(environ, start_response)
        except Exception as exc:  # noqa: BLE001 - last line: a fault, never a stack trace
            return self._fault(start_response, to_fault(exc).error)

    def _route(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path.rstrip("/") == "/soap":
            if method == "GET" and environ.get("QUERY_STRING", "").lower() == "wsdl":
                return self._wsdl(environ, start_response)
            if method == "POST":
                return self._post(environ, start_response)
            return _plain(start_response, "405 Method Not Allowed",
                          "POST a SOAP 1.1 envelope, or GET /soap?wsdl\n")
        if path in ("", "/"):
            return _plain(start_response, "200 OK",
                          "SMART gateway. SOAP 1.1 endpoint: /soap, contract: /soap?wsdl\n")
        if path == "/health":
            return _plain(start_response, "200 OK", "ok\n")
        return _plain(start_response, "404 Not Found", "no such resource; the endpoint is /soap\n")

    def _post(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            # spyne would fail on it later and answer Server.Internal ("retry later").
            return self._fault(start_response, MalformedXml(
                f"Content-Length {environ.get('CONTENT_LENGTH')!r} is not a number"))
        if length > self.limits.max_bytes:
            return self._fault(start_response, HostileXml(
                f"the request is {length} bytes; the limit is {self.limits.max_bytes}"))
        if not environ.get("CONTENT_TYPE"):
            environ["CONTENT_TYPE"] = "text/xml; charset=utf-8"  # spyne refuses a POST without it
        return self.spyne(environ, start_response)

    def _wsdl(self, environ, start_response):
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        scheme = environ.get("wsgi.url_scheme", "http")
        body = wsdl.served(self.wsdl, f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}/soap")
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    def _fault(self, start_response, error: GatewayError):
        from lxml import etree
        env = etree.Element("{http://schemas.xmlsoap.org/soap/envelope/}Envelope",
                            nsmap={"soap11env": "http://schemas.xmlsoap.org/soap/envelope/"})
        body = etree.SubElement(env, "{http://schemas.xmlsoap.org/soap/envelope/}Body")
        body.append(GatewaySoap11._fault(GatewayFault(error)))
        data = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
        start_response("500 Internal Server Error", [("Content-Type", "text/xml; charset=utf-8"),
                                                     ("Content-Length", str(len(data)))])
        return [data]


def _plain(start_response, status: str, text: str):
    data = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(data)))])
    return [data]
