"""Record when an instance became completely referenced

The TCM metrics measure a propagation from the agent's sending time to the
moment its document was completely referenced; the state alone does not say
when that was.  Instances completed before this migration keep NULL and are
left out of the durations (they still count as complete).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gw_instance") as batch:
        batch.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gw_instance") as batch:
        batch.drop_column("completed_at")
