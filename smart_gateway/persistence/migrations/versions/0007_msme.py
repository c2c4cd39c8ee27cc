"""The msme feature's tables: inventory, manufacturing status, re-order policies,
bills of materials and routings, supplier offers, parallel orders, negotiations and alerts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Quantities are BigInteger millionths and instants timezone-aware UTC: see tables.py.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def MICRO():
    return sa.BigInteger()


def AT():
    return sa.DateTime(timezone=True)


def _company(name="company", **kw):
    return sa.Column(name, sa.String(32), **kw)


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [target],
                                   name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))


TABLES = ("gw_msme_alert", "gw_msme_negotiation_message", "gw_msme_negotiation",
          "gw_msme_customization", "gw_msme_parallel_part", "gw_msme_parallel_order",
          "gw_msme_supplier_offer",
          "gw_msme_routing_step", "gw_msme_bom_line", "gw_msme_reorder_policy",
          "gw_msme_manufacturing", "gw_msme_inventory")


def upgrade() -> None:
    t = "gw_msme_inventory"
    op.create_table(
        t, _company(nullable=False), sa.Column("item", sa.String(64), nullable=False),
        sa.Column("on_hand", MICRO(), nullable=False), sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("reported_at", AT(), nullable=False),
        _fk(t, "company", "gw_company.code"),
        sa.PrimaryKeyConstraint("company", "item", name=op.f(f"pk_{t}")))
    t = "gw_msme_manufacturing"
    op.create_table(
        t, sa.Column("instance_id", ID, nullable=False),
        sa.Column("item", sa.String(64), nullable=False), _company(nullable=False),
        sa.Column("quantity", MICRO(), nullable=False),
        sa.Column("completed", MICRO(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expected_completion", sa.Date(), nullable=False),
        sa.Column("reported_at", AT(), nullable=False),
        _fk(t, "instance_id", "gw_instance.id"), _fk(t, "company", "gw_company.code"),
        sa.PrimaryKeyConstraint("instance_id", "item", name=op.f(f"pk_{t}")))
    t = "gw_msme_reorder_policy"
    op.create_table(
        t, _company(nullable=False), sa.Column("item", sa.String(64), nullable=False),
        sa.Column("order_quantity", MICRO(), nullable=False),
        sa.Column("reorder_point", MICRO(), nullable=False),
        sa.Column("safety_stock", MICRO(), nullable=False),
        sa.Column("computed_at", AT(), nullable=False),
        sa.Column("advised_at", AT(), nullable=True),
        _fk(t, "company", "gw_company.code"),
        sa.PrimaryKeyConstraint("company", "item", name=op.f(f"pk_{t}")))
    t = "gw_msme_bom_line"
    op.create_table(
        t, _company(nullable=False), sa.Column("parent", sa.String(64), nullable=False),
        sa.Column("component", sa.String(64), nullable=False),
        sa.Column("quantity_per", MICRO(), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        _company("supplier", nullable=True),
        _fk(t, "company", "gw_company.code"), _fk(t, "supplier", "gw_company.code"),
        sa.PrimaryKeyConstraint("company", "parent", "component", name=op.f(f"pk_{t}")))
    t = "gw_msme_routing_step"
    op.create_table(
        t, _company(nullable=False), sa.Column("item", sa.String(64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("work_centre", sa.String(64), nullable=False),
        sa.Column("days", MICRO(), nullable=False),
        _fk(t, "company", "gw_company.code"),
        sa.PrimaryKeyConstraint("company", "item", "sequence", name=op.f(f"pk_{t}")))
    t = "gw_msme_supplier_offer"
    op.create_table(
        t, _company("supplier", nullable=False), sa.Column("item", sa.String(64), nullable=False),
        sa.Column("unit_price", MICRO(), nullable=False),
        sa.Column("available", MICRO(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("latitude", MICRO(), nullable=False),
        sa.Column("longitude", MICRO(), nullable=False),
        sa.Column("reported_at", AT(), nullable=False),
        _fk(t, "supplier", "gw_company.code"),
        sa.PrimaryKeyConstraint("supplier", "item", name=op.f(f"pk_{t}")))
    t = "gw_msme_parallel_order"
    op.create_table(
        t, sa.Column("id", ID, autoincrement=True, nullable=False),
        _company("buyer", nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("required", MICRO(), nullable=False),
        sa.Column("immediate", sa.Boolean(), nullable=False),
        sa.Column("created_at", AT(), nullable=False),
        _fk(t, "buyer", "gw_company.code"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("buyer", "message_id", name="uq_gw_msme_parallel_order_message"))
    t = "gw_msme_parallel_part"
    op.create_table(
        t, sa.Column("order_id", ID, nullable=False), sa.Column("part_no", sa.Integer(), nullable=False),
        _company("supplier", nullable=False), sa.Column("instance_id", ID, nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("quantity", MICRO(), nullable=False), sa.Column("due", sa.Date(), nullable=False),
        _fk(t, "order_id", "gw_msme_parallel_order.id"), _fk(t, "supplier", "gw_company.code"),
        _fk(t, "instance_id", "gw_instance.id"),
        sa.PrimaryKeyConstraint("order_id", "part_no", name=op.f(f"pk_{t}")))
    with op.batch_alter_table(t) as batch:
        batch.create_index(batch.f(f"ix_{t}_instance_id"), ["instance_id"], unique=False)
    t = "gw_msme_customization"
    op.create_table(
        t, _company("supplier", nullable=False), sa.Column("item", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("description", sa.String(512), nullable=False),
        sa.Column("unit_price", MICRO(), nullable=False), sa.Column("days", sa.Integer(), nullable=False),
        _fk(t, "supplier", "gw_company.code"),
        sa.PrimaryKeyConstraint("supplier", "item", "code", name=op.f(f"pk_{t}")))
    t = "gw_msme_negotiation"
    op.create_table(
        t, sa.Column("id", ID, autoincrement=True, nullable=False),
        _company("buyer", nullable=False), _company("supplier", nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("quantity", MICRO(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("customization", sa.String(64), nullable=True),
        sa.Column("description", sa.String(512), nullable=False),
        sa.Column("unit_price", MICRO(), nullable=True), sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("order_instance_id", ID, nullable=True),
        sa.Column("created_at", AT(), nullable=False), sa.Column("updated_at", AT(), nullable=False),
        _fk(t, "buyer", "gw_company.code"), _fk(t, "supplier", "gw_company.code"),
        _fk(t, "order_instance_id", "gw_instance.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")))
    t = "gw_msme_negotiation_message"
    op.create_table(
        t, sa.Column("negotiation_id", ID, nullable=False), sa.Column("seq", sa.Integer(), nullable=False),
        _company("sender", nullable=False), sa.Column("action", sa.String(12), nullable=False),
        sa.Column("unit_price", MICRO(), nullable=True), sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(512), nullable=True), sa.Column("at", AT(), nullable=False),
        _fk(t, "negotiation_id", "gw_msme_negotiation.id"), _fk(t, "sender", "gw_company.code"),
        sa.PrimaryKeyConstraint("negotiation_id", "seq", name=op.f(f"pk_{t}")))
    t = "gw_msme_alert"
    op.create_table(
        t, sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("instance_id", ID, nullable=False), sa.Column("kind", sa.String(16), nullable=False),
        _company("buyer", nullable=False), _company("supplier", nullable=False),
        sa.Column("due", sa.Date(), nullable=False), sa.Column("remaining", MICRO(), nullable=False),
        sa.Column("raised_at", AT(), nullable=False),
        _fk(t, "instance_id", "gw_instance.id"), _fk(t, "buyer", "gw_company.code"),
        _fk(t, "supplier", "gw_company.code"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("instance_id", "kind", name="uq_gw_msme_alert_instance_kind"))
    with op.batch_alter_table(t) as batch:
        batch.create_index(batch.f(f"ix_{t}_buyer"), ["buyer"], unique=False)
        batch.create_index(batch.f(f"ix_{t}_supplier"), ["supplier"], unique=False)


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
