"""The cascade feature's tables (change terms, change requests and cascades), on the one metadata of tables.py.

- gw_change_term: per agreement and item ('*' for every item of the
  agreement), the supplier's frozen horizon and the penalty a change inside
  it, or past its decoupling point, costs the one who asks for it;
- gw_cascade: every applied update or cancellation, with its plan as JSON (the
  log that shows what a cascade did, instance by instance);
- gw_change_request: the change-with-penalty frontier of a cascade, waiting
  for the supplier concerned to accept or reject it.

Migration 0005 creates them.
"""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from .tables import IdType, Micro, UtcDateTime, metadata

change_term = Table(
    "gw_change_term", metadata,
    Column("agreement_id", IdType, ForeignKey("gw_agreement.id"), primary_key=True),
    Column("item", String(64), primary_key=True),        # '*': every item of the agreement
    Column("frozen_days", Integer, nullable=False, default=0),
    Column("penalty_percent", Micro, nullable=False, default=0),  # of the changed value
    Column("penalty_fixed", Micro, nullable=False, default=0),    # per changed line
)

cascade = Table(
    "gw_cascade", metadata,
    Column("id", String(40), primary_key=True),
    Column("root_instance_id", IdType, ForeignKey("gw_instance.id"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),          # update or cancel
    Column("actor", String(64), nullable=False),
    Column("company", String(32)),                      # the originator; NULL: administrator
    Column("status", String(4), nullable=False),        # CWG or CWP
    Column("applied", Integer, nullable=False),         # instances changed
    Column("requests", Integer, nullable=False),        # change requests opened
    Column("penalty", Micro, nullable=False),
    Column("request_id", IdType),                       # the accepted request it continues
    Column("created_at", UtcDateTime, nullable=False),
    Column("plan", Text, nullable=False),               # JSON: every step as applied
)

change_request = Table(
    "gw_change_request", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("cascade_id", String(40), ForeignKey("gw_cascade.id"), nullable=False, index=True),
    Column("company", String(32), ForeignKey("gw_company.code"), nullable=False),  # decides
    Column("order_instance_id", IdType, ForeignKey("gw_instance.id"), nullable=False),
    Column("counterpart_instance_id", IdType, ForeignKey("gw_instance.id")),
    Column("order_version", Integer, nullable=False),
    Column("kind", String(8), nullable=False),          # update or cancel
    Column("proposal", Text, nullable=False),           # JSON: lines and date asked for
    Column("quantity", Micro, nullable=False),          # the order's quantity asked for
    Column("penalty", Micro, nullable=False),
    Column("reason", String(512), nullable=False),
    Column("state", String(12), nullable=False),        # pending, accepted, rejected
    Column("originator", String(32)),                   # company told of the decision
    Column("originator_user", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime),
    Column("decided_by", String(64)),
    Column("decision_note", String(512)),
    Index("ix_gw_change_request_company_state", "company", "state"),
)
