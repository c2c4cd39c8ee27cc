"""Statements on the submit path, through the DBAPI cursor of the caller's own transaction.

SQLAlchemy Core spends ~60 µs of Python per execute() building its execution
context, several times what SQLite needs for the insert itself; the submit
path does six inserts a request.  A FastInsert compiles its statement once
per dialect with SQLAlchemy and converts values with the columns' own bind
processors (so Micro and UtcDateTime are stored exactly as Core stores them),
then hands the rows straight to the driver; a FastSelect does the same for
the submit path's reads, with the columns' result processors.  Both run on
the Connection's DBAPI connection, inside the same transaction as everything
else.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from sqlalchemy import Connection, Table, bindparam, insert
from sqlalchemy.exc import DBAPIError


class FastInsert:
    def __init__(self, table: Table, *, returning_id: bool = False) -> None:
        self.table = table
        # An integer surrogate key is left to the database to assign.
        self.columns = [c.name for c in table.columns
                        if not (c.primary_key and c.autoincrement is True)]
        self.returning_id = returning_id
        self._by_dialect: dict[str, tuple[str, list[str] | None, list]] = {}

    def _compiled(self, conn: Connection):
        dialect = conn.dialect
        hit = self._by_dialect.get(dialect.name)
        if hit is None:
            stmt = insert(self.table).values({c: bindparam(c) for c in self.columns})
            if self.returning_id and dialect.name != "sqlite":
                stmt = stmt.returning(self.table.c.id)
            compiled = stmt.compile(dialect=dialect)
            order = list(compiled.positiontup) if compiled.positional else None
            names = order if order is not None else self.columns
            procs = [(n, self.table.c[n].type._cached_bind_processor(dialect)) for n in names]
            hit = (str(compiled), order, procs)
            self._by_dialect[dialect.name] = hit
        return hit

    @staticmethod
    def _params(procs, positional: bool, row: Mapping[str, Any]):
        get = row.get
        if positional:
            return [p(get(n)) if p else get(n) for n, p in procs]
        return {n: (p(get(n)) if p else get(n)) for n, p in procs}

    def one(self, conn: Connection, row: Mapping[str, Any]) -> int | None:
        """Insert one row; with returning_id, its new primary key."""
        sql, order, procs = self._compiled(conn)
        cursor = conn.connection.dbapi_connection.cursor()
        params = self._params(procs, order is not None, row)
        try:
            try:
                cursor.execute(sql, params)
            except conn.dialect.loaded_dbapi.Error as exc:
                raise _wrapped(conn, sql, params, exc) from exc
            if not self.returning_id:
                return None
            if conn.dialect.name == "sqlite":
                return cursor.lastrowid
            return cursor.fetchone()[0]
        finally:
            cursor.close()

    def many(self, conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        sql, order, procs = self._compiled(conn)
        params = [self._params(procs, order is not None, r) for r in rows]
        if not params:
            return
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.executemany(sql, params)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(conn, sql, params, exc) from exc
        finally:
            cursor.close()


def _wrapped(conn: Connection, sql: str, params, exc: Exception) -> Exception:
    """The driver's error as SQLAlchemy would raise it (IntegrityError, OperationalError ...)."""
    return DBAPIError.instance(sql, params, exc, conn.dialect.loaded_dbapi.Error,
                               dialect=conn.dialect)


class FastSelect:
    """A SELECT by bound parameters, through the driver, with the columns' result types:
    one row (calling it) or all of them (.all())."""

    def __init__(self, stmt) -> None:
        self.stmt = stmt
        self._by_dialect: dict[str, tuple] = {}

    def __call__(self, conn: Connection, params: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self._run(conn, params, one=True)
        return rows[0] if rows else None

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        return self._run(conn, params, one=False)

    def _run(self, conn: Connection, params: Mapping[str, Any], *, one: bool) -> list[dict[str, Any]]:
        dialect = conn.dialect
        hit = self._by_dialect.get(dialect.name)
        if hit is None:
            compiled = self.stmt.compile(dialect=dialect)
            order = list(compiled.positiontup) if compiled.positional else None
            cols = list(self.stmt.selected_columns)
            procs = [(c.name, c.type._cached_result_processor(dialect, None)) for c in cols]
            hit = self._by_dialect[dialect.name] = (str(compiled), order, procs)
        sql, order, procs = hit
        found = _fetch(conn, sql, order, params, one=one)
        return [{name: (p(v) if p else v) for (name, p), v in zip(procs, row)}
                for row in found if row is not None]


def _fetch(conn: Connection, sql: str, order: list[str] | None, params: Mapping[str, Any],
           *, one: bool = False) -> list:
    """Run compiled ``sql`` on the connection's own DBAPI cursor, in its transaction."""
    args = tuple(params[n] for n in order) if order is not None else dict(params)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        try:
            cursor.execute(sql, args)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(conn, sql, args, exc) from exc
        return [cursor.fetchone()] if one else cursor.fetchall()
    finally:
        cursor.close()


class RawRows:
    """A textual SELECT through the driver, rows as the driver returns them.

    For reads that turn thousands of rows straight into a response (a trace):
    SQLAlchemy's Row objects and result processing cost more than the query.
    Values come back raw, e.g. Micro columns as integer millionths."""

    def __init__(self, statements: Mapping[str, Any]) -> None:
        self.statements = statements   # dialect name -> text() statement
        self._by_dialect: dict[str, tuple[str, list[str] | None]] = {}

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple]:
        dialect = conn.dialect
        hit = self._by_dialect.get(dialect.name)
        if hit is None:
            compiled = self.statements[dialect.name].compile(dialect=dialect)
            order = list(compiled.positiontup) if compiled.positional else None
            hit = self._by_dialect[dialect.name] = (str(compiled), order)
        sql, order = hit
        return _fetch(conn, sql, order, params)
