"""The msme feature's tables, on the one metadata of tables.py.

- ISA / MSA: gw_msme_inventory (a company's reported stock of an item),
  gw_msme_manufacturing (a company's reported progress on one of its orders);
- re-order: gw_msme_reorder_policy (EOQ and re-order point per company and
  item, and when the last advice went out);
- BEA / REA: gw_msme_bom_line, gw_msme_routing_step;
- the parallelizer: gw_msme_supplier_offer (what a supplier offers of an
  item, at what price, from where), gw_msme_parallel_order and its parts
  (each a line of a purchase order in the TDIN);
- the negotiator: gw_msme_customization (a supplier's predefined ones),
  gw_msme_negotiation and its gw_msme_negotiation_message rows;
- the tracker: gw_msme_alert (one row per order, supplier and kind: raised once).

Migration 0007 creates them.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Date, ForeignKey, Integer, String, Table, UniqueConstraint,
)

from .tables import IdType, Micro, UtcDateTime, metadata

inventory = Table(
    "gw_msme_inventory", metadata,
    Column("company", String(32), ForeignKey("gw_company.code"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("on_hand", Micro, nullable=False),
    Column("unit", String(8), nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
)

manufacturing = Table(
    "gw_msme_manufacturing", metadata,
    Column("instance_id", IdType, ForeignKey("gw_instance.id"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("company", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("quantity", Micro, nullable=False),
    Column("completed", Micro, nullable=False),
    Column("status", String(16), nullable=False),     # Planned, InProgress, Completed
    Column("expected_completion", Date, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
)

reorder_policy = Table(
    "gw_msme_reorder_policy", metadata,
    Column("company", String(32), ForeignKey("gw_company.code"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("order_quantity", Micro, nullable=False),
    Column("reorder_point", Micro, nullable=False),
    Column("safety_stock", Micro, nullable=False),
    Column("computed_at", UtcDateTime, nullable=False),
    # Set when an advice is sent, cleared when stock rises above the point again:
    # one advice per time the point is reached.
    Column("advised_at", UtcDateTime),
)

bom_line = Table(
    "gw_msme_bom_line", metadata,
    Column("company", String(32), ForeignKey("gw_company.code"), primary_key=True),
    Column("parent", String(64), primary_key=True),
    Column("component", String(64), primary_key=True),
    Column("quantity_per", Micro, nullable=False),
    Column("unit", String(8), nullable=False),
    Column("supplier", String(32), ForeignKey("gw_company.code")),  # NULL: made in-house
)

routing_step = Table(
    "gw_msme_routing_step", metadata,
    Column("company", String(32), ForeignKey("gw_company.code"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("work_centre", String(64), nullable=False),
    Column("days", Micro, nullable=False),
)

supplier_offer = Table(
    "gw_msme_supplier_offer", metadata,
    Column("supplier", String(32), ForeignKey("gw_company.code"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("unit_price", Micro, nullable=False),
    Column("available", Micro, nullable=False),
    Column("lead_time_days", Integer),               # NULL: the agreement's
    Column("latitude", Micro, nullable=False),       # where it ships from, in degrees
    Column("longitude", Micro, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
)

parallel_order = Table(
    "gw_msme_parallel_order", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("buyer", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("message_id", String(64), nullable=False),  # the ParallelizeOrder that placed it
    Column("item", String(64), nullable=False),
    Column("required", Micro, nullable=False),
    Column("immediate", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("buyer", "message_id", name="uq_gw_msme_parallel_order_message"),
)

parallel_part = Table(
    "gw_msme_parallel_part", metadata,
    Column("order_id", IdType, ForeignKey("gw_msme_parallel_order.id"), primary_key=True),
    Column("part_no", Integer, primary_key=True),
    Column("supplier", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("instance_id", IdType, ForeignKey("gw_instance.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("quantity", Micro, nullable=False),
    Column("due", Date, nullable=False),
)

customization = Table(
    "gw_msme_customization", metadata,
    Column("supplier", String(32), ForeignKey("gw_company.code"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("description", String(512), nullable=False),
    Column("unit_price", Micro, nullable=False),
    Column("days", Integer, nullable=False),
)

negotiation = Table(
    "gw_msme_negotiation", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("buyer", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("supplier", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("item", String(64), nullable=False),
    Column("quantity", Micro, nullable=False),
    Column("state", String(12), nullable=False),     # Open, Agreed, Refused
    Column("customization", String(64)),             # the predefined one chosen, if any
    Column("description", String(512), nullable=False),
    Column("unit_price", Micro),                     # the agreed (or last proposed) terms
    Column("days", Integer),
    Column("order_instance_id", IdType, ForeignKey("gw_instance.id")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

negotiation_message = Table(
    "gw_msme_negotiation_message", metadata,
    Column("negotiation_id", IdType, ForeignKey("gw_msme_negotiation.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("sender", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("action", String(12), nullable=False),    # Request, Propose, Accept, Refuse
    Column("unit_price", Micro),
    Column("days", Integer),
    Column("text", String(512)),
    Column("at", UtcDateTime, nullable=False),
)

alert = Table(
    "gw_msme_alert", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("instance_id", IdType, ForeignKey("gw_instance.id"), nullable=False),
    Column("kind", String(16), nullable=False),      # DeliveryDueSoon, DeliveryOverdue
    Column("buyer", String(32), ForeignKey("gw_company.code"), nullable=False, index=True),
    Column("supplier", String(32), ForeignKey("gw_company.code"), nullable=False, index=True),
    Column("due", Date, nullable=False),
    Column("remaining", Micro, nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
    UniqueConstraint("instance_id", "kind", name="uq_gw_msme_alert_instance_kind"),
)
