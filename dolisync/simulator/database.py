"""The simulator's in-memory SQLite database: one connection, one lock, Dolibarr's tables.

Every request runs its queries under the lock (SQLite in memory is fast; the lock keeps the
threads of the HTTP server from interleaving a write). ``write()`` is a transaction: it commits
on success and rolls back when the block raises, like Dolibarr's own db->begin()/rollback().
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dolisync.simulator.schema import (
    DDL,
    INDEXES,
    TICKET_CATEGORIES,
    TICKET_SEVERITIES,
    TICKET_TYPES,
)

Row = sqlite3.Row


class Database:
    """A fresh Dolibarr schema in memory, with the default dictionaries filled in."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.executescript(DDL)
        self._create_indexes()
        self._fill_dictionaries()

    def _create_indexes(self) -> None:
        for statement in INDEXES:
            self.conn.execute(statement)

    @contextmanager
    def bulk_load(self) -> Iterator[sqlite3.Connection]:
        """A write transaction with the indexes dropped, rebuilt at the end (much faster)."""
        with self.write() as conn:
            for statement in INDEXES:
                conn.execute("DROP INDEX " + statement.split(" ON ")[0].split()[-1])
            yield conn
            self._create_indexes()

    def _fill_dictionaries(self) -> None:
        insert = (
            "INSERT INTO {} (rowid, code, pos, label, active, use_default) VALUES (?,?,?,?,?,?)"
        )
        self.conn.executemany(insert.format("llx_c_ticket_type"), TICKET_TYPES)
        self.conn.executemany(insert.format("llx_c_ticket_category"), TICKET_CATEGORIES)
        self.conn.executemany(insert.format("llx_c_ticket_severity"), TICKET_SEVERITIES)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self.lock:
            row: Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with self.lock:
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self.conn.close()
