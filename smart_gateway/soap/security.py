"""WS-Security UsernameToken: text and digest passwords, per the OASIS profile 1.0.

Digest = Base64(SHA-1(nonce + created + secret)).  A digest token must be
fresh (Created within the allowed skew) and its nonce is remembered in
gw_nonce, so a captured request cannot be replayed.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import Connection, delete, insert
from sqlalchemy.exc import IntegrityError

from ..domain.errors import Unauthorized
from ..hq import store
from ..hq.actor import Actor
from ..persistence.db import READ_ONLY
from ..persistence.tables import nonce as nonce_table

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
TEXT, DIGEST = PROFILE + "#PasswordText", PROFILE + "#PasswordDigest"
MAX_SKEW = dt.timedelta(minutes=5)


class CredentialCache:
    """Credentials by username, read from gw_credential and kept for ``ttl`` seconds.

    Every request authenticates; reading the credential each time would cost
    the SubmitTransaction path a query.  A changed or revoked secret therefore
    takes up to ``ttl`` seconds to apply in each gateway process.  Unknown
    usernames are not cached, so guessing names cannot fill memory.
    """

    def __init__(self, engine, ttl: float = 10.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._rows: dict[str, tuple[float, dict]] = {}

    def get(self, username: str) -> dict | None:
        hit = self._rows.get(username)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        with self.engine.connect() as conn:
            conn.execution_options(**{READ_ONLY: True})  # no write lock to read a credential
            row = store.get_credential(conn, username)
        if row is not None:
            self._rows[username] = (time.monotonic(), row)
        return row


@dataclass(frozen=True)
class NonceUse:
    """A digest nonce to remember in the request's own transaction."""
    nonce: str
    username: str


def authenticate(header: list[etree._Element] | None, now: dt.datetime,
                 credentials: CredentialCache) -> tuple[Actor, NonceUse | None]:
    token = _token(header)
    username = (token.findtext(f"{{{WSSE}}}Username") or "").strip()
    password = token.find(f"{{{WSSE}}}Password")
    if not username or password is None:
        raise Unauthorized("the UsernameToken needs Username and Password")
    row = credentials.get(username)
    secret = row["secret"] if row else ""
    kind = password.get("Type", TEXT)
    given = (password.text or "").strip()
    nonce = None
    if kind == TEXT:
        ok = hmac.compare_digest(given.encode(), secret.encode())
    elif kind == DIGEST:
        ok, nonce = _digest_ok(token, username, given, secret, now)
    else:
        raise Unauthorized(f"password type {kind} is not supported; use PasswordText or PasswordDigest")
    if row is None or not ok:
        # One message for unknown user and wrong password: no user enumeration.
        raise Unauthorized(f"unknown user or wrong password for '{username}'")
    return Actor(username=username, company=row["company"], is_admin=bool(row["is_admin"])), nonce


def _token(header: list[etree._Element] | None) -> etree._Element:
    for el in header or ():
        if el.tag == f"{{{WSSE}}}Security":
            token = el.find(f"{{{WSSE}}}UsernameToken")
            if token is not None:
                return token
    raise Unauthorized("no WS-Security UsernameToken in the SOAP header; every operation "
                       "needs the company's credentials from its trading partner agreement")


def _digest_ok(token: etree._Element, username: str, given: str, secret: str,
               now: dt.datetime) -> tuple[bool, NonceUse | None]:
    nonce_text = (token.findtext(f"{{{WSSE}}}Nonce") or "").strip()
    created_text = (token.findtext(f"{{{WSU}}}Created") or "").strip()
    if not nonce_text or not created_text:
        raise Unauthorized("a PasswordDigest token needs Nonce and Created")
    try:
        nonce = base64.b64decode(nonce_text, validate=True)
        created = dt.datetime.fromisoformat(created_text.replace("Z", "+00:00"))
    except ValueError:
        raise Unauthorized("Nonce must be Base64 and Created an xs:dateTime") from None
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.timezone.utc)
    if abs(now - created) > MAX_SKEW:
        raise Unauthorized(f"the token was created at {created_text}, more than "
                           f"{MAX_SKEW.seconds // 60} minutes from the gateway's clock")
    expected = base64.b64encode(hashlib.sha1(nonce + created_text.encode() + secret.encode()).digest())
    if not hmac.compare_digest(expected, given.encode()):
        return False, None
    return True, NonceUse(nonce=nonce_text, username=username)


def remember_nonce(conn: Connection, use: NonceUse, now: dt.datetime) -> None:
    """Record a digest nonce; a nonce seen before means a replayed request."""
    conn.execute(delete(nonce_table).where(nonce_table.c.created_at < now - 2 * MAX_SKEW))
    try:
        with conn.begin_nested():
            conn.execute(insert(nonce_table).values(nonce=use.nonce, username=use.username,
                                                    created_at=now))
    except IntegrityError:
        raise Unauthorized("this nonce was already used: the request looks replayed") from None
