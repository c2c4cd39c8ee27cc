"""Wiring: settings -> a migrated engine and the gateway's WSGI app, in one place.

The CLI, gunicorn and tests all need the same assembly; keeping it here means
a new setting is honoured everywhere at once.
"""
from __future__ import annotations

from sqlalchemy import Engine

from .config import Settings
from .persistence.db import make_engine, migrate
from .soap.app import GatewayWsgi


def build(settings: Settings) -> tuple[Engine, GatewayWsgi]:
    """A migrated engine for settings.database_url and the WSGI app serving /soap."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine, GatewayWsgi(engine, limits=settings.limits)
