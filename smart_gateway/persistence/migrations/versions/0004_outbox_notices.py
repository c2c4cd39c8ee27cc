"""Outbox messages without an agent: notices

Change notices, change requests and alerts reach a company through the same
outbox as propagations, but belong to no propagation agent.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gw_outbox") as batch:
        batch.alter_column("agent_id", existing_type=sa.String(40), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM gw_outbox WHERE agent_id IS NULL")
    with op.batch_alter_table("gw_outbox") as batch:
        batch.alter_column("agent_id", existing_type=sa.String(40), nullable=False)
