"""Links carry money: what an invoice bills, a payment settles, a return sends back

Over-billing and over-paying are refused by adding up the amounts already
carried by links into a delivery, payable or receiving; quantities alone
cannot tell an invoice at the wrong price from one at the agreed price.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gw_link") as batch:
        batch.add_column(sa.Column("amount", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gw_link") as batch:
        batch.drop_column("amount")
