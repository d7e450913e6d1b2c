"""Everything that differs between SQLite and PostgreSQL, and nothing else.

- ``create_store_engine``: pool choice and, for SQLite, the connection pragmas (8 KB pages
  for a new file, WAL, busy timeout, foreign keys, synchronous=NORMAL) and explicit
  transaction control; for PostgreSQL, the psycopg (3) driver and the same lock wait limit
  (``lock_timeout``).
- ``write_transaction``: one write transaction, writers one at a time (SQLite:
  ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock). Either way a writer
  waits for the lock up front, never reads rows another writer is about to change, and
  change-log ``seq`` values become visible in order (readers following the log by ``seq``
  never miss an entry committed late).
- ``is_lock_timeout``: whether a failure means "another writer held the lock too long".

- ``read_transaction``: one read transaction that sees one state of the store throughout
  (SQLite: a deferred transaction; PostgreSQL: REPEATABLE READ, since its default READ
  COMMITTED would let an intervention's lines come from a later write than its row).
- ``upsert``: one ``INSERT ... ON CONFLICT DO UPDATE`` for a whole list of rows.
- ``insert_returning_keys``: a bulk insert that reports the keys it generated.
- ``chunks``: id lists cut to fit any backend's bound-parameter limit.
"""

from __future__ import annotations

import functools
import operator
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    Insert,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from dolisync.errors import StoreError

BUSY_TIMEOUT_MS = 5000
SQLITE_PAGE_SIZE = 8192
CHUNK = 500  # ids per IN (...): far below every backend's bound-parameter limit
_IMMEDIATE = "dolisync_immediate"
# the PostgreSQL advisory lock every dolisync writer takes ("dolisync" as an int); such locks
# are per database, so stores in different databases of one server never wait for each other
WRITER_LOCK_KEY = int.from_bytes(b"dolisync", "big")
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires


def is_sqlite_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def create_store_engine(url: URL) -> Engine:
    """An engine for the store, configured for its backend."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        return _postgresql_engine(url)
    raise StoreError(
        f"unsupported store database {backend!r}",
        hint="use a sqlite:/// or postgresql:// URL for store.url",
    )


def _sqlite_engine(url: URL) -> Engine:
    if is_sqlite_memory(url):
        # one shared connection, or every pooled connection would see its own empty database
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling would BEGIN lazily before DML only; we issue
    # BEGIN ourselves (see _sqlite_on_begin), so the driver must stay in autocommit mode.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # For a new file only (an existing one keeps its size): a mirror row is ~3 KB of raw
        # JSON, so 4 KB pages held one row each; 8 KB pages waste less and write fewer pages.
        cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        _enable_wal(cursor)
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _enable_wal(cursor: Any) -> None:
    """Switch the file to WAL, waiting (up to the busy timeout) for another connection.

    Two processes opening a NEW store at once both switch it to WAL, and SQLite answers the
    loser "database is locked" at once, without its busy handler: try again a little later.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _sqlite_on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgresql_engine(url: URL) -> Engine:
    if url.drivername == "postgresql":
        # SQLAlchemy's default driver is psycopg2; dolisync depends on psycopg (3) only
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "connect", _postgresql_on_connect)
    return engine


def _postgresql_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's busy timeout, PostgreSQL style: wait this long for any lock, then fail
    # (StoreLocked) instead of hanging behind a stuck writer or a long migration.
    # Committed at once: a later rollback must not undo the setting.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()
    dbapi_connection.commit()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection inside one write transaction: committed on exit, rolled back on error.

    Writers of one store take turns (see the module docstring); readers do not wait for them
    (only, on PostgreSQL, behind a migration's schema change).
    """
    with engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # released by the commit or rollback; taken before the first read, so the
                # transaction's later statements see every earlier writer's rows
                conn.execute(select(func.pg_advisory_xact_lock(WRITER_LOCK_KEY)))
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection whose statements all see the store as it was at the first one."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # read-only at this level: it never fails because of a concurrent writer
            conn.execution_options(isolation_level="REPEATABLE READ")
        yield conn


def is_lock_timeout(exc: OperationalError) -> bool:
    """Whether the database gave up waiting for a lock another connection held."""
    if getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
        return True
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    return "locked" in detail or "busy" in detail  # SQLite: "database is locked", ...


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key_columns: Sequence[str],
) -> None:
    """Insert ``rows`` into ``table``, updating the rows whose key already exists.

    One statement executed with the whole list (executemany). Every row must have the same
    keys; columns missing from the rows are left untouched on update.
    """
    if not rows:
        return
    statement = _upsert_statement(conn.dialect.name, table, tuple(rows[0]), tuple(key_columns))
    _execute_many(conn, statement, rows)


@functools.lru_cache(maxsize=256)
def _upsert_statement(
    dialect: str, table: Table, columns: tuple[str, ...], key_columns: tuple[str, ...]
) -> Insert:
    # Cached: building the statement and its cache key costs more than running it on a page.
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    else:
        raise StoreError(f"upsert is not implemented for {dialect!r}")
    statement = insert(table).values({name: bindparam(name) for name in columns})
    updated = {name: statement.excluded[name] for name in columns if name not in key_columns}
    if not updated:
        return statement.on_conflict_do_nothing(index_elements=key_columns)
    return statement.on_conflict_do_update(index_elements=key_columns, set_=updated)


def _execute_many(conn: Connection, statement: Insert, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run ``statement`` once per row through the driver's executemany.

    SQLAlchemy's own executemany walks every value of every row in Python (bind processors,
    parameter dicts): on a page of whole tickets that cost more than SQLite's insert. The
    store's column types (text, integers, floats, booleans) need no conversion on either
    driver, so the rows go to the driver as they are, in the compiled statement's order.
    """
    sql, order = _compiled(conn.dialect, statement)
    if order is None:
        conn.exec_driver_sql(sql, [dict(row) for row in rows])
        return
    pick = operator.itemgetter(*order)
    if len(order) == 1:
        conn.exec_driver_sql(sql, [(pick(row),) for row in rows])
    else:
        conn.exec_driver_sql(sql, [pick(row) for row in rows])


@functools.lru_cache(maxsize=256)
def _compiled(dialect: Dialect, statement: Insert) -> tuple[str, tuple[str, ...] | None]:
    """The driver SQL of ``statement`` and, for positional paramstyles, its parameter names
    in order (None: the driver takes the row mappings by name)."""
    compiled = statement.compile(dialect=dialect)
    if compiled.positional:
        return compiled.string, tuple(compiled.positiontup or ())
    return compiled.string, None


def insert_returning_keys(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: str
) -> list[int]:
    """Insert ``rows`` (executemany) and return their generated integer keys, in row order.

    SQLite: inside ``write_transaction`` nobody else can write, and executemany inserts the
    rows one after the other, so their AUTOINCREMENT keys are the ``len(rows)`` consecutive
    ones ending at the connection's ``last_insert_rowid()``: much cheaper than RETURNING
    through insertmanyvalues. Elsewhere: ``INSERT ... RETURNING`` in parameter order.
    """
    if not rows:
        return []
    column = table.c[key]
    if conn.dialect.name == "sqlite":
        _execute_many(conn, _insert_statement(table, tuple(rows[0])), rows)
        last = int(conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
        return list(range(last - len(rows) + 1, last + 1))
    statement = insert(table).returning(column, sort_by_parameter_order=True)
    return list(conn.scalars(statement, list(rows)))


@functools.lru_cache(maxsize=256)
def _insert_statement(table: Table, columns: tuple[str, ...]) -> Insert:
    return insert(table).values({name: bindparam(name) for name in columns})


def chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    """``ids`` in slices small enough for one ``IN (...)`` on every backend."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
