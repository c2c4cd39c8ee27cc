"""Index agents by the receiver's key; make the event log append-only in the database

SearchAgents looks an agent up by its primary key or by the inter-company
foreign key the receiver's acknowledgement wrote; without an index the second
half of that OR scanned the registry.  The event log is the record of what
happened: triggers refuse UPDATE and DELETE on it, whoever connects.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "gw_event is append-only: events are never changed or removed"


def upgrade() -> None:
    op.create_index(op.f("ix_gw_agent_inter_company_fk"), "gw_agent", ["inter_company_fk"])
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER gw_event_no_{verb.lower()} BEFORE {verb} ON gw_event "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    else:
        op.execute("CREATE FUNCTION gw_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$")
        op.execute("CREATE TRIGGER gw_event_append_only BEFORE UPDATE OR DELETE ON gw_event "
                   "FOR EACH ROW EXECUTE FUNCTION gw_event_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER gw_event_no_update")
        op.execute("DROP TRIGGER gw_event_no_delete")
    else:
        op.execute("DROP TRIGGER gw_event_append_only ON gw_event")
        op.execute("DROP FUNCTION gw_event_append_only()")
    op.drop_index(op.f("ix_gw_agent_inter_company_fk"), table_name="gw_agent")
