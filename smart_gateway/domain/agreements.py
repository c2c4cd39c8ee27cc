"""Trading partner agreements' rules, and the rush rule a document breaks.

A regular transaction follows its agreement; a rush one breaks it (SMART
2.5.1) and is flagged with the first rule it breaks, in this order: the
normal lead time, the agreed maximum quantity, the items of the agreement,
their agreed prices, the supplier's safety stock.  Breaking a rule does not refuse the document: the
receiver approves it or holds it for a manager.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from .documents import DocType, Document

ORDERS = frozenset({DocType.PURCHASE_ORDER, DocType.OUTSOURCING_ORDER})


@dataclass(frozen=True)
class AgreementTerms:
    lead_time_days: int
    max_quantity: Decimal | None = None
    # Agreed items and their prices (None: no agreed price); empty: any item.
    prices: Mapping[str, Decimal | None] = field(default_factory=dict)
    # Agreed safety stock per item, and the supplier's last reported stock of
    # those items (ISA); an item without a report cannot be judged by this rule.
    safety_stock: Mapping[str, Decimal] = field(default_factory=dict)
    on_hand: Mapping[str, Decimal] = field(default_factory=dict)


def rush_rule(doc: Document, terms: AgreementTerms) -> str | None:
    """The rule of the agreement ``doc`` breaks first, or None for a regular transaction."""
    if doc.key.doc_type not in ORDERS:
        return None
    due_dates = [d for d in [doc.requested_date, *(ln.requested_date for ln in doc.lines)] if d]
    if due_dates:
        earliest = min(due_dates)
        if (earliest - doc.issue_date).days < terms.lead_time_days:
            return (f"due date {earliest} is inside the normal lead time of "
                    f"{terms.lead_time_days} days from {doc.issue_date}")
    if terms.max_quantity is not None:
        for ln in doc.lines:
            if ln.quantity > terms.max_quantity:
                return (f"line {ln.number}: quantity {ln.quantity} is above the agreed "
                        f"maximum of {terms.max_quantity}")
    if terms.prices:
        for ln in doc.lines:
            if ln.item not in terms.prices:
                return f"line {ln.number}: item {ln.item} is not in the agreement"
            agreed = terms.prices[ln.item]
            if agreed is not None and ln.unit_price is not None and ln.unit_price != agreed:
                return (f"line {ln.number}: unit price {ln.unit_price} differs from the "
                        f"agreed {agreed}")
    return _below_safety_stock(doc, terms)


def _below_safety_stock(doc: Document, terms: AgreementTerms) -> str | None:
    ordered: dict[str, Decimal] = {}
    for ln in doc.lines:
        ordered[ln.item] = ordered.get(ln.item, Decimal(0)) + ln.quantity
    for item, quantity in ordered.items():
        keep, stock = terms.safety_stock.get(item), terms.on_hand.get(item)
        if keep is None or stock is None:
            continue
        if stock - quantity < keep:
            return (f"item {item}: {quantity} ordered would leave the supplier "
                    f"{stock - quantity} of its reported {stock} on hand, below the agreed "
                    f"safety stock of {keep}")
    return None
