"""DSA: EstimateDelivery, the available-to-promise date over ISA, MSA, the
BOM and the agreed lead times (atp.py does the calculation)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Connection

from ..domain.errors import Infeasible, InvalidRequest
from ..hq.actor import Actor
from . import access, reports
from .atp import NotAvailable, Step, estimate
from .bom import Lookups, cycle_fault, known_item
from .explosion import CycleError, TooLarge


class _Network:
    """The reports an estimate reads, each read once: a shared component is
    visited once per parent (atp.py keeps what each visit promised)."""

    def __init__(self, conn: Connection) -> None:
        self.conn, self.look = conn, Lookups(conn)
        self._leads: dict[tuple[str, str], int | None] = {}
        self._stock: dict[tuple[str, str], Decimal] = {}
        self._wip: dict[tuple[str, str], list] = {}

    def on_hand(self, company: str, item: str) -> Decimal:
        if (company, item) not in self._stock:
            self._stock[(company, item)] = reports.on_hand(self.conn, company, item) or Decimal(0)
        return self._stock[(company, item)]

    def work_in_progress(self, company: str, item: str):
        if (company, item) not in self._wip:
            self._wip[(company, item)] = list(reports.work_in_progress(self.conn, company, item))
        return self._wip[(company, item)]

    def bom(self, company: str, item: str):
        return self.look.bom(company, item)

    def routing_days(self, company: str, item: str) -> Decimal:
        return sum((s.days for s in self.look.routing(company, item)), Decimal(0))

    def lead_time(self, buyer: str, supplier: str) -> int | None:
        if (buyer, supplier) not in self._leads:  # asked once per bought line otherwise
            self._leads[(buyer, supplier)] = access.lead_time(self.conn, buyer, supplier)
        return self._leads[(buyer, supplier)]


def estimate_delivery(conn: Connection, actor: Actor, *, company: str, item: str,
                      quantity: Decimal, order_date: dt.date) -> Step:
    access.reading(conn, actor, company, what="estimate deliveries")
    net = _Network(conn)
    known_item(conn, net.look, company, item)
    try:
        return estimate(net, company, item, quantity, order_date)
    except CycleError as exc:
        raise cycle_fault(exc.loop) from None
    except NotAvailable as exc:
        raise Infeasible(str(exc)) from None
    except TooLarge as exc:
        raise InvalidRequest(str(exc)) from None
    except OverflowError as exc:  # a date past 9999
        raise InvalidRequest(f"the estimate runs past the calendar: {exc}") from None
