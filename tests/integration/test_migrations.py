"""The migrations build exactly the schema the code declares, and keep the event log append-only."""
from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import DBAPIError

from smart_gateway.persistence.tables import event, metadata


def test_migrated_schema_matches_the_tables_the_code_declares(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"tables.py and the migrations disagree; add a migration: {diff}"


def test_the_event_log_refuses_update_and_delete(engine):
    # given: one event
    with engine.begin() as conn:
        conn.execute(insert(event).values(at=dt.datetime.now(dt.timezone.utc), actor="t",
                                          kind="k", detail="{}"))
    # when / then: neither an update nor a delete gets through, whoever asks
    for statement in (update(event).values(kind="changed"), delete(event)):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(statement)
    with engine.connect() as conn:
        assert conn.execute(event.select()).one().kind == "k"
