"""The gateway's SOAP operations: thin adapters from messages to hq/ use cases.

Each method finds its request scope on ctx.udc (one database transaction,
the authenticated actor, the request time), calls one use case and turns the
result into the response.  Error handling is in app.GatewayApplication.
"""
from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape
from decimal import Decimal

from lxml import etree
from spyne import AnyXml, Service, rpc

from ..domain.documents import DocKey, DocType
from ..hq import agents, approvals, inbox, metrics, submit, trace
from ..hq.acknowledge import acknowledge
from ..messages.canonical import T_DOCUMENT, format_decimal, submission_from_xml
from ..messages.schema import NS
from . import types as t
from .faults import GatewayFault

_Q = "{%s}" % NS
RAW_IN = frozenset({"SubmitTransaction"})
# Operations that only read: on SQLite they run without the write lock (WAL
# readers see the last commit and never wait for a writer).
READ_ONLY_OPERATIONS = frozenset({"GetTrace", "SearchAgents", "GetAgent", "GetMetrics",
                                  "ListPendingApprovals"})


def _fingerprint(*content) -> str:
    """What makes a retry the same request: its content as read, not its bytes, so
    that a retry from another SOAP stack (other prefixes, other namespace
    declarations, other whitespace) is still recognised."""
    return hashlib.sha256(repr(content).encode()).hexdigest()


def _sub(parent, name, text):
    if text is not None:
        etree.SubElement(parent, _Q + name).text = text


def _ref(key_company, key_type, key_number, state):
    return t.InstanceRef(company=key_company, type=key_type, number=key_number, state=state)


class GatewayService(Service):
    @rpc(t.SubmitTransaction, _returns=AnyXml, _body_style="bare",
         _throws=[GatewayFault])
    def SubmitTransaction(ctx, request: etree._Element):
        """Register a document with the instances that triggered it, and propagate it."""
        scope = ctx.udc
        submission = submission_from_xml(request)
        scope.subject = str(submission.document.key)
        prepared = submit.prepare(submission, request_hash=_fingerprint(submission), now=scope.now,
                                  document_xml=request.find(T_DOCUMENT))
        result = submit.submit(scope.conn, scope.actor, prepared, now=scope.now)
        scope.commit()
        # Written with lxml, not spyne: this is the hot path (see protocol.py).
        out = etree.Element(_Q + "SubmitTransactionResponse", nsmap={None: NS})
        ref = etree.SubElement(out, _Q + "instance")
        for name, value in (("company", result.company), ("type", result.doc_type),
                            ("number", result.number), ("state", result.state)):
            _sub(ref, name, value)
        _sub(out, "agentId", result.agent_id)
        _sub(out, "agentKind", result.agent_kind)
        _sub(out, "receiver", result.receiver)
        _sub(out, "rush", "true" if result.rush else "false")
        return out

    @rpc(t.FetchInbox, _returns=AnyXml, _body_style="bare", _throws=[GatewayFault])
    def FetchInbox(ctx, request):
        """Messages waiting for the calling company, oldest first (pull partners).

        Confirm each message once processed (its messageId in ``confirm`` on the
        next call); an unconfirmed one comes again after a minute."""
        scope = ctx.udc
        payloads, remaining = inbox.fetch(scope.conn, scope.actor,
                                          limit=request.maxMessages or 20, now=scope.now,
                                          confirm=tuple(request.confirm or ()),
                                          native=request.native)
        out = etree.Element(_Q + "FetchInboxResponse", nsmap={None: NS})
        for payload in payloads:
            out.append(etree.fromstring(payload))  # our own bytes, written by hq/messages_out
        _sub(out, "remaining", str(remaining))
        return out

    @rpc(t.Acknowledge, _returns=t.AcknowledgeResponse, _body_style="bare", _throws=[GatewayFault])
    def Acknowledge(ctx, request):
        """The receiver reports Received, Approved, PendingApproval, Rejected or Created."""
        scope = ctx.udc
        result = acknowledge(scope.conn, scope.actor, message_id=request.messageId,
                             agent_id=request.agentId, state=str(request.state),
                             document_number=request.documentNumber, reason=request.reason,
                             request_hash=_fingerprint(request.messageId, request.agentId,
                                                       str(request.state),
                                                       request.documentNumber, request.reason),
                             now=scope.now)
        scope.commit()
        receiver_doc = None
        if result.receiver_number:
            receiver_doc = _ref(result.receiver_company, result.receiver_type,
                                result.receiver_number, "Created")
        return t.AcknowledgeResponse(agentId=result.agent_id, state=result.state,
                                     receiverDocument=receiver_doc)

    @rpc(t.GetTrace, _returns=AnyXml, _body_style="bare", _throws=[GatewayFault])
    def GetTrace(ctx, request):
        """The whole network upstream and downstream of one document, across every tier."""
        scope = ctx.udc
        found = trace.component(scope.conn, scope.actor, company_code=request.company,
                            number=request.number,
                            doc_type=DocType(str(request.type)) if request.type else None)
        return trace_to_xml(found)

    @rpc(t.SearchAgents, _returns=t.SearchAgentsResponse, _body_style="bare", _throws=[GatewayFault])
    def SearchAgents(ctx, request):
        """Agents registered for a transaction's primary key (sent or created by it)."""
        scope = ctx.udc
        key = DocKey(request.company, DocType(str(request.type)), request.number)
        return t.SearchAgentsResponse(agent=[_agent(a) for a in agents.search(scope.conn, scope.actor, key)])

    @rpc(t.GetAgent, _returns=t.GetAgentResponse, _body_style="bare", _throws=[GatewayFault])
    def GetAgent(ctx, request):
        """One agent of the registry, with its state and location."""
        scope = ctx.udc
        return t.GetAgentResponse(agent=_agent(agents.get(scope.conn, scope.actor, request.agentId)))


    @rpc(t.ListPendingApprovals, _returns=t.ListPendingApprovalsResponse, _body_style="bare",
         _throws=[GatewayFault])
    def ListPendingApprovals(ctx, request):
        """Transactions held for a manager's decision, oldest first."""
        scope = ctx.udc
        held = approvals.pending(scope.conn, scope.actor, company=request.company)
        return t.ListPendingApprovalsResponse(pending=[
            t.PendingApproval(
                agent=_agent(a | {"foreign_keys": agents.foreign_keys(scope.conn, a)}),
                document=_ref(a["doc_company"], a["doc_type"], a["number"], a["doc_state"]),
                quantity=a["quantity"], rushRule=a["rush_rule"], reason=a["reason"])
            for a in held])

    @rpc(t.GetMetrics, _returns=AnyXml, _body_style="bare", _throws=[GatewayFault])
    def GetMetrics(ctx, request):
        """NCTP, NITP, ADTR, MDTR and TRCO of the network, a company or an order's trace."""
        scope = ctx.udc
        order = None
        if request.order is not None:
            o = request.order
            order = DocKey(o.company, DocType(str(o.type)) if o.type else None, o.number)
        found = metrics.metrics(scope.conn, scope.actor, company=request.company, order=order)
        out = etree.Element(_Q + "GetMetricsResponse", nsmap={None: NS})
        _sub(out, "scope", found.scope)
        _sub(out, "nctp", str(found.nctp))
        _sub(out, "nitp", str(found.nitp))
        for name, value in (("adtrSeconds", found.adtr_seconds), ("mdtrSeconds", found.mdtr_seconds)):
            if value is not None:
                _sub(out, name, format_decimal(round(Decimal(str(value)), 6)))
        _sub(out, "trco", str(found.trco))
        return out


def _agent(a: dict) -> t.Agent:
    return t.Agent(agentId=a["id"], kind=a["kind"], useCase=a["use_case"], state=a["state"],
                   location=a["location"], sender=a["sender"], receiver=a["receiver"],
                   forwarder=a["forwarder"], sendingTime=a["sending_time"],
                   primaryKey=a["primary_key"], foreignKey=a["foreign_keys"],
                   interCompanyForeignKey=a["inter_company_fk"])


def trace_to_xml(found: trace.Component) -> bytes:
    """The GetTraceResponse element, written as text.

    A trace may hold thousands of instances; building it as lxml elements (ten
    children a node), or even as Decimals and dataclasses, cost several times
    the query that found them, so it is written directly from the rows, every
    free-text value escaped (codes, types and states are schema-restricted
    tokens).  tests/contract validates it against gateway.xsd like every other
    response.
    """
    out = [f'<GetTraceResponse xmlns="{NS}"><root>{_text(found.root)}</root>']
    append = out.append
    for (_, key, company, tier, doc_type, number, state, qty, referenced, rush,
         partner_key) in found.nodes:
        partner = f"<partnerKey>{_text(partner_key)}</partnerKey>" if partner_key else ""
        append(f"<node><id>{_text(key)}</id><company>{company}</company><tier>{tier}</tier>"
               f"<type>{doc_type}</type><number>{_text(number)}</number><state>{state}</state>"
               f"<quantity>{_micro(qty)}</quantity>"
               f"<referencedQuantity>{_micro(referenced)}</referencedQuantity>"
               f"{partner}<rush>{'true' if rush else 'false'}</rush></node>")
    for source, target, qty, scope in found.edges:
        append(f"<edge><from>{_text(source)}</from><to>{_text(target)}</to>"
               f"<quantity>{_micro(qty)}</quantity><scope>{scope}</scope></edge>")
    append("</GetTraceResponse>")
    return "".join(out).encode("utf-8")


def _text(value: str) -> str:
    # Most document numbers hold nothing to escape; checking is cheaper than escaping.
    if "&" in value or "<" in value or ">" in value:
        return escape(value)
    return value


def _micro(value: int) -> str:
    """Integer millionths as an xs:decimal, without going through Decimal."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 1_000_000)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:06d}".rstrip("0")
