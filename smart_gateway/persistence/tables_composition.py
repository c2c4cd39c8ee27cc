"""The composition feature's tables (composition jobs), on the one metadata of tables.py.

- gw_composition_job: one composition request, solved in the request (Compose)
  or outside it (SubmitComposition), with its state, its progress while it
  runs (incumbent, bound, gap), its result or failure, and the purchase
  orders placed when it was executed (JSON).  A recomposition is a job of
  its own that names the one it replaces (``parent_id``).

Migration 0006 creates them.
"""
from __future__ import annotations

from sqlalchemy import Column, Float, String, Table, Text

from .tables import UtcDateTime, metadata

composition_job = Table(
    "gw_composition_job", metadata,
    Column("id", String(40), primary_key=True),           # CMP-<32 hex>
    Column("company", String(32), index=True),             # the orchestrator; NULL: administrator
    Column("actor", String(64), nullable=False),
    Column("state", String(12), nullable=False),           # Queued, Running, Solved, Failed
    Column("request_xml", Text, nullable=False),           # the CompositionRequest as received
    Column("time_limit", Float, nullable=False),           # seconds
    Column("incumbent", Float),                            # progress: best objective so far
    Column("bound", Float),                                # progress: best bound
    Column("gap", Float),                                  # progress: relative gap
    Column("result_xml", Text),                            # the CompositionResult
    Column("failure_code", String(32)),
    Column("failure_message", Text),
    Column("parent_id", String(40)),                       # the composition this one recomposes
    Column("orders", Text),                                # JSON: purchase orders placed
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
