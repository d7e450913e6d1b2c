"""Sync state (cursor, run outcomes) per (source, entity), instances per source, and status.

Row counts are computed from the mirror tables when asked, never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from dolisync.records import ENTITIES
from dolisync.store.codec import MIRRORS, storable
from dolisync.store.dialect import upsert
from dolisync.store.migrations import applied_migrations
from dolisync.store.results import EntityStatus, Position, SourceStatus, StoreStatus
from dolisync.store.tables import InstanceRow, SyncStateRow, table

_STATE = table(SyncStateRow)
_INSTANCES = table(InstanceRow)
_STATE_KEY = ("source", "entity")


def get_position(conn: Connection, source: str, entity: str) -> Position:
    query = select(_STATE.c.cursor_modified_at, _STATE.c.cursor_last_id).where(
        _STATE.c.source == source, _STATE.c.entity == entity
    )
    row = conn.execute(query).first()
    return (None, None) if row is None else (row[0], row[1])


def store_position(conn: Connection, source: str, entity: str, position: Position) -> None:
    """Store the cursor. A high-water mark ends a first load (its bound is dropped), so does a
    reset to ``(None, None)``; an id position alone keeps the bound of a load in progress."""
    modified_at, last_id = position
    row: dict[str, Any] = {
        "source": source,
        "entity": entity,
        "cursor_modified_at": modified_at,
        "cursor_last_id": last_id,
    }
    if modified_at is not None or last_id is None:
        row["first_load_bound"] = None
    upsert(conn, _STATE, [row], _STATE_KEY)


def begin_first_load(conn: Connection, source: str, entity: str, bound: int | None) -> int | None:
    """The bound in force for a first load: the one an interrupted earlier attempt stored
    (older, so safer), else ``bound``, stored now."""
    query = select(_STATE.c.first_load_bound).where(
        _STATE.c.source == source, _STATE.c.entity == entity
    )
    stored: int | None = conn.scalar(query)
    if stored is not None:
        return stored
    if bound is not None:
        upsert(
            conn,
            _STATE,
            [{"source": source, "entity": entity, "first_load_bound": bound}],
            _STATE_KEY,
        )
    return bound


def set_sync_result(
    conn: Connection,
    source: str,
    entity: str,
    *,
    ok: bool,
    at: float,
    error: str | None,
    full: bool,
) -> None:
    row: dict[str, Any] = {"source": source, "entity": entity}
    if ok:
        row.update(last_sync_at=at, last_error=None, last_error_at=None)
        if full:
            row["last_full_sync_at"] = at
    else:
        # an error message may quote Dolibarr's answer, NUL characters included
        row.update(last_error=storable(error or "sync failed (no detail)"), last_error_at=at)
    upsert(conn, _STATE, [row], _STATE_KEY)


def set_instance(conn: Connection, source: str, values: Mapping[str, Any]) -> None:
    stored = {name: storable(value) for name, value in values.items()}
    upsert(conn, _INSTANCES, [{"source": source, **stored}], ("source",))


def status(conn: Connection, source: str | None) -> StoreStatus:
    counts = _counts(conn, source)
    states = _states(conn, source)
    instances = _instances(conn, source)
    names = set(instances) | {key[0] for key in states} | {key[0] for key in counts}
    if source is not None:
        names = {source}
    sources = {
        name: SourceStatus(
            source=name,
            **instances.get(name, {}),
            entities={
                entity: _entity_status(counts.get((name, entity)), states.get((name, entity)))
                for entity in ENTITIES
            },
        )
        for name in sorted(names)
    }
    return StoreStatus(sources=sources, migrations=tuple(applied_migrations(conn)))


def _counts(conn: Connection, source: str | None) -> dict[tuple[str, str], tuple[int, int]]:
    """(source, entity) -> (rows, deleted rows)."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for entity, mirror in MIRRORS.items():
        columns = mirror.table.c
        query = select(columns.source, func.count(), func.count(columns.deleted_at))
        if source is not None:
            query = query.where(columns.source == source)
        for name, total, deleted in conn.execute(query.group_by(columns.source)):
            found[(name, entity)] = (total - deleted, deleted)
    return found


def _states(conn: Connection, source: str | None) -> dict[tuple[str, str], Any]:
    query = select(_STATE)
    if source is not None:
        query = query.where(_STATE.c.source == source)
    return {(row.source, row.entity): row for row in conn.execute(query)}


def _instances(conn: Connection, source: str | None) -> dict[str, dict[str, Any]]:
    query = select(_INSTANCES)
    if source is not None:
        query = query.where(_INSTANCES.c.source == source)
    return {
        row.source: {
            "dolibarr_version": row.dolibarr_version,
            "timezone": row.timezone,
            "utc_offset": row.utc_offset,
            "url": row.url,
            "probed_at": row.probed_at,
        }
        for row in conn.execute(query)
    }


def _entity_status(counts: tuple[int, int] | None, state: Any) -> EntityStatus:
    rows, deleted = counts or (0, 0)
    if state is None:
        return EntityStatus(rows=rows, deleted=deleted)
    cursor = (state.cursor_modified_at, state.cursor_last_id)
    return EntityStatus(
        rows=rows,
        deleted=deleted,
        cursor=None if cursor == (None, None) else cursor,
        last_sync=state.last_sync_at,
        last_full_sync=state.last_full_sync_at,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
    )
