"""When the order tracker alerts (003 section 3.4), as a pure rule.

An order line still owed (remaining quantity > 0) with a last delivery date:
- DeliveryDueSoon from three days before that date until the date itself;
- DeliveryOverdue once the date has passed and something is still owed.
Each alert is raised once per order and supplier: the caller passes what was
already raised.  An order first seen after its date gets only the overdue
alert, since "due soon" would then be untrue.

Standard library only.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

DUE_SOON = "DeliveryDueSoon"
OVERDUE = "DeliveryOverdue"
WARNING_DAYS = 3


def alerts_due(*, due: dt.date, today: dt.date, remaining: Decimal,
               already: frozenset[str] | set[str] = frozenset()) -> list[str]:
    if remaining <= 0:
        return []
    out = []
    if today > due:
        if OVERDUE not in already:
            out.append(OVERDUE)
    elif today >= due - dt.timedelta(days=WARNING_DAYS) and DUE_SOON not in already:
        out.append(DUE_SOON)
    return out
