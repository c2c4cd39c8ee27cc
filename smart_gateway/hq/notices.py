"""Notices: what the headquarter tells a company outside a propagation.

A cascade's applied change or change request, a cancellation, the order
tracker's alerts, a re-order advice, a negotiation message: each reaches its
company as an InboxMessage of kind Notice, through the same durable outbox as
propagations (FetchInbox for pull partners, the push worker for the others),
written in the caller's transaction so that a notice exists exactly when the
change it announces does.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Iterable

from lxml import etree
from sqlalchemy import Connection

from ..domain.documents import DocKey
from ..messages.schema import NS
from . import store

_Q = "{%s}" % NS
TOPICS = frozenset({"ChangeApplied", "ChangeRequested", "ChangeAccepted", "ChangeRejected",
                    "Cancelled", "DeliveryDueSoon", "DeliveryOverdue", "ReorderAdvice",
                    "Negotiation", "Composition"})


def _sub(parent, name: str, text: str) -> None:
    etree.SubElement(parent, _Q + name).text = text


HEADQUARTER = "HQ"  # the sender of a notice nobody else sent


def payload(*, message_id: str, recipient: str, topic: str, text: str, sent_at: dt.datetime,
            sender: str = HEADQUARTER, subject: tuple[DocKey, str] | None = None,
            detail: Iterable[tuple[str, object]] = ()) -> bytes:
    """The InboxMessage of one notice; ``subject`` is (document key, its state)."""
    if topic not in TOPICS:
        raise ValueError(f"unknown notice topic {topic!r}")
    el = etree.Element(_Q + "message", nsmap={None: NS})
    _sub(el, "messageId", message_id)
    _sub(el, "kind", "Notice")
    _sub(el, "sender", sender)
    _sub(el, "receiver", recipient)
    _sub(el, "sentAt", sent_at.isoformat())
    notice = etree.SubElement(el, _Q + "notice")
    _sub(notice, "topic", topic)
    if subject is not None:
        key, state = subject
        ref = etree.SubElement(notice, _Q + "subject")
        for name, value in (("company", key.company), ("type", key.doc_type.value),
                            ("number", key.number), ("state", state)):
            _sub(ref, name, value)
    _sub(notice, "text", text[:512])
    for name, value in detail:
        d = etree.SubElement(notice, _Q + "detail")
        _sub(d, "name", str(name))
        _sub(d, "value", str(value))
    return etree.tostring(el, encoding="utf-8")


def notify(conn: Connection, *, recipient: str, topic: str, text: str, now: dt.datetime,
           sender: str = HEADQUARTER, subject: tuple[DocKey, str] | None = None,
           detail: Iterable[tuple[str, object]] = ()) -> str:
    """Queue one notice for ``recipient``; returns its message id."""
    message_id = f"MSG-{uuid.uuid4()}"
    data = payload(message_id=message_id, recipient=recipient, topic=topic, text=text,
                   sent_at=now, sender=sender, subject=subject, detail=detail)
    store.enqueue(conn, message_id=message_id, recipient=recipient, kind="Notice",
                  agent_id=None, payload=data.decode("utf-8"), now=now)
    return message_id
