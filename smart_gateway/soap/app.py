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

from lxml import etree
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from spyne import Application, Fault
from spyne import const as spyne_const
from spyne.server.wsgi import WsgiApplication

from ..domain.errors import Duplicate, GatewayError, HostileXml, Internal, MalformedXml
from ..messages.safe_xml import XmlLimits
from ..persistence.db import READ_ONLY
from ..messages.schema import NS
from . import wsdl
from .faults import GatewayFault, to_fault
from ..hq.actor import Actor
from .protocol import GatewayProtocol, GatewaySoap11, GatewaySoap12
from .security import CredentialCache, NonceUse, authenticate, remember_nonce
from .operations import registered, xml_service
from .services import RAW_IN, READ_ONLY_OPERATIONS, GatewayService

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class _Transaction:
    """A connection and its transaction, ended together (engine.begin() without the with)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.tx = conn.begin()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.tx.commit()
            else:
                self.tx.rollback()
        finally:
            self.conn.close()


class RequestScope:
    """One request's actor, time and database transaction.

    The transaction opens on first use of ``conn``, so that a service can do
    its CPU work (reading the document, rendering the outgoing message) before
    it takes SQLite's write lock: with the lock held only for the writes
    themselves, two gateway processes overlap instead of queueing.
    """

    def __init__(self, engine: Engine, actor: Actor, now: dt.datetime,
                 nonce: NonceUse | None, *, read_only: bool = False) -> None:
        self.engine = engine
        self.actor = actor
        self.now = now
        self.subject: str | None = None  # what the request is about, for race messages
        self._nonce = nonce
        # A read takes no write lock; remembering a digest nonce is a write.
        self._read_only = read_only and nonce is None
        self._tx = None
        self._conn: Connection | None = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            conn = self.engine.connect()
            if self._read_only:
                conn = conn.execution_options(**{READ_ONLY: True})
            self._conn, self._tx = conn, _Transaction(conn)
            if self._nonce is not None:
                remember_nonce(self._conn, self._nonce, self.now)
        return self._conn

    def commit(self) -> None:
        """Commit now, and let go of the write lock; later calls do nothing.

        A service commits as soon as its use case returns, so that writing the
        response happens outside the lock; the application commits whatever a
        service left open.  A digest nonce is remembered even by a request that
        wrote nothing."""
        if self._conn is None and self._nonce is not None:
            self.conn  # noqa: B018 - opens the transaction and records the nonce
        if self._tx is not None:
            tx, self._tx = self._tx, None
            tx.__exit__(None, None, None)

    def abandon(self, exc: BaseException) -> None:
        if self._tx is not None:
            tx, self._tx = self._tx, None
            try:
                tx.__exit__(type(exc), exc, exc.__traceback__)
            except Exception:  # noqa: BLE001 - the original error is the one to report
                log.exception("rollback failed")


class GatewayApplication(Application):
    def __init__(self, services, *, engine: Engine, clock: Clock,
                 read_only: frozenset[str], **kwargs) -> None:
        super().__init__(services, **kwargs)
        self.read_only = read_only
        self.engine = engine
        self.clock = clock
        self.credentials = CredentialCache(engine)

    def call_wrapper(self, ctx):
        now = self.clock()
        scope: RequestScope | None = None
        try:
            actor, nonce = authenticate(ctx.in_header_doc, now, self.credentials)
            scope = ctx.udc = RequestScope(
                self.engine, actor, now, nonce,
                read_only=ctx.descriptor is not None and ctx.descriptor.name in self.read_only)
            result = super().call_wrapper(ctx)
            scope.commit()
            return result
        except BaseException as exc:
            if scope is not None:
                scope.abandon(exc)
            raise self._fault(exc, scope) from None
        finally:
            ctx.udc = None

    @staticmethod
    def _fault(exc: BaseException, scope: RequestScope | None) -> Fault:
        if isinstance(exc, Fault):
            return exc
        if isinstance(exc, IntegrityError):
            # A unique constraint caught what no read before it could: the same
            # document number or message id written by another request at the
            # same moment, or already there.
            log.info("unique constraint: %s", exc.orig)
            what = f" ({scope.subject})" if scope is not None and scope.subject else ""
            if "gw_instance" in str(exc.orig):
                return to_fault(Duplicate(
                    f"the document{what} already exists; document numbers are unique per "
                    f"company and document type"))
            return to_fault(Duplicate(f"another request with the same message id{what} was "
                                      f"processed at the same moment; fetch its result "
                                      f"before retrying"))
        if isinstance(exc, OperationalError):
            log.exception("database unavailable")
            return to_fault(Internal("the gateway's database is busy or unavailable; nothing "
                                     "was applied, retry later"))
        return to_fault(exc)


def make_application(engine: Engine, *, clock: Clock = utc_now,
                     limits: XmlLimits = XmlLimits(),
                     protocol: type[GatewayProtocol] = GatewaySoap11) -> GatewayApplication:
    # spyne runs a full gc.collect() from every request context's close, at
    # most once a second: a 50 ms stall on a random request.  CPython's
    # generational collector already reclaims what a request leaves behind.
    spyne_const.MIN_GC_INTERVAL = float("inf")
    features = registered()
    services = [GatewayService, xml_service(features)] if features else [GatewayService]
    return GatewayApplication(
        services, engine=engine, clock=clock, tns=NS, name="SmartGateway",
        read_only=READ_ONLY_OPERATIONS | {op.name for op in features if op.read_only},
        in_protocol=protocol(limits=limits, raw_in=RAW_IN | {op.name for op in features}),
        out_protocol=protocol(limits=limits),
    )


@dataclass(frozen=True)
class Endpoint:
    """One SOAP version: its path, its protocol, its spyne app and its checked-in WSDL."""
    path: str
    protocol: type[GatewayProtocol]
    spyne: WsgiApplication
    wsdl: bytes
    content_type: str

    @property
    def version(self) -> str:
        return self.protocol.VERSION


class GatewayWsgi:
    """Routes /soap (SOAP 1.1) and /soap12 (SOAP 1.2) to spyne after the size check,
    and serves each one's WSDL from wsdl/ at ?wsdl."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now,
                 limits: XmlLimits = XmlLimits()) -> None:
        self.limits = limits

        def endpoint(path, protocol, wsdl_file, content_type) -> Endpoint:
            # spyne's own cap (2 MiB by default) would answer Server.Internal below
            # our limit; one byte over it lets safe_xml report HostileXml for a
            # body sent without Content-Length (spyne then stops reading at the cap).
            app = WsgiApplication(make_application(engine, clock=clock, limits=limits,
                                                   protocol=protocol),
                                  max_content_length=limits.max_bytes + 1)
            return Endpoint(path, protocol, app, wsdl_file.read_bytes(), content_type)

        self.endpoints = {
            "/soap": endpoint("/soap", GatewaySoap11, wsdl.GATEWAY_WSDL,
                              "text/xml; charset=utf-8"),
            "/soap12": endpoint("/soap12", GatewaySoap12, wsdl.GATEWAY_WSDL_12,
                                "application/soap+xml; charset=utf-8"),
        }
        self.spyne = self.endpoints["/soap"].spyne

    def __call__(self, environ, start_response):
        try:
            return self._route(environ, start_response)
        except Exception as exc:  # noqa: BLE001 - last line: a fault, never a stack trace
            return self._fault(start_response, to_fault(exc).error, self.endpoints["/soap"])

    def _route(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        point = self.endpoints.get(path.rstrip("/"))
        if point is not None:
            if method == "GET" and environ.get("QUERY_STRING", "").lower() == "wsdl":
                return self._wsdl(environ, start_response, point)
            if method == "POST":
                return self._post(environ, start_response, point)
            return _plain(start_response, "405 Method Not Allowed",
                          f"POST a SOAP {point.version} envelope, or GET {point.path}?wsdl\n")
        if path in ("", "/"):
            return _plain(start_response, "200 OK",
                          "SMART gateway. SOAP 1.1: /soap (contract /soap?wsdl); "
                          "SOAP 1.2: /soap12 (contract /soap12?wsdl)\n")
        if path == "/health":
            return _plain(start_response, "200 OK", "ok\n")
        return _plain(start_response, "404 Not Found",
                      "no such resource; the endpoints are /soap and /soap12\n")

    def _post(self, environ, start_response, point: Endpoint):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            # spyne would fail on it later and answer Server.Internal ("retry later").
            return self._fault(start_response, MalformedXml(
                f"Content-Length {environ.get('CONTENT_LENGTH')!r} is not a number"), point)
        if length > self.limits.max_bytes:
            return self._fault(start_response, HostileXml(
                f"the request is {length} bytes; the limit is {self.limits.max_bytes}"), point)
        if not environ.get("CONTENT_TYPE"):
            environ["CONTENT_TYPE"] = point.content_type  # spyne refuses a POST without one
        return point.spyne(environ, start_response)

    def _wsdl(self, environ, start_response, point: Endpoint):
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        scheme = environ.get("wsgi.url_scheme", "http")
        body = wsdl.served(point.wsdl, f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}")
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    def _fault(self, start_response, error: GatewayError, point: Endpoint):
        fault = GatewayFault(error)
        data = etree.tostring(point.protocol.envelope(point.protocol.fault_element(fault)),
                              xml_declaration=True, encoding="UTF-8")
        code = point.protocol.http_status(fault)
        start_response(code, [("Content-Type", point.content_type),
                              ("Content-Length", str(len(data)))])
        return [data]


def _plain(start_response, status: str, text: str):
    data = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(data)))])
    return [data]
