"""Money along references: an invoice bills at most what its deliveries are
worth, a payment settles at most what its payables are worth, a return sends
back at most what its receivings were worth.

Quantities are bounded elsewhere (a delivery's quantity can be invoiced once);
amounts are bounded here, so that an invoice at a higher price than the goods
delivered, or a second payment of a payable already paid, is refused too.
A referenced instance without unit prices on every line has no known worth:
its quantity is still bounded, its amount is not.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from ..domain.documents import MAX_TOTAL_AMOUNT, DocType, Document, Reference, value_of
from ..domain.errors import InvalidRequest, QuantityExceeded
from ..persistence.tables import link
from . import store

D = DocType
# (document type, referenced type) -> the verb for messages
MONEY_LINKS = {
    (D.ACCOUNT_RECEIVABLE, D.DELIVERY): "bill",
    (D.PAYMENT, D.ACCOUNT_PAYABLE): "pay",
    (D.RETURN, D.RECEIVING): "send back",
}
MONEY_DOCUMENTS = frozenset(t for t, _ in MONEY_LINKS)


def _money(value: Decimal) -> str:
    return format(value.normalize(), "f")  # 250, 12.5: as a person writes them


def check_document(doc: Document) -> None:
    """What needs no database: amounts only where money moves, and no more than the
    document itself is worth."""
    given = [r for r in doc.references if r.amount is not None]
    if given and doc.key.doc_type not in MONEY_DOCUMENTS:
        raise InvalidRequest(f"{doc.key}: a reference's amount is for invoices, payments and "
                             f"returns; a {doc.key.doc_type.value} carries quantities only")
    if doc.key.doc_type not in MONEY_DOCUMENTS:
        return
    worth = doc.amount
    if len(doc.references) > 1 and worth is not None and len(given) != len(doc.references):
        raise InvalidRequest(f"{doc.key}: with several references, each must carry its amount "
                             f"as well as its quantity")
    # What a link may carry is bounded like every total (64-bit millionths).
    largest = max((a for a in (worth, *(r.amount for r in given)) if a is not None), default=None)
    if largest is not None and largest > MAX_TOTAL_AMOUNT:
        raise InvalidRequest(f"{doc.key}: an amount of {_money(largest)} is more than a document "
                             f"may move ({_money(MAX_TOTAL_AMOUNT)}): split it")
    if worth is not None and given:
        claimed = sum((r.amount for r in given), Decimal(0))
        if claimed > worth:
            raise QuantityExceeded(
                f"{doc.key} is worth {_money(worth)} (its lines' quantity times unit price) "
                f"but its references claim {_money(claimed)}; they may claim at most what the document is worth")


def carried(conn: Connection, doc: Document, ref: Reference, row: dict[str, Any],
            earlier: dict[int, Decimal]) -> Decimal | None:
    """The amount this reference carries, refused if the referenced instance would
    be billed, paid or returned beyond its worth; None where no money moves.
    ``earlier`` holds what this document's previous references claimed, by
    instance id (two references to one delivery count together)."""
    verb = MONEY_LINKS.get((doc.key.doc_type, ref.key.doc_type))
    if verb is None:
        return None
    amount = ref.amount if ref.amount is not None else doc.amount
    if amount is None:
        return None
    worth = value_of(store.lines_of(conn, row["id"]))
    if worth is None:
        return amount
    already = conn.execute(select(func.coalesce(func.sum(link.c.amount), 0))
                           .where(link.c.source_id == row["id"])).scalar_one()
    # the sum is typed like the column (Micro), so it comes back as a Decimal
    already = Decimal(already) + earlier.get(row["id"], Decimal(0))
    earlier[row["id"]] = earlier.get(row["id"], Decimal(0)) + amount
    if already + amount > worth:
        raise QuantityExceeded(
            f"{ref.key} is worth {_money(worth)} and {_money(already)} of it is already "
            f"{'billed' if verb == 'bill' else 'paid' if verb == 'pay' else 'sent back'}; "
            f"{doc.key} would {verb} {_money(amount)} more, "
            f"{_money(already + amount - worth)} too much")
    return amount
