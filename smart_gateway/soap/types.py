"""spyne's view of the canonical messages, used to read and write SOAP bodies.

Only the messages spyne reads or writes are here: responses written as XML
directly (FetchInbox, GetTrace, GetMetrics) and the push partners'
ReceiveMessage have no class.  SubmitTransactionResponse is written directly
too; its class serves the spyne-only baseline of bench/.

The contract is schemas/gateway/v1/gateway.xsd, which the published WSDL
inlines; these classes only mirror its element names and order so that
spyne (de)serializes them.  Requests are validated against the XSD before
spyne sees them (soap/protocol.py), and tests/contract checks that every
response spyne writes from these classes is valid against the XSD.
"""
from __future__ import annotations

from spyne import (
    Boolean, ComplexModel, Date, DateTime, Decimal, Enum, Integer32, Unicode,
)
from spyne import M

from ..domain.documents import AgentKind, DocType, UseCase
from ..domain.states import State

NS = "urn:smart-gateway:v1"


def opt(t):
    return t.customize(min_occurs=0, nillable=False)


def many(t, low=0, high="unbounded"):
    return t.customize(min_occurs=low, max_occurs=high, nillable=False)


def _enum(name, values):
    return Enum(*values, type_name=name).customize(__namespace__=NS)


DocumentType = _enum("DocumentType", [t.value for t in DocType])
AgentState = _enum("AgentState", [s.value for s in State])
AgentKindType = _enum("AgentKind", [k.value for k in AgentKind])
UseCaseType = _enum("UseCase", [u.value for u in UseCase])
AckState = _enum("AcknowledgementState",
                 ["Received", "Approved", "PendingApproval", "Rejected", "Created",
                  "Confirmed"])

CompanyCode = Unicode(min_len=1, max_len=32, pattern="[A-Z0-9][A-Z0-9_\\-]*",
                      type_name="CompanyCode").customize(__namespace__=NS)
DocumentNumber = Unicode(min_len=1, max_len=35, pattern="[^\\s]+(\\s[^\\s]+)*",
                         type_name="DocumentNumber").customize(__namespace__=NS)
MessageId = Unicode(min_len=1, max_len=64, pattern="[A-Za-z0-9._:\\-]+",
                    type_name="MessageId").customize(__namespace__=NS)
ItemCode = Unicode(min_len=1, max_len=64, pattern="[^\\s]+",
                   type_name="ItemCode").customize(__namespace__=NS)
UnitCode = Unicode(min_len=1, max_len=8, pattern="[A-Za-z0-9]+",
                   type_name="UnitCode").customize(__namespace__=NS)
CurrencyCode = Unicode(pattern="[A-Z]{3}", type_name="CurrencyCode").customize(__namespace__=NS)
Text = Unicode(max_len=512, type_name="Text").customize(__namespace__=NS)
Quantity = Decimal(gt=0, total_digits=18, fraction_digits=6,
                   type_name="Quantity").customize(__namespace__=NS)
Amount = Decimal(ge=0, total_digits=18, fraction_digits=6,
                 type_name="Amount").customize(__namespace__=NS)
AgentId = Unicode(min_len=1, max_len=40, pattern="[A-Za-z0-9\\-]+",
                  type_name="AgentId").customize(__namespace__=NS)


class _Base(ComplexModel):
    __namespace__ = NS


class Line(_Base):
    __type_name__ = "Line"
    _type_info = [
        ("lineNumber", M(Integer32)),
        ("item", M(ItemCode)),
        ("description", opt(Text)),
        ("quantity", M(Quantity)),
        ("unit", M(UnitCode)),
        ("unitPrice", opt(Amount)),
        ("requestedDate", opt(Date)),
    ]


class Reference(_Base):
    """An instance that triggered the submitted one; quantity omitted means all of it."""
    __type_name__ = "Reference"
    _type_info = [
        ("company", M(CompanyCode)),
        ("type", M(DocumentType)),
        ("number", M(DocumentNumber)),
        ("quantity", opt(Quantity)),
        ("amount", opt(Amount)),
    ]


class Document(_Base):
    __type_name__ = "Document"
    _type_info = [
        ("type", M(DocumentType)),
        ("number", M(DocumentNumber)),
        ("company", M(CompanyCode)),
        ("partner", opt(CompanyCode)),
        ("issueDate", M(Date)),
        ("requestedDate", opt(Date)),
        ("currency", opt(CurrencyCode)),
        ("note", opt(Text)),
        ("line", many(Line, 1, 1000)),
        ("reference", many(Reference, 0, 1000)),
    ]


class InstanceRef(_Base):
    __type_name__ = "InstanceRef"
    _type_info = [
        ("company", M(CompanyCode)),
        ("type", M(DocumentType)),
        ("number", M(DocumentNumber)),
        ("state", M(AgentState)),
    ]


class SubmitTransaction(_Base):
    _type_info = [
        ("messageId", M(MessageId)),
        ("document", M(Document)),
    ]


class SubmitTransactionResponse(_Base):
    _type_info = [
        ("instance", M(InstanceRef)),
        ("agentId", opt(AgentId)),
        ("agentKind", opt(AgentKindType)),
        ("receiver", opt(CompanyCode)),
        ("rush", M(Boolean)),
    ]






class FetchInbox(_Base):
    _type_info = [
        ("maxMessages", opt(Integer32)),
        ("confirm", many(MessageId, 0, 100)),
        ("native", opt(Boolean)),
    ]




class Acknowledge(_Base):
    _type_info = [
        ("messageId", M(MessageId)),
        ("agentId", M(AgentId)),
        ("state", M(AckState)),
        ("documentNumber", opt(DocumentNumber)),
        ("reason", opt(Text)),
    ]


class AcknowledgeResponse(_Base):
    _type_info = [
        ("agentId", M(AgentId)),
        ("state", M(AgentState)),
        ("receiverDocument", opt(InstanceRef)),
    ]


class GetTrace(_Base):
    _type_info = [
        ("company", M(CompanyCode)),
        ("number", M(DocumentNumber)),
        ("type", opt(DocumentType)),
    ]








class Agent(_Base):
    """A transaction propagation agent as the headquarter's registry holds it."""
    __type_name__ = "Agent"
    _type_info = [
        ("agentId", M(AgentId)),
        ("kind", M(AgentKindType)),
        ("useCase", M(UseCaseType)),
        ("state", M(AgentState)),
        ("location", M(CompanyCode)),
        ("sender", M(CompanyCode)),
        ("receiver", M(CompanyCode)),
        ("forwarder", M(CompanyCode)),
        ("sendingTime", M(DateTime)),
        ("primaryKey", M(Unicode(max_len=160))),
        ("foreignKey", many(Unicode(max_len=160))),
        ("interCompanyForeignKey", opt(Unicode(max_len=160))),
    ]


class SearchAgents(_Base):
    _type_info = [
        ("company", M(CompanyCode)),
        ("type", M(DocumentType)),
        ("number", M(DocumentNumber)),
    ]


class SearchAgentsResponse(_Base):
    _type_info = [("agent", many(Agent))]


class GetAgent(_Base):
    _type_info = [("agentId", M(AgentId))]


class GetAgentResponse(_Base):
    _type_info = [("agent", M(Agent))]


class DocumentKey(_Base):
    __type_name__ = "DocumentKey"
    _type_info = [
        ("company", M(CompanyCode)),
        ("number", M(DocumentNumber)),
        ("type", opt(DocumentType)),
    ]


class GetMetrics(_Base):
    _type_info = [
        ("company", opt(CompanyCode)),
        ("order", opt(DocumentKey)),
    ]


class ListPendingApprovals(_Base):
    _type_info = [("company", opt(CompanyCode))]


class PendingApproval(_Base):
    __type_name__ = "PendingApproval"
    _type_info = [
        ("agent", M(Agent)),
        ("document", M(InstanceRef)),
        ("quantity", M(Amount)),
        ("rushRule", opt(Text)),
        ("reason", opt(Text)),
    ]


class ListPendingApprovalsResponse(_Base):
    _type_info = [("pending", many(PendingApproval))]
