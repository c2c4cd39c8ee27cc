"""SOAP operations of the adapters feature (see operations.py for the contract).

SubmitNative lets a partner send what its ERP writes (an IDoc, a UBL document,
an X12 or EDIFACT interchange, a CSV file) instead of canonical XML; the rules
(which adapter, which part codes, which text rule) are its agreement's, in
delivery/native.py.  TranslateDocument runs the same translation without
submitting, so a partner can check its mapping before going live.
"""
from __future__ import annotations

import base64
import dataclasses

from lxml import etree

from ..delivery import native
from ..domain.errors import InvalidRequest, Unauthorized
from ..messages.schema import NS
from .operations import XmlOperation

_Q = "{%s}" % NS


def _sub(parent, name: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, _Q + name).text = text


def _content(request: etree._Element) -> bytes:
    # xs:base64Binary is validated before the handler runs; white space is allowed in it.
    return base64.b64decode("".join((request.findtext(_Q + "content") or "").split()))


def _company_format(scope, kind: str) -> native.Format:
    if scope.actor.company is None:
        raise Unauthorized("native documents are a company's; call as the company")
    fmt = native.format_of(scope.conn, scope.actor.company)
    if kind != fmt.erp_kind:
        raise InvalidRequest(f"{fmt.company}'s agreement says its ERP speaks {fmt.erp_kind}, "
                             f"not {kind}; the network file declares it")
    return fmt


def submit_native(scope, request: etree._Element) -> etree._Element:
    kind = request.findtext(_Q + "erpKind")
    _company_format(scope, kind)
    message_id = request.findtext(_Q + "messageId")
    scope.subject = f"{kind} {message_id}"
    results = native.submit_all(scope.conn, scope.actor, kind, _content(request), message_id,
                                scope.now)
    return native.report(results)


def translate_document(scope, request: etree._Element) -> etree._Element:
    kind = request.findtext(_Q + "erpKind")
    if scope.actor.company is None:
        raise Unauthorized("a translation uses a company's agreements; call as the company")
    # Any kind may be tried (a partner moving to another format tests it first),
    # with the caller's agreements.
    fmt = dataclasses.replace(native.format_of(scope.conn, scope.actor.company), erp_kind=kind)
    native.adapter_of(kind)
    out = etree.Element(_Q + "TranslateDocumentResponse", nsmap={None: NS})
    documents = request.findall(_Q + "document")
    if documents:
        rendered = native.write_documents(scope.conn, fmt, documents)
        el = etree.SubElement(out, _Q + "native")
        _sub(el, "erpKind", rendered.kind)
        _sub(el, "mediaType", rendered.media_type)
        _sub(el, "content", base64.b64encode(rendered.data).decode("ascii"))
        for note in rendered.notes[:100]:
            _sub(el, "transliterated", note[:512])
        return out
    for message in native.read(scope.conn, fmt, kind, _content(request)):
        out.append(etree.fromstring(etree.tostring(message.document)))
    return out


OPERATIONS: list[XmlOperation] = [
    XmlOperation("SubmitNative", "Apply every document of one native file (IDoc, UBL, X12, "
                 "EDIFACT, CSV ...) as the calling company, all or nothing: new documents, "
                 "changes, cancellations and order responses.", submit_native),
    XmlOperation("TranslateDocument", "Translate a native file to canonical documents or "
                 "canonical documents to a native file with the caller's agreements, "
                 "without submitting.", translate_document, read_only=True),
]
