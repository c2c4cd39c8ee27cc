"""A simulated ERP: one company's order-to-delivery behaviour, over SOAP only.

It sees the gateway exactly as a partner does: zeep calls to SubmitTransaction,
FetchInbox (pull companies) and Acknowledge, and messages pushed to its
partner server (push companies).  Behaviour per step():

- an order arrives: business rules (item sold here, unit price given) ->
  Approved (else PendingApproval, and it waits for a manager), then Created
  with its own sales order number;
- the sales order is served from finished stock where possible; the rest is
  exploded over the BOM, components are taken from stock, and each shortfall
  becomes a PurchaseOrder to the component's supplier that references the
  sales order (leagile: what stock covers triggers no order, the TDIN ends);
- a delivery arrives: Approved, Created with a receiving number, goods to stock;
- a sales order whose components are all at hand ships, in one Delivery or in
  two (60 % then 40 %, whole units), each referencing the sales order;
- an acknowledgement tells the ERP its partner's document number; once a
  Delivery is acknowledged Created by the buyer, the supplier invoices it: an
  AccountReceivable to the buyer, referencing that Delivery, for the delivered
  quantity at the agreed unit price;
- an invoice arrives: Approved, Created with an AccountPayable number, and the
  payable is paid in full at once: a Payment to the supplier referencing it;
- a payment arrives: Approved, Created with a Receipt number;
- a company told to (``return_first_receiving``) sends back a few units of the
  first goods it receives: a Return to the supplier referencing its Receiving;
- a return arrives: Approved, Created with a ReturnReceiving number, goods
  back to stock.
"""
from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Callable

import zeep
from lxml import etree

from ..messages.schema import NS

_Q = "{%s}" % NS
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


@dataclass(frozen=True)
class BomLine:
    component: str
    per_unit: Decimal
    supplier: str


@dataclass
class SalesOrder:
    number: str
    buyer: str
    item: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    currency: str | None
    needs: dict[str, Decimal] = field(default_factory=dict)       # component -> still missing
    from_stock: Decimal = Decimal(0)
    shipped: bool = False


@dataclass
class Received:
    """One inbound message, reduced to what the ERP acts on."""
    message_id: str
    kind: str
    agent_id: str
    sender: str
    element: etree._Element

    @classmethod
    def of(cls, el: etree._Element) -> "Received":
        return cls(el.findtext(_Q + "messageId"), el.findtext(_Q + "kind"),
                   el.findtext(_Q + "agentId"), el.findtext(_Q + "sender"), el)


@dataclass(frozen=True)
class Shipped:
    """A Delivery sent, kept until it is invoiced."""
    buyer: str
    item: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    currency: str | None


class SimulatedErp:
    """One company's ERP; ``inbox`` returns its new InboxMessage elements (push queue or None)."""

    def __init__(self, code: str, username: str, secret: str, gateway_client: zeep.Client, *,
                 stock: dict[str, Decimal | int] | None = None,
                 bom: dict[str, list[tuple[str, Decimal | int, str]]] | None = None,
                 prices: dict[tuple[str, str], Decimal] | None = None,
                 sells: set[str] | None = None, split_shipments: bool = False,
                 currency: str = "USD", return_first_receiving: Decimal | int | None = None,
                 push_inbox: Callable[[], list[etree._Element]] | None = None) -> None:
        self.code, self.username, self.secret = code, username, secret
        self.client = gateway_client
        self.stock: dict[str, Decimal] = {k: Decimal(v) for k, v in (stock or {}).items()}
        self.bom = {item: [BomLine(c, Decimal(q), s) for c, q, s in lines]
                    for item, lines in (bom or {}).items()}
        self.prices = dict(prices or {})          # (supplier, item) -> unit price
        self.sells = set(sells if sells is not None else set(self.bom) | set(self.stock))
        self.split_shipments = split_shipments
        self.currency = currency
        self.push_inbox = push_inbox
        # units of the first receiving sent back to the supplier (one Return), if any
        self.return_first_receiving = (Decimal(return_first_receiving)
                                       if return_first_receiving else None)
        self.sales_orders: list[SalesOrder] = []
        self.purchase_orders: dict[str, tuple[str, str, Decimal]] = {}  # number -> (supplier, item, qty)
        self.deliveries: list[str] = []
        self.receivings: list[str] = []
        self.shipped: dict[str, Shipped] = {}        # delivery number -> what it carried
        self.invoices: dict[str, str] = {}           # AccountReceivable -> the Delivery it bills
        self.payables: list[str] = []
        self.payments: dict[str, str] = {}           # Payment -> the AccountPayable it pays
        self.receipts: list[str] = []
        self.returns: dict[str, str] = {}            # Return -> the Receiving it sends back from
        self.return_receivings: list[str] = []
        self.partner_documents: dict[str, str] = {}  # own key -> partner's document key
        self.pending_approval: list[str] = []
        self.processed: set[str] = set()
        self.notices: list[etree._Element] = []
        self._seq = itertools.count(1)
        self._numbers: dict[str, itertools.count] = {}
        self.log: list[str] = []
        self.unconfirmed: list[str] = []

    # ------------------------------------------------------------------ plumbing

    def _message_id(self) -> str:
        return f"{self.code}-{next(self._seq):05d}-{uuid.uuid4().hex[:10]}"

    def _number(self, prefix: str) -> str:
        counter = self._numbers.setdefault(prefix, itertools.count(1))
        return f"{self.code}-{prefix}-{next(counter):04d}"

    def _fetch(self) -> list[etree._Element]:
        if self.push_inbox is not None:
            return self.push_inbox()
        out: list[etree._Element] = []
        # Confirm what the previous steps processed; what this fetch hands out
        # is confirmed on the next one, after it has been processed.
        confirm, self.unconfirmed = self.unconfirmed[:100], self.unconfirmed[100:]
        while True:
            with self.client.settings(raw_response=True):
                response = self.client.service.FetchInbox(maxMessages=100, confirm=confirm)
            confirm = []
            response.raise_for_status()
            body = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body")
            found = body.find(_Q + "FetchInboxResponse")
            messages = found.findall(_Q + "message")
            out.extend(messages)
            if not messages or int(found.findtext(_Q + "remaining") or 0) == 0:
                return out

    def _ack(self, agent_id: str, state: str, number: str | None = None,
             reason: str | None = None) -> object:
        return self.client.service.Acknowledge(messageId=self._message_id(), agentId=agent_id,
                                               state=state, documentNumber=number, reason=reason)

    def _approve_and_create(self, agent_id: str, prefix: str) -> str:
        """Acknowledge Approved, then Created with a new number of ours; returns the number."""
        self._ack(agent_id, "Approved")
        number = self._number(prefix)
        self._ack(agent_id, "Created", number)
        return number

    def _submit(self, document: dict) -> object:
        return self.client.service.SubmitTransaction(messageId=self._message_id(),
                                                     document=document)

    # ------------------------------------------------------------------ behaviour

    def step(self) -> int:
        """Handle every waiting message, then ship what can ship; returns how much happened."""
        done = 0
        for el in self._fetch():
            msg = Received.of(el)
            if self.push_inbox is None:
                self.unconfirmed.append(msg.message_id)
            if msg.message_id in self.processed:
                continue
            self.processed.add(msg.message_id)
            if msg.kind == "Acknowledgement":
                self._on_ack(msg)
            elif msg.kind == "Notice":
                self.notices.append(msg.element)  # for a person to read; nothing to do
            elif el.findtext(_Q + "counterpartType") == "SalesOrder":
                self._on_order(msg)
            elif el.findtext(_Q + "counterpartType") == "Receiving":
                self._on_delivery(msg)
            elif el.findtext(_Q + "counterpartType") == "AccountPayable":
                self._on_invoice(msg)
            elif el.findtext(_Q + "counterpartType") == "Receipt":
                self._on_payment(msg)
            elif el.findtext(_Q + "counterpartType") == "ReturnReceiving":
                self._on_return(msg)
            done += 1
        return done + self._ship_ready()

    def _on_ack(self, msg: Received) -> None:
        ack = msg.element.find(_Q + "acknowledgement")
        mine, theirs = ack.find(_Q + "senderDocument"), ack.find(_Q + "receiverDocument")
        if theirs is not None:
            key = ".".join(mine.findtext(_Q + p) for p in ("company", "type", "number"))
            self.partner_documents[key] = ".".join(
                theirs.findtext(_Q + p) for p in ("company", "type", "number"))
        state, number = ack.findtext(_Q + "state"), mine.findtext(_Q + "number")
        self.log.append(f"ack {state} for {number}")
        if state == "Created" and mine.findtext(_Q + "type") == "Delivery" \
                and mine.findtext(_Q + "company") == self.code and number in self.shipped:
            self._invoice(number)

    def _invoice(self, delivery: str) -> None:
        """Bill an acknowledged delivery: what it carried, at the agreed price."""
        sent = self.shipped.pop(delivery)
        number = self._number("AR")
        line = {"lineNumber": 1, "item": sent.item, "quantity": sent.quantity, "unit": sent.unit}
        if sent.unit_price is not None:
            line["unitPrice"] = sent.unit_price
        self._submit({"type": "AccountReceivable", "number": number, "company": self.code,
                      "partner": sent.buyer, "issueDate": dt.date.today(),
                      "currency": sent.currency, "line": [line],
                      "reference": [{"company": self.code, "type": "Delivery",
                                     "number": delivery, "quantity": sent.quantity}]})
        self.invoices[number] = delivery

    def _on_invoice(self, msg: Received) -> None:
        """Book the invoice as a payable and pay it in full."""
        payable = self._approve_and_create(msg.agent_id, "AP")
        self.payables.append(payable)
        doc = msg.element.find(_Q + "document")
        lines = []
        for n, x in enumerate(doc.findall(_Q + "line"), start=1):
            line = {"lineNumber": n, "item": x.findtext(_Q + "item"),
                    "quantity": Decimal(x.findtext(_Q + "quantity")), "unit": x.findtext(_Q + "unit")}
            if price := x.findtext(_Q + "unitPrice"):
                line["unitPrice"] = Decimal(price)
            lines.append(line)
        total = sum((ln["quantity"] for ln in lines), Decimal(0))
        number = self._number("PY")
        self._submit({"type": "Payment", "number": number, "company": self.code,
                      "partner": msg.sender, "issueDate": dt.date.today(),
                      "currency": doc.findtext(_Q + "currency"), "line": lines,
                      "reference": [{"company": self.code, "type": "AccountPayable",
                                     "number": payable, "quantity": total}]})
        self.payments[number] = payable

    def _on_payment(self, msg: Received) -> None:
        number = self._approve_and_create(msg.agent_id, "RP")
        self.receipts.append(number)

    def _on_return(self, msg: Received) -> None:
        number = self._approve_and_create(msg.agent_id, "RR")
        self.return_receivings.append(number)
        for line in msg.element.find(_Q + "document").findall(_Q + "line"):
            item = line.findtext(_Q + "item")
            self.stock[item] = self.stock.get(item, Decimal(0)) + Decimal(line.findtext(_Q + "quantity"))

    def _on_order(self, msg: Received) -> None:
        doc = msg.element.find(_Q + "document")
        line = doc.find(_Q + "line")
        item, price = line.findtext(_Q + "item"), line.findtext(_Q + "unitPrice")
        if item not in self.sells or not price:
            why = f"item {item} is not sold by {self.code}" if item not in self.sells \
                else "the order line carries no unit price"
            self._ack(msg.agent_id, "PendingApproval", reason=why)
            self.pending_approval.append(msg.agent_id)
            return
        number = self._approve_and_create(msg.agent_id, "SO")
        so = SalesOrder(number=number, buyer=msg.sender, item=item,
                        quantity=sum(Decimal(x.findtext(_Q + "quantity"))
                                     for x in doc.findall(_Q + "line")),
                        unit=line.findtext(_Q + "unit"), unit_price=Decimal(price),
                        currency=doc.findtext(_Q + "currency"))
        self.sales_orders.append(so)
        self._plan(so)

    def _plan(self, so: SalesOrder) -> None:
        """Serve from finished stock first; order the shortfall of each component."""
        so.from_stock = min(self.stock.get(so.item, Decimal(0)), so.quantity)
        self.stock[so.item] = self.stock.get(so.item, Decimal(0)) - so.from_stock
        to_make = so.quantity - so.from_stock
        for bl in self.bom.get(so.item, []) if to_make > 0 else []:
            required = to_make * bl.per_unit
            taken = min(self.stock.get(bl.component, Decimal(0)), required)
            self.stock[bl.component] = self.stock.get(bl.component, Decimal(0)) - taken
            short = required - taken
            if short > 0:
                so.needs[bl.component] = short
                self._order(so, bl, short)

    def _order(self, so: SalesOrder, bl: BomLine, qty: Decimal) -> None:
        number = self._number("PO")
        line = {"lineNumber": 1, "item": bl.component, "quantity": qty, "unit": "EA"}
        if (price := self.prices.get((bl.supplier, bl.component))) is not None:
            line["unitPrice"] = price
        self._submit({"type": "PurchaseOrder", "number": number, "company": self.code,
                      "partner": bl.supplier, "issueDate": dt.date.today(),
                      "currency": self.currency, "line": [line],
                      "reference": [{"company": self.code, "type": "SalesOrder",
                                     "number": so.number}]})
        self.purchase_orders[number] = (bl.supplier, bl.component, qty)

    def _on_delivery(self, msg: Received) -> None:
        number = self._approve_and_create(msg.agent_id, "RC")
        self.receivings.append(number)
        doc = msg.element.find(_Q + "document")
        for line in doc.findall(_Q + "line"):
            self._receive_goods(line.findtext(_Q + "item"), Decimal(line.findtext(_Q + "quantity")))
        if self.return_first_receiving and not self.returns:
            self._return(number, msg.sender, doc)

    def _return(self, receiving: str, supplier: str, doc: etree._Element) -> None:
        """Send a few units of a receiving back to the supplier that delivered them."""
        line = doc.find(_Q + "line")
        item = line.findtext(_Q + "item")
        qty = min(self.return_first_receiving, Decimal(line.findtext(_Q + "quantity")),
                  self.stock.get(item, Decimal(0)))
        if qty <= 0:
            return
        number = self._number("RT")
        self._submit({"type": "Return", "number": number, "company": self.code,
                      "partner": supplier, "issueDate": dt.date.today(),
                      "currency": doc.findtext(_Q + "currency"),
                      "line": [{"lineNumber": 1, "item": item, "quantity": qty,
                                "unit": line.findtext(_Q + "unit")}],
                      "reference": [{"company": self.code, "type": "Receiving",
                                     "number": receiving, "quantity": qty}]})
        self.stock[item] -= qty
        self.returns[number] = receiving

    def _receive_goods(self, item: str, qty: Decimal) -> None:
        """Goods go to the sales orders waiting for them, oldest first; the rest to stock.

        Allocating on arrival (not when planning a later order) keeps what was
        ordered for one sales order from being taken by the next one.
        """
        for so in self.sales_orders:
            missing = so.needs.get(item, Decimal(0))
            if so.shipped or missing <= 0 or qty <= 0:
                continue
            taken = min(missing, qty)
            so.needs[item] = missing - taken
            qty -= taken
        self.stock[item] = self.stock.get(item, Decimal(0)) + qty

    def _ship_ready(self) -> int:
        shipped = 0
        for so in self.sales_orders:
            if so.shipped:
                continue
            if any(v > 0 for v in so.needs.values()):
                continue
            self._ship(so)
            shipped += 1
        return shipped

    def _ship(self, so: SalesOrder) -> None:
        parts = [so.quantity]
        if self.split_shipments and so.quantity >= 2:
            first = (so.quantity * Decimal("0.6")).to_integral_value(ROUND_FLOOR)
            parts = [first, so.quantity - first]
        for qty in parts:
            number = self._number("DL")
            line = {"lineNumber": 1, "item": so.item, "quantity": qty, "unit": so.unit}
            if so.unit_price is not None:
                line["unitPrice"] = so.unit_price
            self._submit({"type": "Delivery", "number": number, "company": self.code,
                          "partner": so.buyer, "issueDate": dt.date.today(),
                          "currency": so.currency, "line": [line],
                          "reference": [{"company": self.code, "type": "SalesOrder",
                                         "number": so.number, "quantity": qty}]})
            self.deliveries.append(number)
            self.shipped[number] = Shipped(so.buyer, so.item, qty, so.unit, so.unit_price,
                                           so.currency)
        so.shipped = True

    def place_order(self, supplier: str, item: str, qty: Decimal | int,
                    unit_price: Decimal | None = None) -> str:
        """A top-level purchase order (the mother company starting the network)."""
        number = self._number("PO")
        line = {"lineNumber": 1, "item": item, "quantity": Decimal(qty), "unit": "EA"}
        price = unit_price if unit_price is not None else self.prices.get((supplier, item))
        if price is not None:
            line["unitPrice"] = price
        self._submit({"type": "PurchaseOrder", "number": number, "company": self.code,
                      "partner": supplier, "issueDate": dt.date.today(),
                      "currency": self.currency, "line": [line]})
        self.purchase_orders[number] = (supplier, item, Decimal(qty))
        return number
