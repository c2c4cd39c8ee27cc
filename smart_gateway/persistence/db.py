"""Engines for SQLite (embedded default) and PostgreSQL, and schema migration."""
from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's own locking still holds
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Execution option of a connection whose transactions only read: on SQLite they
# begin DEFERRED and take no write lock.
READ_ONLY = "smart_gateway_read_only"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _sqlite_tuning(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_tuning(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        # pysqlite's own transaction handling issues a deferred BEGIN lazily;
        # we take over so every transaction starts with BEGIN IMMEDIATE: two
        # writers then queue on the busy timeout instead of one failing with
        # "database is locked" when it upgrades its read lock.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")    # readers never wait for the writer
        cur.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    lock_path = _lock_path(engine)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Writers take an advisory file lock before SQLite's own lock.  SQLite
        # makes a blocked writer poll with sleeps of 1 ms and more, so two
        # gateway processes contending for it lose most of a millisecond per
        # request; a blocked flock() wakes as soon as the holder lets go.
        if conn.get_execution_options().get(READ_ONLY):
            conn.connection.dbapi_connection.execute("BEGIN")
            return
        if lock_path is not None:
            info = conn.connection.info
            fd = info.get("smart_gateway_lock_fd")
            if fd is None:
                fd = info["smart_gateway_lock_fd"] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            info["smart_gateway_locked"] = True
        try:
            conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            _unlock(conn)
            raise

    # The lock is let go when the connection goes back to the pool, after
    # its COMMIT or ROLLBACK has completed (engine events fire before them).
    @event.listens_for(engine, "reset")
    def _reset(dbapi_conn, record, reset_state):
        _unlock_record(record)

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn, record):
        _unlock_record(record)


def _lock_path(engine: Engine) -> str | None:
    database = engine.url.database
    if not database or database == ":memory:" or fcntl is None:
        return None
    return f"{database}.lock"


def _unlock(conn) -> None:
    _unlock_record(conn.connection)


def _unlock_record(record) -> None:
    info = record.info
    if info.pop("smart_gateway_locked", False):
        fcntl.flock(info["smart_gateway_lock_fd"], fcntl.LOCK_UN)


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database schema to the newest migration."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class SchemaOutOfDate(RuntimeError):
    pass


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is behind the code's migrations."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"the database {engine.url.render_as_string(hide_password=True)} is at schema "
            f"revision {current or 'none'}, the gateway needs {head}: run `smart-gateway migrate`")
