"""The adapters feature's tables: partner formats (native format, text rule, charset,
file drop folder, SAP endpoint, party ids per company)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    t = "gw_partner_format"
    op.create_table(
        t,
        sa.Column("company", sa.String(32), nullable=False),
        sa.Column("native", sa.Boolean(), nullable=False),
        sa.Column("text_rule", sa.String(16), nullable=False),
        sa.Column("charset", sa.String(16)),
        sa.Column("drop_folder", sa.String(500)),
        sa.Column("native_endpoint", sa.String(500)),
        sa.Column("party_ids", sa.Text()),
        sa.ForeignKeyConstraint(["company"], ["gw_company.code"],
                                name=op.f(f"fk_{t}_company_gw_company")),
        sa.PrimaryKeyConstraint("company", name=op.f(f"pk_{t}")))


def downgrade() -> None:
    op.drop_table("gw_partner_format")
