"""Agreement items carry the supplier's safety stock

An order that would take the supplier's reported stock of an item below the
agreed safety stock is a rush order (SMART 2.5.1's business rules).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gw_agreement_item") as batch:
        batch.add_column(sa.Column("safety_stock", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gw_agreement_item") as batch:
        batch.drop_column("safety_stock")
