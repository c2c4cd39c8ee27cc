"""Index instances by company and document number

GetTrace and the command-line trace find a document by its company and number
alone; the unique key (company, type, number) cannot serve that lookup past
its first column, so it scanned every instance of the company.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_gw_instance_company_number", "gw_instance", ["company", "number"])


def downgrade() -> None:
    op.drop_index("ix_gw_instance_company_number", table_name="gw_instance")
