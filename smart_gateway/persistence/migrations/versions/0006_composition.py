"""The composition feature's tables: composition jobs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _utc():
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gw_composition_job",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("company", sa.String(32)),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("request_xml", sa.Text, nullable=False),
        sa.Column("time_limit", sa.Float, nullable=False),
        sa.Column("incumbent", sa.Float),
        sa.Column("bound", sa.Float),
        sa.Column("gap", sa.Float),
        sa.Column("result_xml", sa.Text),
        sa.Column("failure_code", sa.String(32)),
        sa.Column("failure_message", sa.Text),
        sa.Column("parent_id", sa.String(40)),
        sa.Column("orders", sa.Text),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gw_composition_job"),
    )
    op.create_index("ix_gw_composition_job_company", "gw_composition_job", ["company"])


def downgrade() -> None:
    op.drop_index("ix_gw_composition_job_company", table_name="gw_composition_job")
    op.drop_table("gw_composition_job")
