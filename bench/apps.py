"""WSGI app factories for gunicorn: ``gunicorn 'bench.apps:gateway_app()'`` and the two baselines.

Configuration comes from environment variables so that the three servers are
started the same way:

- BENCH_DB_URL   (gateway_app) database URL of a migrated, seeded database.
"""
from __future__ import annotations

import logging
import os

from lxml import etree

FIXED_RESPONSE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b'<soapenv:Body><SubmitTransactionResponse xmlns="urn:smart-gateway:v1">'
    b'<instance><company>BUYER</company><type>PurchaseOrder</type><number>X</number>'
    b'<state>Created</state></instance><rush>false</rush>'
    b'</SubmitTransactionResponse></soapenv:Body></soapenv:Envelope>')


def gateway_app():
    """(a) The real gateway: GatewayWsgi on the database named by BENCH_DB_URL."""
    from smart_gateway.persistence.db import make_engine
    from smart_gateway.soap.app import GatewayWsgi

    logging.getLogger("spyne.application.client").setLevel(logging.CRITICAL)
    return GatewayWsgi(make_engine(os.environ["BENCH_DB_URL"]))


def make_spyne_application():
    """(b) spyne only: Soap11 in and out, no validator, the gateway's spyne classes, no DB."""
    from spyne import Application, Service, rpc
    from spyne.protocol.soap import Soap11

    from smart_gateway.soap import types as t

    response = t.SubmitTransactionResponse(
        instance=t.InstanceRef(company="BUYER", type="PurchaseOrder", number="X", state="Created"),
        rush=False)

    class BaselineService(Service):
        @rpc(t.SubmitTransaction, _returns=t.SubmitTransactionResponse, _body_style="bare")
        def SubmitTransaction(ctx, request):
            return response

    return Application([BaselineService], tns=t.NS, name="SpyneBaseline",
                       in_protocol=Soap11(), out_protocol=Soap11())


def spyne_app():
    from spyne.server.wsgi import WsgiApplication

    return WsgiApplication(make_spyne_application())


def lxml_app():
    """(c) lxml only: read the body, parse it, answer a fixed small SOAP response."""

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        etree.fromstring(environ["wsgi.input"].read(length))
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"),
                                  ("Content-Length", str(len(FIXED_RESPONSE)))])
        return [FIXED_RESPONSE]

    return app
