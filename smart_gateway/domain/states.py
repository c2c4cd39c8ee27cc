"""The propagation state model of a transaction propagation agent (SMART, Figure 3).

The whole table of allowed transitions lives here and nowhere else.  A pair
that is not in the table is an illegal transition: ``advance`` refuses it and
the caller changes nothing.
"""
from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final, Mapping

from .errors import IllegalTransition


class State(StrEnum):
    # Not in the paper's figure: the agent is registered and queued at the
    # headquarter but has not arrived at the receiver yet.  The paper's first
    # state, Received, only holds once the receiver has the message.
    DISPATCHED = "Dispatched"
    RECEIVED = "Received"
    APPROVED = "Approved"
    PENDING_APPROVAL = "PendingApproval"
    CREATED = "Created"
    PARTIALLY_REFERENCED = "PartiallyReferenced"
    COMPLETELY_REFERENCED = "CompletelyReferenced"
    MODIFIED = "Modified"
    CONFIRMED = "Confirmed"
    CANCELED = "Canceled"


class Event(StrEnum):
    RECEIVE = "receive"            # pushed to the receiver, or fetched by it
    APPROVE = "approve"            # business rules hold, or a manager approved
    HOLD = "hold"                  # business rules fail: wait for a manager
    REJECT = "reject"              # a manager refused the pending transaction
    CREATE = "create"              # the receiver's document exists
    REFERENCE_PART = "reference_part"  # successors reference part of the quantity
    REFERENCE_ALL = "reference_all"    # successors reference all of it
    MODIFY = "modify"
    CONFIRM = "confirm"
    CANCEL = "cancel"
    # A successor that referenced the instance was cut or cancelled (a short
    # or cancelled delivery): part of what was referenced, or all of it, is
    # free again.
    RELEASE_PART = "release_part"
    RELEASE_ALL = "release_all"


S, E = State, Event

TRANSITIONS: Final[Mapping[tuple[State, Event], State]] = MappingProxyType({
    (S.DISPATCHED, E.RECEIVE): S.RECEIVED,
    (S.DISPATCHED, E.CANCEL): S.CANCELED,
    (S.RECEIVED, E.APPROVE): S.APPROVED,
    (S.RECEIVED, E.HOLD): S.PENDING_APPROVAL,
    (S.RECEIVED, E.CANCEL): S.CANCELED,
    (S.PENDING_APPROVAL, E.APPROVE): S.APPROVED,
    (S.PENDING_APPROVAL, E.REJECT): S.CANCELED,
    (S.PENDING_APPROVAL, E.CANCEL): S.CANCELED,
    (S.APPROVED, E.CREATE): S.CREATED,
    (S.APPROVED, E.CANCEL): S.CANCELED,
    (S.CREATED, E.REFERENCE_PART): S.PARTIALLY_REFERENCED,
    (S.CREATED, E.REFERENCE_ALL): S.COMPLETELY_REFERENCED,
    (S.CREATED, E.MODIFY): S.MODIFIED,
    (S.CREATED, E.CANCEL): S.CANCELED,
    # A second partial delivery keeps the instance partially referenced.
    (S.PARTIALLY_REFERENCED, E.REFERENCE_PART): S.PARTIALLY_REFERENCED,
    (S.PARTIALLY_REFERENCED, E.REFERENCE_ALL): S.COMPLETELY_REFERENCED,
    (S.MODIFIED, E.CONFIRM): S.CONFIRMED,
    (S.MODIFIED, E.CANCEL): S.CANCELED,
    (S.CONFIRMED, E.REFERENCE_PART): S.PARTIALLY_REFERENCED,
    (S.CONFIRMED, E.REFERENCE_ALL): S.COMPLETELY_REFERENCED,
    (S.CONFIRMED, E.MODIFY): S.MODIFIED,
    (S.CONFIRMED, E.CANCEL): S.CANCELED,
    # Abnormal propagation (cascade/): an instance already referenced may still
    # change, down to what its successors reference; a change on top of one
    # not yet confirmed keeps it Modified.
    (S.PARTIALLY_REFERENCED, E.MODIFY): S.MODIFIED,
    (S.COMPLETELY_REFERENCED, E.MODIFY): S.MODIFIED,
    (S.MODIFIED, E.MODIFY): S.MODIFIED,
    # What successors referenced shrinks: back to partially referenced, or, with
    # nothing referenced any more, the instance stands as Confirmed.
    (S.PARTIALLY_REFERENCED, E.RELEASE_PART): S.PARTIALLY_REFERENCED,
    (S.PARTIALLY_REFERENCED, E.RELEASE_ALL): S.CONFIRMED,
    (S.COMPLETELY_REFERENCED, E.RELEASE_PART): S.PARTIALLY_REFERENCED,
    (S.COMPLETELY_REFERENCED, E.RELEASE_ALL): S.CONFIRMED,
    (S.MODIFIED, E.RELEASE_PART): S.MODIFIED,
    (S.MODIFIED, E.RELEASE_ALL): S.MODIFIED,
})


def advance(state: State, event: Event) -> State:
    """The state after ``event``; raises IllegalTransition for a pair not in the table."""
    if (nxt := TRANSITIONS.get((state, event))) is None:
        raise IllegalTransition(
            f"a transaction in state {state.value} cannot take the event "
            f"'{event.value}'; allowed from {state.value}: "
            f"{', '.join(sorted(e.value for (s, e) in TRANSITIONS if s is state)) or 'nothing (terminal)'}"
        )
    return nxt


def reference_event(referenced: "object", total: "object") -> Event:
    """REFERENCE_ALL once successors cover the whole quantity, else REFERENCE_PART."""
    return Event.REFERENCE_ALL if referenced >= total else Event.REFERENCE_PART  # type: ignore[operator]


def release_event(referenced: "object") -> Event:
    """RELEASE_ALL once successors reference nothing any more, else RELEASE_PART."""
    return Event.RELEASE_ALL if not referenced else Event.RELEASE_PART
