"""Purchase orders the MSME services place: built as domain documents, written
as the canonical Document element, and submitted through hq/submit exactly as
SubmitTransaction submits a partner's own (same checks, same propagation)."""
from __future__ import annotations

import datetime as dt
import hashlib

from lxml import etree
from sqlalchemy import Connection

from ..domain.documents import Document, Submission
from ..hq import submit
from ..hq.actor import Actor
from ..messages.canonical import format_decimal
from ..messages.schema import NS

_Q = "{%s}" % NS


def _sub(parent, name, value):
    if value is not None:
        etree.SubElement(parent, _Q + name).text = value


def document_xml(doc: Document) -> etree._Element:
    el = etree.Element(_Q + "document", nsmap={None: NS})
    _sub(el, "type", doc.key.doc_type.value)
    _sub(el, "number", doc.key.number)
    _sub(el, "company", doc.key.company)
    _sub(el, "partner", doc.partner)
    _sub(el, "issueDate", doc.issue_date.isoformat())
    _sub(el, "requestedDate", doc.requested_date.isoformat() if doc.requested_date else None)
    _sub(el, "currency", doc.currency)
    _sub(el, "note", doc.note)
    for ln in doc.lines:
        line = etree.SubElement(el, _Q + "line")
        _sub(line, "lineNumber", str(ln.number))
        _sub(line, "item", ln.item)
        _sub(line, "description", ln.description)
        _sub(line, "quantity", format_decimal(ln.quantity))
        _sub(line, "unit", ln.unit)
        _sub(line, "unitPrice", None if ln.unit_price is None else format_decimal(ln.unit_price))
        _sub(line, "requestedDate", ln.requested_date.isoformat() if ln.requested_date else None)
    return el


def place(conn: Connection, actor: Actor, doc: Document, *, message_id: str,
          now: dt.datetime) -> submit.SubmitResult:
    submission = Submission(message_id=message_id, document=doc)
    request_hash = hashlib.sha256(repr(submission).encode()).hexdigest()
    prepared = submit.prepare(submission, request_hash=request_hash, now=now,
                              document_xml=document_xml(doc))
    return submit.submit(conn, actor, prepared, now=now)
