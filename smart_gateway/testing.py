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


def start_gateway(engine: Engine, *, clock: Clock = utc_now, **kwargs) -> RunningGateway:
    logging.getLogger("spyne.application.client").setLevel(logging.CRITICAL)
    server, url = serve_in_thread(GatewayWsgi(engine, clock=clock, **kwargs))
    return RunningGateway(engine=engine, server=server, base_url=url)
