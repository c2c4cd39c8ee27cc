"""Messages the headquarter queues for companies, built as canonical XML.

The payload of an outbox row is one InboxMessage element; FetchInbox returns
it as stored and the push worker wraps it in ReceiveMessage, so a partner
gets the same bytes whichever way it is reached.
"""
from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from lxml import etree

from ..domain.documents import DocKey, DocType, Document
from ..messages.schema import NS

_Q = "{%s}" % NS


def _sub(parent, name, text):
    if text is not None:
        etree.SubElement(parent, _Q + name).text = text


def _instance_ref(parent, name: str, key: DocKey, state: str) -> None:
    el = etree.SubElement(parent, _Q + name)
    _sub(el, "company", key.company)
    _sub(el, "type", key.doc_type.value)
    _sub(el, "number", key.number)
    _sub(el, "state", state)


def _head(message_id, kind, agent_id, agent_kind, sender, receiver, sent_at: dt.datetime):
    el = etree.Element(_Q + "message", nsmap={None: NS})
    _sub(el, "messageId", message_id)
    _sub(el, "kind", kind)
    _sub(el, "agentId", agent_id)
    _sub(el, "agentKind", agent_kind)
    _sub(el, "sender", sender)
    _sub(el, "receiver", receiver)
    _sub(el, "sentAt", sent_at.isoformat())
    return el


def propagation(*, message_id: str, agent_id: str, agent_kind: str, document: Document,
                receiver: str, counterpart: DocType, sent_at: dt.datetime,
                document_xml: etree._Element) -> bytes:
    """The propagation of a submitted document; ``document_xml`` is that document as
    validated, copied as it is: cheaper than rendering it again, and the
    receiver gets the sender's text exactly as sent."""
    # The head's values are schema-checked codes and ids; escaped all the same.
    head = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in (
        ("messageId", message_id), ("kind", "Propagation"), ("agentId", agent_id),
        ("agentKind", agent_kind), ("sender", document.key.company),
        ("receiver", receiver), ("sentAt", sent_at.isoformat()),
        ("counterpartType", counterpart.value)))
    return (f'<message xmlns="{NS}">{head}'.encode()
            + etree.tostring(document_xml, encoding="utf-8", with_tail=False)
            + b"</message>")


def acknowledgement(*, message_id: str, agent_id: str, agent_kind: str, sender: str,
                    receiver: str, state: str, sender_key: DocKey, sender_state: str,
                    receiver_key: DocKey | None, reason: str | None,
                    sent_at: dt.datetime) -> bytes:
    # The acknowledgement travels from the agent's receiver back to its sender.
    el = _head(message_id, "Acknowledgement", agent_id, agent_kind, receiver, sender, sent_at)
    ack = etree.SubElement(el, _Q + "acknowledgement")
    _sub(ack, "agentId", agent_id)
    _sub(ack, "state", state)
    _instance_ref(ack, "senderDocument", sender_key, sender_state)
    if receiver_key is not None:
        _instance_ref(ack, "receiverDocument", receiver_key, "Created")
    _sub(ack, "reason", reason)
    return etree.tostring(el, encoding="utf-8")
