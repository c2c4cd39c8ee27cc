"""Shared fixtures: a real database (SQLite file, or PostgreSQL) and a real gateway on 127.0.0.1.

Every test that takes ``db_url`` runs twice: on SQLite, and on PostgreSQL when
SMART_GATEWAY_TEST_POSTGRES_URL is set (.ci/run sets it); without it the
PostgreSQL run skips and says why.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from smart_gateway.persistence.db import make_engine, migrate

PG_ENV = "SMART_GATEWAY_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gateway.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (set by .ci/run), e.g. "
                    f"postgresql+psycopg://postgres@127.0.0.1:5432/test")
    # A schema of its own per test: tests stay independent without a new database each.
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


# The running gateway on the small test network, for integration and contract tests.
from fixtures.gw_network import gw  # noqa: E402,F401 - a pytest fixture, found by name
