"""Transaction data: document types, their propagation agents, and documents.

Pure dataclasses: the canonical message (messages/canonical.py) and the
database rows (persistence/) are both mapped onto these.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Mapping


class DocType(StrEnum):
    PURCHASE_ORDER = "PurchaseOrder"
    OUTSOURCING_ORDER = "OutsourcingOrder"
    SALES_ORDER = "SalesOrder"
    DELIVERY = "Delivery"
    RECEIVING = "Receiving"
    ACCOUNT_RECEIVABLE = "AccountReceivable"
    ACCOUNT_PAYABLE = "AccountPayable"
    PAYMENT = "Payment"
    RECEIPT = "Receipt"
    RETURN = "Return"
    RETURN_RECEIVING = "ReturnReceiving"
    WORK_ORDER = "WorkOrder"
    DELIVERY_REQUEST = "DeliveryRequest"
    INSPECTION = "Inspection"


class AgentKind(StrEnum):
    ORDER = "O-TPA"
    DELIVERY = "D-TPA"
    ACCOUNT = "A-TPA"
    PAYMENT = "P-TPA"
    RETURN = "R-TPA"


class UseCase(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"


D = DocType

# External document -> (agent that propagates it, the document it becomes at the receiver).
PROPAGATION: Final[Mapping[DocType, tuple[AgentKind, DocType]]] = MappingProxyType({
    D.PURCHASE_ORDER: (AgentKind.ORDER, D.SALES_ORDER),
    D.OUTSOURCING_ORDER: (AgentKind.ORDER, D.SALES_ORDER),
    D.DELIVERY: (AgentKind.DELIVERY, D.RECEIVING),
    D.ACCOUNT_RECEIVABLE: (AgentKind.ACCOUNT, D.ACCOUNT_PAYABLE),
    D.PAYMENT: (AgentKind.PAYMENT, D.RECEIPT),
    D.RETURN: (AgentKind.RETURN, D.RETURN_RECEIVING),
})

INTERNAL: Final = frozenset({D.WORK_ORDER, D.DELIVERY_REQUEST, D.INSPECTION})

# Documents a partner may submit.  Counterparts (SalesOrder, Receiving, ...) are
# created by the receiver's acknowledgement, never submitted directly.
SUBMITTABLE: Final = frozenset(PROPAGATION) | INTERNAL | {D.PURCHASE_ORDER}

# Which preceding document types each submitted type may reference, and
# whether it must reference at least one.  Orders may start a network (the
# mother company's first purchase order has no predecessor in the TDIN).
MAY_REFERENCE: Final[Mapping[DocType, frozenset[DocType]]] = MappingProxyType({
    D.PURCHASE_ORDER: frozenset({D.SALES_ORDER, D.WORK_ORDER}),
    D.OUTSOURCING_ORDER: frozenset({D.SALES_ORDER, D.WORK_ORDER}),
    D.WORK_ORDER: frozenset({D.SALES_ORDER}),
    D.DELIVERY_REQUEST: frozenset({D.SALES_ORDER}),
    D.DELIVERY: frozenset({D.SALES_ORDER, D.DELIVERY_REQUEST}),
    D.INSPECTION: frozenset({D.RECEIVING}),
    D.ACCOUNT_RECEIVABLE: frozenset({D.DELIVERY}),
    D.PAYMENT: frozenset({D.ACCOUNT_PAYABLE}),
    D.RETURN: frozenset({D.RECEIVING}),
})
MUST_REFERENCE: Final = frozenset({
    D.DELIVERY, D.INSPECTION, D.ACCOUNT_RECEIVABLE, D.PAYMENT, D.RETURN,
})


# The most a document may carry in all its lines: totals are kept exactly, as
# 64-bit integers of millionths, on every database.
MAX_TOTAL_QUANTITY: Final = Decimal("9000000000000")
# The same bound for the money an invoice, payment or return moves along a link.
MAX_TOTAL_AMOUNT: Final = MAX_TOTAL_QUANTITY


def is_external(doc_type: DocType) -> bool:
    return doc_type in PROPAGATION


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    item: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None = None
    description: str | None = None
    requested_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DocKey:
    """Primary key of a transaction data instance across the network."""
    company: str
    doc_type: DocType
    number: str

    def __str__(self) -> str:  # the paper's Company.Table.Key
        return f"{self.company}.{self.doc_type.value}.{self.number}"


@dataclass(frozen=True, slots=True)
class Reference:
    """The instance that triggered this one, with the quantity it carries (None: all)
    and, for money documents, the amount it bills, settles or returns (None: the
    document's own amount, when it references one instance)."""
    key: DocKey
    quantity: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Document:
    key: DocKey
    partner: str | None
    issue_date: dt.date
    lines: tuple[Line, ...]
    references: tuple[Reference, ...] = ()
    currency: str | None = None
    requested_date: dt.date | None = None
    note: str | None = None

    @property
    def total_quantity(self) -> Decimal:
        return sum((ln.quantity for ln in self.lines), Decimal(0))

    @property
    def amount(self) -> Decimal | None:
        """Quantity times unit price over the lines; None when a line has no price."""
        return value_of(self.lines)


def value_of(lines) -> Decimal | None:
    """The money a set of lines is worth, or None when any line has no unit price."""
    if any(ln.unit_price is None for ln in lines):
        return None
    return sum((ln.quantity * ln.unit_price for ln in lines), Decimal(0))


@dataclass(frozen=True, slots=True)
class Submission:
    message_id: str
    document: Document
    extra: dict[str, str] = field(default_factory=dict)


# A link counts toward the referenced instance's quantity (and so moves it to
# PartiallyReferenced / CompletelyReferenced) only when the successor fulfils
# it: a delivery fulfils a sales order, a receiving a purchase order.  A sales
# order's internal purchase orders are triggered by it but fulfil nothing of
# it, so they link without referencing its quantity.
FULFILS: Final = frozenset({
    (D.DELIVERY, D.SALES_ORDER),
    (D.RECEIVING, D.PURCHASE_ORDER),
    (D.RECEIVING, D.OUTSOURCING_ORDER),
    (D.ACCOUNT_RECEIVABLE, D.DELIVERY),
    (D.PAYMENT, D.ACCOUNT_PAYABLE),
    (D.RETURN, D.RECEIVING),
})
