"""The store's public face: one ``Store`` object per database, used by sync, rules and CLI.

Every write method is one transaction; every read returns records from ``dolisync.records``.
Entities are named as in ``dolisync.records.ENTITIES`` ("tickets", "messages",
"interventions", "thirdparties", "users"); intervention lines and ticket links travel inside
``Intervention`` records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from dolisync.errors import StoreError, StoreLocked
from dolisync.records import Entity, Intervention, Message, Record, ThirdParty, Ticket, User
from dolisync.store import reads, state, writes
from dolisync.store.codec import INTERVENTIONS, THIRDPARTIES, TICKETS, USERS, mirror_for
from dolisync.store.dialect import (
    BUSY_TIMEOUT_MS,
    is_lock_timeout,
    read_transaction,
    write_transaction,
)
from dolisync.store.migrations import MIGRATIONS, Migration
from dolisync.store.opening import open_engine
from dolisync.store.outbox import OutboxStore
from dolisync.store.results import Change, ChangeOrigin, PageResult, Position, StoreStatus


class Store:
    """The local mirror. Open with ``Store.open(url)``; close with ``close()`` or ``with``."""

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine whose database is already migrated; use ``Store.open`` instead."""
        self._engine: Engine | None = engine

    @classmethod
    def open(cls, url: str, *, migrations: Sequence[Migration] = MIGRATIONS) -> Store:
        """Open (creating if needed) the store at a SQLAlchemy URL and run pending migrations.

        ``sqlite:///relative.db``, ``sqlite:////abs/path.db`` and ``sqlite://`` (in memory,
        one shared connection: tests only) are accepted; PostgreSQL URLs too. A new SQLite
        file is created 0600 in a directory created 0700.
        Raises ``StoreError`` (cannot open / not a database), ``SchemaTooNew``.
        ``migrations`` is for tests and tools that simulate other dolisync versions.
        """
        return cls(open_engine(url, migrations))

    def close(self) -> None:
        """Release the database connections. The store cannot be used afterwards."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writes (each one transaction) -------------------------------------------------

    def apply_page(
        self,
        source: str,
        entity: Entity,
        records: Sequence[Record],
        *,
        position: Position | None,
        synced_at: float,
        origin: ChangeOrigin = "sync",
    ) -> PageResult:
        """Write one page of fetched records, atomically.

        Classifies each record as created / updated (typed fields compared, not ``raw``) /
        unchanged, writes only created and updated rows (plus rows whose ``raw`` alone
        changed, silently), un-deletes rows that reappear (logged as ``created``), replaces
        the lines of the page's interventions and their ticket links (links only when
        ``linked_ticket_ids is not None``), appends the change log, and stores ``position``
        as the cursor when it is not None (``(None, None)`` resets the cursor).
        Every record must belong to ``source`` and match ``entity``. ``origin`` tags the
        change-log entries: ``dolisync`` for the re-read of dolisync's own write.
        """
        with self._write() as conn:
            return writes.apply_page(
                conn,
                mirror_for(entity),
                source,
                records,
                position=position,
                synced_at=synced_at,
                origin=origin,
            )

    def mark_deleted(self, source: str, entity: Entity, ids: Iterable[int], *, at: float) -> int:
        """Mark rows as deleted (kept, with ``deleted_at``); log ``deleted``; return how many.

        Rows already marked deleted and unknown ids are ignored.
        """
        with self._write() as conn:
            return len(writes.mark_deleted(conn, mirror_for(entity), source, ids, at=at))

    def set_sync_result(
        self,
        source: str,
        entity: Entity,
        *,
        ok: bool,
        at: float,
        error: str | None = None,
        full: bool = False,
    ) -> None:
        """Record the end of a sync run: success (clears the error) or failure (keeps ``error``).

        A successful ``full`` run also sets the last full sync time.
        """
        mirror_for(entity)  # refuse unknown entity names
        with self._write() as conn:
            state.set_sync_result(conn, source, entity, ok=ok, at=at, error=error, full=full)

    def begin_first_load(self, source: str, entity: Entity, bound: int | None) -> int | None:
        """Start (or resume) a first load; return the bound its final cursor must stay below.

        ``bound`` is a row epoch no later than the walk's start (rows changed during the walk
        carry a later one). An unfinished earlier attempt's bound wins: rows changed since
        THAT attempt started may lie behind the position it reached. Storing a high-water
        mark (``apply_page`` with a position whose ``modified_at`` is set) ends the load.
        """
        mirror_for(entity)  # refuse unknown entity names
        with self._write() as conn:
            return state.begin_first_load(conn, source, entity, bound)

    def set_instance(
        self,
        source: str,
        *,
        version: str | None,
        timezone: str | None,
        url: str | None,
        probed_at: float,
        utc_offset: int | None = None,
    ) -> None:
        """Remember what a probe learnt about a Dolibarr instance (never its API key)."""
        values = {
            "dolibarr_version": version,
            "timezone": timezone,
            "url": url,
            "probed_at": probed_at,
        }
        if utc_offset is not None:
            values["utc_offset"] = utc_offset
        with self._write() as conn:
            state.set_instance(conn, source, values)

    # -- reads for the sync engine ------------------------------------------------------

    def known_versions(
        self, source: str, entity: Entity, ids: Iterable[int]
    ) -> dict[int, int | None]:
        """id -> stored ``modified_at`` for the given ids that are present and not deleted.

        Entities without ``modified_at`` (messages) map to None.
        """
        with self._read() as conn:
            return reads.known_versions(conn, mirror_for(entity), source, ids)

    def ids_present(self, source: str, entity: Entity) -> set[int]:
        """Every non-deleted id of an entity (for full resync's deletion check)."""
        with self._read() as conn:
            return reads.ids_present(conn, mirror_for(entity), source)

    def get_position(self, source: str, entity: Entity) -> Position:
        """The stored cursor, ``(None, None)`` when none was stored yet."""
        mirror_for(entity)  # refuse unknown entity names
        with self._read() as conn:
            return state.get_position(conn, source, entity)

    def status(self, source: str | None = None) -> StoreStatus:
        """Rows, deleted rows, cursor, sync times and errors per entity, per source.

        With ``source`` given, only that source (always present, even if never synced).
        """
        with self._read() as conn:
            return state.status(conn, source)

    # -- reads for rules and CLI (deleted rows are excluded unless asked for) -----------

    def get_ticket(self, source: str, id: int, *, include_deleted: bool = False) -> Ticket | None:
        """One ticket by id, or None."""
        with self._read() as conn:
            return reads.get_one(conn, TICKETS, source, id, include_deleted=include_deleted)

    def find_ticket(self, source: str, ref_or_id: str) -> Ticket | None:
        """A ticket by ref (e.g. ``TS2412-0001``), by numeric id, or by track id; or None."""
        with self._read() as conn:
            return reads.find_ticket(conn, source, ref_or_id.strip())

    def iter_tickets(self, source: str, *, batch: int = 1000) -> Iterator[Ticket]:
        """Every non-deleted ticket in id order, read ``batch`` at a time (constant memory)."""
        after: int | None = None
        while True:
            # one short read per batch: no transaction stays open while the caller works
            with self._read() as conn:
                tickets = reads.tickets_after(conn, source, after, batch)
            yield from tickets
            if len(tickets) < batch:
                return
            after = tickets[-1].id

    def messages_for(self, source: str, ticket_id: int) -> list[Message]:
        """A ticket's non-deleted messages, oldest first."""
        with self._read() as conn:
            return reads.messages_for(conn, source, ticket_id)

    def get_thirdparty(self, source: str, id: int) -> ThirdParty | None:
        """One third party by id, or None."""
        with self._read() as conn:
            return reads.get_one(conn, THIRDPARTIES, source, id)

    def get_user(self, source: str, id: int) -> User | None:
        """One user by id, or None."""
        with self._read() as conn:
            return reads.get_one(conn, USERS, source, id)

    def get_intervention(self, source: str, id: int) -> Intervention | None:
        """One intervention with its lines (by rank) and linked ticket ids (sorted), or None."""
        with self._read() as conn:
            return reads.get_one(conn, INTERVENTIONS, source, id)

    def interventions_for_ticket(self, source: str, ticket_id: int) -> list[Intervention]:
        """The non-deleted interventions linked to a ticket, by id."""
        with self._read() as conn:
            return reads.interventions_for_ticket(conn, source, ticket_id)

    def changes_since(
        self, seq: int, *, limit: int = 1000, source: str | None = None
    ) -> list[Change]:
        """Change-log entries with ``seq`` greater than the given one, oldest first."""
        with self._read() as conn:
            return reads.changes_since(conn, seq, limit, source)

    def last_change_seq(self) -> int:
        """The newest change-log ``seq`` (0 when the log is empty)."""
        with self._read() as conn:
            return reads.last_change_seq(conn)

    # -- write-back -----------------------------------------------------------------------

    @property
    def outbox(self) -> OutboxStore:
        """The write-back outbox, the rule firings and the rules' change-log cursor."""
        return OutboxStore(self._read, self._write)

    # -- connections --------------------------------------------------------------------

    def _engine_or_fail(self) -> Engine:
        if self._engine is None:
            raise StoreError(
                "the store is closed", hint="this is a bug in dolisync: please report it"
            )
        return self._engine

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with _translated(), read_transaction(self._engine_or_fail()) as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with _translated(), write_transaction(self._engine_or_fail()) as conn:
            yield conn


@contextmanager
def _translated() -> Iterator[None]:
    """Turn the database's operational failures (locked, disk full, I/O) into StoreError."""
    try:
        yield
    except OperationalError as exc:
        detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        if is_lock_timeout(exc):
            raise StoreLocked(
                f"the store stayed locked by another process for {BUSY_TIMEOUT_MS // 1000} s",
                hint="another dolisync may be writing; stop it or try again",
            ) from exc
        raise StoreError(
            f"the store failed: {detail}", hint="check the disk (space, permissions) and retry"
        ) from exc
