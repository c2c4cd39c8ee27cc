"""The cascade feature's tables: change terms, cascades and change requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _micro():
    return sa.BigInteger()


def _utc():
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gw_change_term",
        sa.Column("agreement_id", _ID, sa.ForeignKey("gw_agreement.id",
                  name="fk_gw_change_term_agreement_id_gw_agreement"), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("frozen_days", sa.Integer, nullable=False),
        sa.Column("penalty_percent", _micro(), nullable=False),
        sa.Column("penalty_fixed", _micro(), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", "item", name="pk_gw_change_term"),
    )
    op.create_table(
        "gw_cascade",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("root_instance_id", _ID, sa.ForeignKey("gw_instance.id",
                  name="fk_gw_cascade_root_instance_id_gw_instance"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("company", sa.String(32)),
        sa.Column("status", sa.String(4), nullable=False),
        sa.Column("applied", sa.Integer, nullable=False),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("penalty", _micro(), nullable=False),
        sa.Column("request_id", _ID),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gw_cascade"),
    )
    op.create_index("ix_gw_cascade_root_instance_id", "gw_cascade", ["root_instance_id"])
    op.create_table(
        "gw_change_request",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("cascade_id", sa.String(40), sa.ForeignKey("gw_cascade.id",
                  name="fk_gw_change_request_cascade_id_gw_cascade"), nullable=False),
        sa.Column("company", sa.String(32), sa.ForeignKey("gw_company.code",
                  name="fk_gw_change_request_company_gw_company"), nullable=False),
        sa.Column("order_instance_id", _ID, sa.ForeignKey("gw_instance.id",
                  name="fk_gw_change_request_order_instance_id_gw_instance"), nullable=False),
        sa.Column("counterpart_instance_id", _ID, sa.ForeignKey("gw_instance.id",
                  name="fk_gw_change_request_counterpart_instance_id_gw_instance")),
        sa.Column("order_version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("proposal", sa.Text, nullable=False),
        sa.Column("quantity", _micro(), nullable=False),
        sa.Column("penalty", _micro(), nullable=False),
        sa.Column("reason", sa.String(512), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("originator", sa.String(32)),
        sa.Column("originator_user", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("decided_at", _utc()),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decision_note", sa.String(512)),
        sa.PrimaryKeyConstraint("id", name="pk_gw_change_request"),
    )
    op.create_index("ix_gw_change_request_cascade_id", "gw_change_request", ["cascade_id"])
    op.create_index("ix_gw_change_request_company_state", "gw_change_request",
                    ["company", "state"])


def downgrade() -> None:
    op.drop_index("ix_gw_change_request_company_state", "gw_change_request")
    op.drop_index("ix_gw_change_request_cascade_id", "gw_change_request")
    op.drop_table("gw_change_request")
    op.drop_index("ix_gw_cascade_root_instance_id", "gw_cascade")
    op.drop_table("gw_cascade")
    op.drop_table("gw_change_term")
