"""Documents in a partner's own format: the agreement's rules (CIA, LIA) from the database.

The adapters (adapters/) translate; this module tells them, for one company
and one counterpart, what the agreements say:

- CIA: the ItemMap of the pair.  Where the company is the supplier, its
  ``supplier_part`` of each agreement item maps to the network's item (an
  item without one keeps the network code); where it is the buyer, it orders
  with the network's codes.  It is per pair, not per company, because a
  supplier may call one network item differently for two buyers (the demo's
  T3A sells COPPER-LAMINATE as DL-FR4-16-1OZ to T2A and as DL-BT-04-HF to T2B).
- LIA: the text rule and character set of the company's gw_partner_format row.
- party ids: what the company calls each company, for formats that name
  parties by their own identifiers (SAP partner numbers, GLNs).

``render`` turns a stored Propagation InboxMessage into the receiver's native
document; ``read`` turns a company's native bytes into canonical documents,
each read with the mapping of the pair it concerns.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree
from sqlalchemy import Connection, or_, select

from adapters.base import Adapter, AdapterContext, Canonical, ItemMap, Purpose, TextRule
from adapters.registry import adapter_for
from ..cascade import service as cascade
from ..domain.documents import PROPAGATION, AgentKind, DocKey, DocType
from ..domain.errors import (Duplicate, GatewayError, IllegalTransition, InvalidRequest, NotFound,
                             Unauthorized, UnknownReference, UnmappedCode)
from ..hq import acknowledge, store, submit
from ..hq.actor import Actor
from ..messages.canonical import format_decimal, submission_from_xml
from ..messages.schema import NS
from ..persistence.tables import agreement, agreement_item, company
from ..persistence.tables_adapters import partner_format

_Q = "{%s}" % NS
_TEXT_MAX = 512   # tns:Text


@dataclass(frozen=True)
class Format:
    """One company's transport and format settings (gw_company + gw_partner_format)."""
    company: str
    erp_kind: str
    transport: str
    endpoint: str | None = None
    native: bool = False
    text_rule: TextRule = TextRule.REFUSE
    charset: str | None = None
    drop_folder: str | None = None
    native_endpoint: str | None = None
    party_ids: dict[str, str] = field(default_factory=dict)


def adapter_of(kind: str) -> Adapter:
    """The adapter of an ERP kind; an agreement naming a kind without one is a request
    the gateway cannot serve natively, said as such (not a server error)."""
    try:
        return adapter_for(kind)
    except KeyError as exc:
        raise InvalidRequest(f"{exc.args[0]}; the agreement's erp_kind cannot be served in "
                             f"a native format") from None


def format_of(conn: Connection, code: str) -> Format:
    row = conn.execute(
        select(company.c.code, company.c.erp_kind, company.c.transport, company.c.endpoint,
               partner_format.c.native, partner_format.c.text_rule, partner_format.c.charset,
               partner_format.c.drop_folder, partner_format.c.native_endpoint,
               partner_format.c.party_ids)
        .select_from(company.outerjoin(partner_format, partner_format.c.company == company.c.code))
        .where(company.c.code == code)).first()
    if row is None:
        raise InvalidRequest(f"no company {code!r} in the network")
    return Format(company=row.code, erp_kind=row.erp_kind, transport=row.transport,
                  endpoint=row.endpoint, native=bool(row.native),
                  text_rule=TextRule(row.text_rule or "refuse"), charset=row.charset,
                  drop_folder=row.drop_folder, native_endpoint=row.native_endpoint,
                  party_ids=json.loads(row.party_ids) if row.party_ids else {})


def item_map(rows: Iterable[tuple[str, str, str, str | None]], code: str,
             counterpart: str) -> ItemMap:
    """CIA for ``code`` trading with ``counterpart``, from agreement items
    (buyer, supplier, item, supplier_part); see the module docstring."""
    to_network: dict[str, str] = {}
    for buyer, supplier, item, supplier_part in rows:
        if (buyer, supplier) == (counterpart, code):
            own = supplier_part or item
        elif (buyer, supplier) == (code, counterpart):
            own = item
        else:
            continue
        if to_network.setdefault(own, item) != item:
            raise InvalidRequest(f"the agreements of {code} with {counterpart} give part code "
                                 f"{own!r} to two network items; fix the network file")
    try:
        return ItemMap(to_network)
    except ValueError as exc:
        raise InvalidRequest(f"the agreements of {code} with {counterpart}: {exc}") from None


def _agreement_rows(conn: Connection, code: str, counterpart: str):
    a, i = agreement.c, agreement_item.c
    return conn.execute(
        select(a.buyer, a.supplier, i.item, i.supplier_part)
        .select_from(agreement.join(agreement_item, i.agreement_id == a.id))
        .where(or_((a.buyer == code) & (a.supplier == counterpart),
                   (a.buyer == counterpart) & (a.supplier == code)))).all()


def context_for(conn: Connection, fmt: Format, counterpart: str | None, *,
                sender: str, receiver: str) -> AdapterContext:
    """What the adapter of ``fmt.company`` needs to translate a document it
    exchanges with ``counterpart`` (None: not known yet; codes pass unmapped)."""
    items = (item_map(_agreement_rows(conn, fmt.company, counterpart), fmt.company, counterpart)
             if counterpart else ItemMap())
    return AdapterContext(sender=sender, receiver=receiver, items=items,
                          text_rule=fmt.text_rule, party_ids=dict(fmt.party_ids),
                          charset=fmt.charset)


# --------------------------------------------------------------------------- outbound

@dataclass(frozen=True)
class Rendered:
    kind: str
    media_type: str
    file_suffix: str
    data: bytes
    # one sentence per value the agreement's text rule transliterated (LIA): said, never silent
    notes: tuple[str, ...] = ()


def render(conn: Connection, fmt: Format, payload: str | bytes) -> Rendered:
    """A stored Propagation InboxMessage as the receiver's native document.

    Raises UnmappedCode / Unrepresentable / InvalidRequest when the document
    cannot be written faithfully in the receiver's format; never writes a guess."""
    message = etree.fromstring(payload.encode() if isinstance(payload, str) else payload)
    document = message.find(_Q + "document")
    if document is None:
        raise InvalidRequest(f"message {message.findtext(_Q + 'messageId')} carries no document "
                             f"to render")
    sender = message.findtext(_Q + "sender")
    context = context_for(conn, fmt, sender, sender=sender, receiver=fmt.company)
    adapter = adapter_of(fmt.erp_kind)
    data = adapter.write([Canonical(Purpose.ORIGINAL, document)], context)
    return Rendered(adapter.kind, adapter.media_type, adapter.file_suffix, data,
                    tuple(context.notes))


def with_native(payload: str | bytes, rendered: Rendered) -> bytes:
    """The InboxMessage with its ``native`` element (after the document, before the rest)."""
    message = etree.fromstring(payload.encode() if isinstance(payload, str) else payload)
    native = etree.Element(_Q + "native")
    for name, value in (("erpKind", rendered.kind), ("mediaType", rendered.media_type),
                        ("content", base64.b64encode(rendered.data).decode("ascii"))):
        etree.SubElement(native, _Q + name).text = value
    for note in rendered.notes[:100]:
        etree.SubElement(native, _Q + "transliterated").text = note[:_TEXT_MAX]
    document = message.find(_Q + "document")
    document.addnext(native)
    return etree.tostring(message, encoding="utf-8")


# --------------------------------------------------------------------------- inbound

def read(conn: Connection, fmt: Format, kind: str, data: bytes) -> list[Canonical]:
    """A company's native bytes as canonical documents, read with the mapping of the
    pair they concern.

    The counterpart decides the part-code mapping, so it is found first: the EDI
    interchange's envelope names its recipient (ISA08, UNB), a UBL document its
    parties; the other formats name the partner in each document, read once with
    codes unmapped to learn it, then once per partner with its mapping."""
    if kind != fmt.erp_kind:
        raise InvalidRequest(f"{fmt.company}'s agreement says its ERP speaks {fmt.erp_kind}, "
                             f"not {kind}")
    adapter = adapter_of(kind)
    counterpart = other_party(kind, data, fmt.company, fmt.party_ids)
    if counterpart is not None:
        return adapter.read(data, context_for(conn, fmt, counterpart, sender=fmt.company,
                                              receiver=counterpart))
    first = adapter.read(data, context_for(conn, fmt, None, sender=fmt.company,
                                           receiver=fmt.company))
    partners = [_counterpart(c, fmt.company) for c in first]
    distinct = list(dict.fromkeys(p for p in partners if p is not None))
    if len(distinct) == 1 and None not in partners:   # the usual file: one partner
        return adapter.read(data, context_for(conn, fmt, distinct[0], sender=fmt.company,
                                              receiver=distinct[0]))
    # Documents for several partners: each partner's mapping applies to its documents
    # only, so each pass defers the codes it cannot map instead of refusing the file,
    # and a deferred code in a document of that pass's partner is refused here.
    out: list[Canonical] = list(first)   # a document without partner maps through nothing
    for partner in distinct:
        context = context_for(conn, fmt, partner, sender=fmt.company, receiver=partner)
        deferred = _Deferred(context.items.to_network)
        again = adapter.read(data, dataclasses.replace(context, items=deferred))
        for n, (p, message) in enumerate(zip(partners, again)):
            if p == partner:
                _refuse_deferred(message, n + 1, fmt.company, partner)
                out[n] = message
    return out


_DEFERRED = "\u2063"   # INVISIBLE SEPARATOR: marks a code a pass could not map


@dataclasses.dataclass(frozen=True)
class _Deferred(ItemMap):
    def network_code(self, partner_code: str) -> str:
        try:
            return super().network_code(partner_code)
        except UnmappedCode:
            return _DEFERRED + partner_code


def _refuse_deferred(message: Canonical, n: int, company: str, partner: str) -> None:
    for line in message.document.iterfind(_Q + "line"):
        item = line.findtext(_Q + "item") or ""
        if item.startswith(_DEFERRED):
            raise UnmappedCode(
                f"document {n} ({message.document.findtext(_Q + 'number')}) line "
                f"{line.findtext(_Q + 'lineNumber')}: part code {item[1:]!r} has no network "
                f"item in the agreement of {company} with {partner}; add it to the agreement")


def other_party(kind: str, data: bytes, own: str, party_ids: dict[str, str]) -> str | None:
    """The company at the other end of an EDI interchange or a UBL document (its envelope
    or its parties, less ``own``); None for the formats that name the partner in each
    document, or when the bytes cannot be read (the adapter's own read then says what
    is wrong and where)."""
    by_native = {native_id: code for code, native_id in party_ids.items()}
    own_id = party_ids.get(own, own)
    try:
        if kind == "x12-4010":
            from adapters.formats import edi_x12_syntax
            ids = {i for ts in edi_x12_syntax.parse(data) for i in (ts.sender, ts.receiver)}
        elif kind == "edifact-d96a":
            from adapters.formats import edi_edifact_syntax
            ids = {i for m in edi_edifact_syntax.parse(data) for i in (m.sender, m.receiver)}
        elif kind == "ubl-2.1":
            from ..messages import safe_xml
            root = safe_xml.parse(data)
            ids = {v.strip() for v in root.xpath(
                "*/cac:Party/cac:PartyIdentification/cbc:ID/text() | */cac:Party/cbc:EndpointID/text()",
                namespaces={"cac": UBL_CAC, "cbc": UBL_CBC}) if v.strip()}
        else:
            return None
    except Exception:  # noqa: BLE001 - unreadable: the adapter's read reports it properly
        return None
    ids.discard(own_id)
    if len(ids) != 1:
        return None
    native_id = ids.pop()
    return by_native.get(native_id, native_id)


UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _counterpart(message: Canonical, own: str) -> str | None:
    """The other company of a document the company sends: its partner, or, for a
    response to (or a change of) a document the other company owns, that company."""
    company_code = message.document.findtext(_Q + "company")
    if company_code is not None and company_code != own:
        return company_code
    return message.document.findtext(_Q + "partner")


@dataclass(frozen=True)
class Applied:
    """What became of one document of a native file (SubmitNativeResponse, <name>.result.xml).

    outcome: "submitted" (an Original, as SubmitTransaction answers it), "changed" /
    "cancelled" (a Change / Cancellation through the cascade: its id, CWG or CWP, the
    change requests it opened) or "acknowledged" (a Response: the agent of the order it
    answers, and the state it reached)."""
    position: int
    outcome: str
    company: str
    doc_type: str
    number: str
    state: str
    agent_id: str | None = None
    agent_kind: str | None = None
    receiver: str | None = None
    cascade_id: str | None = None
    status: str | None = None
    penalty: str | None = None
    change_requests: int = 0
    receiver_company: str | None = None
    receiver_type: str | None = None
    receiver_number: str | None = None
    receiver_state: str | None = None
    changed: Applied | None = None   # a Changed response's cascade of the sales order


def submit_all(conn: Connection, actor: Actor, kind: str, data: bytes, message_id: str,
               now: dt.datetime) -> list[Applied]:
    """Read a native file sent by ``actor``'s company and apply every document in it, in
    the caller's transaction (all or nothing: a GatewayError leaves the caller to roll back).

    An Original is submitted as SubmitTransaction would submit it; a Change or a
    Cancellation is applied to the sender's own document as UpdateTransaction /
    CancelTransaction would apply it (cascade/service.py); a Response acknowledges the
    agent of the order it answers (hq/acknowledge.py).  With several documents in one
    file, document n gets message id ``<message_id>.<n>``, so the same file sent again
    (same message id) is recognised document by document and applied once."""
    if actor.company is None:
        raise InvalidRequest("the administrator submits no documents; send as a company")
    fmt = format_of(conn, actor.company)
    messages = read(conn, fmt, kind, data)
    if not messages:
        raise InvalidRequest(f"the {kind} document holds no document")
    results = []
    for n, message in enumerate(messages, start=1):
        doc_id = message_id if len(messages) == 1 else _numbered(message_id, n)
        if message.purpose is Purpose.ORIGINAL:
            results.append(_submitted(n, _submit(conn, actor, message, doc_id, now)))
        else:
            try:
                results.append(_apply_once(conn, actor, message, n, doc_id, now))
            except GatewayError as exc:   # the cascade's and Acknowledge's, said where
                if exc.message.startswith("document "):
                    raise
                raise type(exc)(f"{_where(message, n)}: {exc.message}", exc.problems) from None
    return results


def _submit(conn: Connection, actor: Actor, message: Canonical, doc_id: str,
            now: dt.datetime) -> submit.SubmitResult:
    request = etree.Element(_Q + "SubmitTransaction", nsmap={None: NS})
    etree.SubElement(request, _Q + "messageId").text = doc_id
    request.append(etree.fromstring(etree.tostring(message.document)))
    submission = submission_from_xml(request)
    digest = hashlib.sha256(repr((submission,)).encode()).hexdigest()
    prepared = submit.prepare(submission, request_hash=digest, now=now,
                              document_xml=request.find(_Q + "document"))
    return submit.submit(conn, actor, prepared, now=now)


def _submitted(n: int, r: submit.SubmitResult) -> Applied:
    return Applied(position=n, outcome="submitted", company=r.company, doc_type=r.doc_type,
                   number=r.number, state=r.state, agent_id=r.agent_id,
                   agent_kind=r.agent_kind, receiver=r.receiver)


def report(results: list[Applied]) -> etree._Element:
    """SubmitNativeResponse: one element per document, grouped by outcome, each with its
    position in the file."""
    out = etree.Element(_Q + "SubmitNativeResponse", nsmap={None: NS})
    for outcome in ("submitted", "changed", "cancelled", "acknowledged"):
        for r in results:
            if r.outcome == outcome:
                _report_one(out, r)
    return out


def _sub(parent: etree._Element, name: str, text: object) -> None:
    if text is not None:
        etree.SubElement(parent, _Q + name).text = str(text)


def _instance(parent: etree._Element, name: str, company_code: str, doc_type: str,
              number: str, state: str) -> None:
    ref = etree.SubElement(parent, _Q + name)
    for field_name, value in (("company", company_code), ("type", doc_type),
                              ("number", number), ("state", state)):
        _sub(ref, field_name, value)


def _report_one(parent: etree._Element, r: Applied, name: str | None = None) -> None:
    item = etree.SubElement(parent, _Q + (name or r.outcome))
    _instance(item, "instance", r.company, r.doc_type, r.number, r.state)
    if r.outcome == "submitted":
        _sub(item, "agentId", r.agent_id)
        _sub(item, "agentKind", r.agent_kind)
        _sub(item, "receiver", r.receiver)
    elif r.outcome in ("changed", "cancelled"):
        _sub(item, "cascadeId", r.cascade_id)
        _sub(item, "status", r.status)
        _sub(item, "penalty", r.penalty)
        _sub(item, "changeRequests", r.change_requests)
    else:
        _sub(item, "agentId", r.agent_id)
        _sub(item, "agentState", r.status)
        if r.receiver_number:
            _instance(item, "receiverDocument", r.receiver_company, r.receiver_type,
                      r.receiver_number, r.receiver_state)
        if r.changed is not None:
            _report_one(item, r.changed, "changed")
    _sub(item, "position", r.position)


def _numbered(message_id: str, n: int) -> str:
    return _suffixed(message_id, f".{n}")


def _suffixed(message_id: str, suffix: str) -> str:
    if len(message_id) + len(suffix) <= 64:
        return message_id + suffix
    return hashlib.sha256(message_id.encode()).hexdigest()[:56] + suffix


def write_documents(conn: Connection, fmt: Format, documents: list[etree._Element]) -> Rendered:
    """Canonical documents the company sends or receives, as one native file of its
    kind, each with the mapping of its pair (TranslateDocument)."""
    adapter = adapter_of(fmt.erp_kind)
    messages = [Canonical(Purpose.ORIGINAL, d) for d in documents]
    if not messages:
        raise InvalidRequest("no document to translate")
    first = documents[0]
    sender, receiver = first.findtext(_Q + "company"), first.findtext(_Q + "partner")
    counterpart = receiver if sender == fmt.company else sender
    for d in documents[1:]:
        if {d.findtext(_Q + "company"), d.findtext(_Q + "partner")} != {sender, receiver}:
            raise InvalidRequest("one native file carries the documents of one pair of "
                                 "companies; translate the others separately")
    context = context_for(conn, fmt, counterpart, sender=sender, receiver=receiver or sender)
    data = adapter.write(messages, context)
    return Rendered(adapter.kind, adapter.media_type, adapter.file_suffix, data,
                    tuple(context.notes))


# ------------------------------------------------- changes, cancellations, responses

_OPERATION = {Purpose.CHANGE: "NativeChange", Purpose.CANCELLATION: "NativeCancel",
              Purpose.RESPONSE: "NativeResponse"}
_ORDER_TYPES = frozenset(t for t, (kind, _) in PROPAGATION.items() if kind is AgentKind.ORDER)


def _apply_once(conn: Connection, actor: Actor, message: Canonical, n: int, doc_id: str,
                now: dt.datetime) -> Applied:
    """A Change, Cancellation or Response, applied once per message id: the same file
    sent again gets the recorded outcome and applies nothing again; the same message id
    for another document is a Duplicate (as for SubmitTransaction)."""
    operation = _OPERATION[message.purpose]
    digest = hashlib.sha256(repr((message.purpose.value, message.response, message.response_number,
                                  etree.tostring(message.document, method="c14n"))).encode()
                            ).hexdigest()
    if (seen := store.recorded_reply(conn, actor.company, doc_id)) is not None:
        if seen["request_hash"] != digest or seen["operation"] != operation:
            raise Duplicate(f"message id '{doc_id}' was already used by {actor.company} for a "
                            f"different document; send the file under a new message id")
        return _applied_from_json(json.loads(seen["response"]), n)
    if message.purpose is Purpose.RESPONSE:
        result = _respond(conn, actor, message, n, doc_id, now)
    else:
        result = _change(conn, actor, message, n, now)
    store.record_reply(conn, company_code=actor.company, message_id=doc_id, operation=operation,
                       request_hash=digest, response=json.dumps(_applied_to_json(result)),
                       now=now)
    return result


def _applied_to_json(a: Applied) -> dict:
    out = dataclasses.asdict(a)
    out["changed"] = _applied_to_json(a.changed) if a.changed is not None else None
    return out


def _applied_from_json(data: dict, n: int) -> Applied:
    changed = data.pop("changed", None)
    return Applied(**{**data, "position": n,
                      "changed": _applied_from_json(changed, n) if changed else None})


def _text(el: etree._Element, name: str) -> str | None:
    value = el.findtext(_Q + name)
    return value.strip() if value is not None else None


def _key(document: etree._Element, where: str) -> DocKey:
    try:
        return DocKey(_text(document, "company"), DocType(_text(document, "type")),
                      _text(document, "number"))
    except ValueError:
        raise InvalidRequest(f"{where}: {_text(document, 'type')!r} is not a document "
                             f"type") from None


def _where(message: Canonical, n: int) -> str:
    return (f"document {n} ({message.purpose.value.lower()} of "
            f"{message.document.findtext(_Q + 'number')})")


def _line_changes(conn: Connection, row: dict, document: etree._Element,
                  where: str) -> tuple[dict[int, Decimal], dt.date | None]:
    """What a Change document changes of the stored one: the quantity of each line it
    carries that differs, and the requested date if it differs (a line or date that is
    the same is no change; a line the document does not have is refused)."""
    stored = store.document_of(conn, row)
    have = {ln.number: ln.quantity for ln in stored.lines}
    lines: dict[int, Decimal] = {}
    for ln in document.iterfind(_Q + "line"):
        number, qty = _text(ln, "lineNumber"), _text(ln, "quantity")
        try:
            line_no, quantity = int(number), Decimal(qty)
        except (TypeError, ValueError, InvalidOperation):
            raise InvalidRequest(f"{where}: line {number!r} needs a line number and a "
                                 f"quantity") from None
        if line_no not in have:
            raise InvalidRequest(f"{where}: line {line_no} is not a line of {store.key_of(row)} "
                                 f"(it has {', '.join(map(str, sorted(have)))}); a change "
                                 f"changes the lines a document has")
        if quantity != have[line_no]:
            lines[line_no] = quantity
    text = _text(document, "requestedDate")
    date = dt.date.fromisoformat(text[:10]) if text else None
    if date == stored.requested_date:
        date = None
    return lines, date


def _change(conn: Connection, actor: Actor, message: Canonical, n: int,
            now: dt.datetime) -> Applied:
    """A Change or Cancellation of the sender's own document, through the cascade."""
    where = _where(message, n)
    key = _key(message.document, where)
    cancel = message.purpose is Purpose.CANCELLATION
    lines: dict[int, Decimal] = {}
    date = None
    if not cancel:
        row = store.find_instance(conn, key)
        if row is None:
            raise NotFound(f"{where}: {key} does not exist in the TDIN")
        if not actor.acts_as(row["company"]):
            raise Unauthorized(f"{where}: only {row['company']} may change {key}; "
                               f"{actor.company} changes its own documents")
        lines, date = _line_changes(conn, row, message.document, where)
        if not lines and date is None:
            raise InvalidRequest(f"{where}: it changes nothing of {key} (same quantities and "
                                 f"requested date); send a change with what changed")
    outcome = cascade.change(conn, actor, key, cancel=cancel, lines=lines,
                             requested_date=date, now=now)
    return _cascaded(n, "cancelled" if cancel else "changed", key, outcome, conn)


def _cascaded(n: int, what: str, key: DocKey, outcome: cascade.Outcome,
              conn: Connection) -> Applied:
    row = store.find_instance(conn, key)
    return Applied(position=n, outcome=what, company=key.company, doc_type=key.doc_type.value,
                   number=key.number, state=row["state"], cascade_id=outcome.cascade_id,
                   status=outcome.plan.status, penalty=format_decimal(outcome.plan.penalty),
                   change_requests=len(outcome.requests))


def _order_agent(conn: Connection, actor: Actor, document: etree._Element,
                 where: str) -> dict:
    """The propagation agent of the order a Response answers: the order the document
    names (its own key, when it is the buyer's order) or references, or the receiver's
    counterpart it names (a sales order already acknowledged Created)."""
    keys: list[DocKey] = []
    own = _key(document, where)
    if own.doc_type in _ORDER_TYPES or own.doc_type is DocType.SALES_ORDER:
        keys.append(own)
    for ref in document.iterfind(_Q + "reference"):
        try:
            rk = DocKey(_text(ref, "company"), DocType(_text(ref, "type")), _text(ref, "number"))
        except ValueError:
            continue
        if rk.doc_type in _ORDER_TYPES:
            keys.append(rk)
    agents = {a["id"]: a for k in dict.fromkeys(keys) for a in store.agents_for_key(conn, str(k))
              if a["kind"] == AgentKind.ORDER.value and a["use_case"] == "create"}
    if not agents:
        raise UnknownReference(f"{where}: no order agent for "
                               f"{' or '.join(str(k) for k in dict.fromkeys(keys)) or 'it'}; "
                               f"a response names the order it answers (its type, number and "
                               f"buyer, or a reference to it)")
    mine = [a for a in agents.values() if a["receiver"] == actor.company]
    if not mine:
        a = next(iter(agents.values()))
        raise Unauthorized(f"{where}: the order {a['primary_key']} was sent to {a['receiver']}; "
                           f"only its receiver responds to it, not {actor.company}")
    if len(mine) > 1:
        raise InvalidRequest(f"{where}: it answers {len(mine)} orders "
                             f"({', '.join(a['primary_key'] for a in mine)}); send one response "
                             f"per order")
    return mine[0]


# The acknowledgements that take an order agent from where it is to the response's
# outcome: a response implies the order was received; a rejection is a refusal of the
# pending order (the state model rejects only from PendingApproval).
_PATHS = {
    "Approved": ("Received", "Approved"),
    "Created": ("Received", "Approved", "Created"),
    "Rejected": ("Received", "PendingApproval", "Rejected"),
}
_REACHED = {"Received": {"Dispatched"}, "Approved": {"Received", "PendingApproval"},
            "PendingApproval": {"Received"}, "Created": {"Approved"},
            "Rejected": {"PendingApproval"}}


def _respond(conn: Connection, actor: Actor, message: Canonical, n: int, doc_id: str,
             now: dt.datetime) -> Applied:
    """A Response: acknowledge the answered order's agent (Accepted: Approved, then Created
    with the response number; Rejected: Rejected with a reason; Changed: as Accepted, and
    the quantities and date that differ as a change of the receiver's sales order)."""
    from adapters.base import Response
    where = _where(message, n)
    response = message.response or Response.ACCEPTED
    agent = _order_agent(conn, actor, message.document, where)
    number = (message.response_number or "").strip() or None
    reason = None
    if response is Response.REJECTED:
        target, number = "Rejected", None
        reason = (_text(message.document, "note") or
                  f"rejected by {actor.company} in its order response")[:_TEXT_MAX]
    else:
        target = "Created" if number else "Approved"
    steps = list(_PATHS[target])
    state = agent["state"]
    if state == "Created" and number and agent["inter_company_fk"] != str(
            DocKey(actor.company, DocType.SALES_ORDER, number)):
        raise InvalidRequest(f"{where}: the order was already answered with "
                             f"{agent['inter_company_fk']}, not {number}; change that sales "
                             f"order instead of answering again")
    if state == target or (target == "Approved" and state == "Created"):
        steps = []   # already there: a response repeating an acknowledgement
    else:
        while steps and state not in _REACHED[steps[0]]:
            steps.pop(0)
        if not steps:
            raise IllegalTransition(f"{where}: the order agent {agent['id']} is {state}; a "
                                    f"response {response.value} cannot be applied to it")
    for step in steps:
        acknowledge.acknowledge(
            conn, actor, message_id=_suffixed(doc_id, f".{step[:3].lower()}"),
            agent_id=agent["id"], state=step,
            document_number=number if step == "Created" else None,
            reason=reason if step == "Rejected" else None,
            request_hash=hashlib.sha256(f"{doc_id}\0{step}".encode()).hexdigest(), now=now)
    agent = store.get_agent(conn, agent["id"])
    source = store.get_instance(conn, agent["source_instance_id"])
    receiver_row = (store.get_instance(conn, agent["target_instance_id"])
                    if agent["target_instance_id"] else None)
    changed = None
    if response is Response.CHANGED:
        changed = _changed_sales_order(conn, actor, message, n, receiver_row, where, now)
        receiver_row = store.get_instance(conn, receiver_row["id"]) if receiver_row else None
        source = store.get_instance(conn, source["id"])
    return Applied(position=n, outcome="acknowledged", company=source["company"],
                   doc_type=source["doc_type"], number=source["number"], state=source["state"],
                   agent_id=agent["id"], status=agent["state"],
                   receiver_company=receiver_row["company"] if receiver_row else None,
                   receiver_type=receiver_row["doc_type"] if receiver_row else None,
                   receiver_number=receiver_row["number"] if receiver_row else None,
                   receiver_state=receiver_row["state"] if receiver_row else None,
                   changed=changed)


def _changed_sales_order(conn: Connection, actor: Actor, message: Canonical, n: int,
                         receiver_row: dict | None, where: str, now: dt.datetime
                         ) -> Applied | None:
    """A Changed response: what differs from the order becomes a change of the receiver's
    sales order through the cascade (which decides whether it may be changed)."""
    if not list(message.document.iterfind(_Q + "line")) and \
            _text(message.document, "requestedDate") is None:
        return None
    if receiver_row is None:
        raise InvalidRequest(f"{where}: a response with changes needs the number of your sales "
                             f"order (response number), which the changes apply to")
    lines, date = _line_changes(conn, receiver_row, message.document, where)
    if not lines and date is None:
        return None
    key = store.key_of(receiver_row)
    outcome = cascade.change(conn, actor, key, cancel=False, lines=lines, requested_date=date,
                             now=now)
    return _cascaded(n, "changed", key, outcome, conn)
