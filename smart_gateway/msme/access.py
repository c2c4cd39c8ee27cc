"""Who may do what with the MSME services, in one place.

A company reports and asks for itself only; the administrator may read any
company's data but reports for none.  What a company learns about others is
limited to itself and its direct partners (companies it has an agreement
with): further tiers appear by tier, without their code.
"""
from __future__ import annotations

from sqlalchemy import Connection, or_, select

from ..domain.errors import Unauthorized, UnknownReference
from ..hq import store
from ..hq.actor import Actor
from ..persistence.tables import agreement, company


def require_company(conn: Connection, code: str) -> dict:
    row = store.get_company(conn, code)
    if row is None:
        raise UnknownReference(f"company {code} is not registered in the network")
    return row


def acting_as(conn: Connection, actor: Actor, code: str, *, what: str) -> dict:
    """``actor`` writes for ``code``: only the company itself may."""
    if actor.is_admin or not actor.acts_as(code):
        raise Unauthorized(f"user '{actor.username}' may {what} only for its own company "
                           f"({actor.company or 'none: administrator'}), not for {code}")
    return require_company(conn, code)


def reading(conn: Connection, actor: Actor, code: str, *, what: str) -> dict:
    """``actor`` reads ``code``'s data: the company itself or the administrator."""
    if not actor.is_admin and not actor.acts_as(code):
        raise Unauthorized(f"user '{actor.username}' may {what} only of its own company "
                           f"({actor.company}), not of {code}")
    return require_company(conn, code)


def visible_companies(conn: Connection, actor: Actor) -> set[str] | None:
    """The companies ``actor`` may see by name; None: all (the administrator)."""
    if actor.is_admin:
        return None
    me = actor.company
    rows = conn.execute(select(agreement.c.buyer, agreement.c.supplier).where(
        or_(agreement.c.buyer == me, agreement.c.supplier == me))).all()
    return {me, *(b for b, _ in rows), *(s for _, s in rows)}


def tiers(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(select(company.c.code, company.c.tier)).all())


def lead_time(conn: Connection, buyer: str, supplier: str) -> int | None:
    row = store.get_agreement(conn, buyer, supplier)
    return None if row is None else row["lead_time_days"]
