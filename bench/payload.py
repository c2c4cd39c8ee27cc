"""The benchmark's request: a SubmitTransaction with an N-line PurchaseOrder from BUYER to SUPPLIER.

Every request carries a unique messageId and document number (the gateway
refuses duplicates), and a WS-Security UsernameToken with a PasswordText
password.  The same bytes go to all three servers.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

NS = "urn:smart-gateway:v1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PW_TEXT = ("http://docs.oasis-open.org/wss/2004/01/"
           "oasis-200401-wss-username-token-profile-1.0#PasswordText")

BUYER, SUPPLIER = "BUYER", "SUPPLIER"
USERNAME, SECRET = "buyer", "buyer-secret"
HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"SubmitTransaction"'}


def template(lines: int) -> bytes:
    """The envelope with two %-placeholders: messageId (%s) and document number (%s)."""
    issue = dt.date(2026, 1, 5)
    due = issue + dt.timedelta(days=30)  # outside the agreed lead time: not a rush order
    body_lines = "".join(
        f"<g:line><g:lineNumber>{n}</g:lineNumber><g:item>ITEM-{n:04d}</g:item>"
        f"<g:description>Part {n} of the benchmark order</g:description>"
        f"<g:quantity>{n * 10}.5</g:quantity><g:unit>EA</g:unit>"
        f"<g:unitPrice>{n}.25</g:unitPrice><g:requestedDate>{due.isoformat()}</g:requestedDate>"
        f"</g:line>"
        for n in range(1, lines + 1))
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:g="{NS}">'
        "<soapenv:Header>"
        f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
        f"<wsse:Username>{USERNAME}</wsse:Username>"
        f'<wsse:Password Type="{PW_TEXT}">{SECRET}</wsse:Password>'
        "</wsse:UsernameToken></wsse:Security>"
        "</soapenv:Header>"
        "<soapenv:Body><g:SubmitTransaction>"
        "<g:messageId>%s</g:messageId>"
        "<g:document><g:type>PurchaseOrder</g:type><g:number>%s</g:number>"
        f"<g:company>{BUYER}</g:company><g:partner>{SUPPLIER}</g:partner>"
        f"<g:issueDate>{issue.isoformat()}</g:issueDate>"
        f"<g:requestedDate>{due.isoformat()}</g:requestedDate><g:currency>USD</g:currency>"
        f"{body_lines}</g:document>"
        "</g:SubmitTransaction></soapenv:Body></soapenv:Envelope>")
    return text.encode("utf-8")


def request(tpl: bytes, message_id: str, number: str) -> bytes:
    return tpl % (message_id.encode(), number.encode())


def seed(engine) -> None:
    """Companies BUYER and SUPPLIER, the buyer's credential and their agreement."""
    from smart_gateway.persistence.tables import agreement, company, credential

    with engine.begin() as conn:
        conn.execute(insert(company), [
            dict(code=BUYER, name="Benchmark buyer", tier=0, role="mother", erp_kind="csv",
                 transport="pull", endpoint=None),
            dict(code=SUPPLIER, name="Benchmark supplier", tier=1, role="supplier",
                 erp_kind="csv", transport="pull", endpoint=None),
        ])
        conn.execute(insert(credential).values(username=USERNAME, company=BUYER,
                                               is_admin=False, secret=SECRET))
        conn.execute(insert(agreement).values(buyer=BUYER, supplier=SUPPLIER, lead_time_days=14,
                                              max_quantity=None, currency="USD"))


def fresh_database(directory) -> str:
    """A migrated, seeded SQLite file in ``directory``; returns its URL."""
    from smart_gateway.persistence.db import make_engine, migrate

    url = f"sqlite:///{directory}/gateway.db"
    engine = make_engine(url)
    try:
        migrate(engine)
        seed(engine)
    finally:
        engine.dispose()
    return url
