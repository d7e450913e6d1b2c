"""Writing fetched pages: classify each record, write what changed, log it, move the cursor.

Every function here runs inside the caller's transaction (one ``Connection`` in a
``write_transaction``), so a page is written entirely or not at all. Rows are written in
bulk: one SELECT for the page's existing rows (none when every id lies above the table's
highest: a first load), one upsert, one change-log insert.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, bindparam, func, select, update

from dolisync.records import Intervention, Record
from dolisync.store.children import children_diff, existing_children, replace_children
from dolisync.store.codec import Mirror, change_json, diff, dump_json, unique_by_id
from dolisync.store.dialect import chunks, insert_returning_keys, upsert
from dolisync.store.results import Change, ChangeKind, ChangeOrigin, PageResult, Position
from dolisync.store.state import store_position
from dolisync.store.tables import ChangeLogRow, table

KEY = ("source", "id")
_LOG = table(ChangeLogRow)


@dataclass(slots=True)
class _Plan:
    """What one page will write, built before anything is written."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    written: list[Record] = field(default_factory=list)
    log: list[tuple[int, ChangeKind, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    unchanged: int = 0


def apply_page(
    conn: Connection,
    mirror: Mirror[Any],
    source: str,
    records: Sequence[Record],
    *,
    position: Position | None,
    synced_at: float,
    origin: ChangeOrigin = "sync",
) -> PageResult:
    """Write one page (see ``Store.apply_page``); the caller owns the transaction."""
    _check_page(mirror, source, records)
    page = unique_by_id(records)
    plan = _plan(conn, mirror, source, page, synced_at)
    upsert(conn, mirror.table, plan.rows, KEY)
    if mirror.entity == "interventions":
        replace_children(conn, source, plan.written, synced_at)
    changes = _append_log(conn, source, mirror.entity, plan.log, synced_at, origin=origin)
    if position is not None:
        store_position(conn, source, mirror.entity, position)
    created = sum(1 for change in changes if change.kind == "created")
    return PageResult(
        created=created,
        updated=len(changes) - created,
        unchanged=plan.unchanged,
        changes=changes,
    )


def _check_page(mirror: Mirror[Any], source: str, records: Sequence[Record]) -> None:
    for record in records:
        if type(record) is not mirror.record_type:
            raise TypeError(f"{mirror.entity} page holds a {type(record).__name__}")
        if record.source != source:
            wrong = f"{mirror.entity} {record.id} is from {record.source!r}, not {source!r}"
            raise ValueError(wrong)


def _plan(
    conn: Connection, mirror: Mirror[Any], source: str, page: Sequence[Record], synced_at: float
) -> _Plan:
    existing = _existing(conn, mirror, source, [record.id for record in page])
    children = {}
    if mirror.entity == "interventions":
        children = existing_children(conn, source, existing)
    plan = _Plan()
    for record in page:
        values = mirror.values(record)
        raw = dump_json(record.raw)
        old = existing.get(record.id)
        row = {**values, "raw": raw, "synced_at": synced_at, "deleted_at": None}
        if isinstance(record, Intervention):
            old_links_known = bool(old and old["links_known"])
            row["links_known"] = old_links_known or record.linked_ticket_ids is not None
        if old is None or old["deleted_at"] is not None:
            plan.log.append((record.id, "created", {}))
        else:
            changes = diff(old, values, mirror.columns)
            if isinstance(record, Intervention):
                changes.update(children_diff(children.get(record.id), record))
            if changes:
                plan.log.append((record.id, "updated", changes))
            else:
                plan.unchanged += 1
                if raw == old["raw"]:
                    continue
                # only raw differs (a field dolisync does not map): refresh it, log nothing
        plan.rows.append(row)
        plan.written.append(record)
    return plan


def _existing(
    conn: Connection, mirror: Mirror[Any], source: str, ids: Sequence[int]
) -> dict[int, RowMapping]:
    if not ids or min(ids) > _highest_id(conn, mirror, source):
        # a page of a first load walking by id: every row is new; one look at the primary
        # key's end replaces looking up each of the page's ids
        return {}
    query = _existing_query(mirror)
    found: dict[int, RowMapping] = {}
    for part in chunks(ids):
        rows = conn.execute(query, {"source": source, "ids": part})
        found.update((row.id, row._mapping) for row in rows)
    return found


def _highest_id(conn: Connection, mirror: Mirror[Any], source: str) -> int:
    """The highest id the table holds for ``source``, deleted rows included (-1: none)."""
    highest = conn.execute(_highest_id_query(mirror), {"source": source}).scalar()
    return -1 if highest is None else int(highest)


@functools.cache
def _highest_id_query(mirror: Mirror[Any]) -> Select[Any]:
    columns = mirror.table.c
    return select(func.max(columns.id)).where(columns.source == bindparam("source"))


@functools.cache
def _existing_query(mirror: Mirror[Any]) -> Select[Any]:
    # Built once per entity: building a statement costs about as much as running it.
    wanted = [mirror.table.c[name] for name in (*mirror.columns, "raw", "deleted_at")]
    if mirror.entity == "interventions":
        wanted.append(mirror.table.c.links_known)
    return select(*wanted).where(
        mirror.table.c.source == bindparam("source"),
        mirror.table.c.id.in_(bindparam("ids", expanding=True)),
    )


def _append_log(
    conn: Connection,
    source: str,
    entity: str,
    entries: Sequence[tuple[int, ChangeKind, dict[str, tuple[Any, Any]]]],
    at: float,
    *,
    origin: ChangeOrigin = "sync",
) -> list[Change]:
    if not entries:
        return []
    rows = [
        {
            "source": source,
            "entity": entity,
            "object_id": object_id,
            "kind": kind,
            "changes": change_json(changes),
            "at": at,
            "origin": origin,
        }
        for object_id, kind, changes in entries
    ]
    seqs = insert_returning_keys(conn, _LOG, rows, "seq")
    return [
        Change(
            seq=seq,
            source=source,
            entity=entity,
            object_id=object_id,
            kind=kind,
            changes=changes,
            at=at,
            origin=origin,
        )
        for seq, (object_id, kind, changes) in zip(seqs, entries, strict=True)
    ]


def mark_deleted(
    conn: Connection, mirror: Mirror[Any], source: str, ids: Iterable[int], *, at: float
) -> list[Change]:
    """Mark present, not yet deleted rows as deleted and log them (in the caller's transaction)."""
    table_ = mirror.table
    marked: list[int] = []
    for part in chunks(sorted(set(ids))):
        present = select(table_.c.id).where(
            table_.c.source == source, table_.c.id.in_(part), table_.c.deleted_at.is_(None)
        )
        found = list(conn.scalars(present))
        if found:
            conn.execute(
                update(table_)
                .where(table_.c.source == source, table_.c.id.in_(found))
                .values(deleted_at=at)
            )
        marked.extend(found)
    return _append_log(conn, source, mirror.entity, [(key, "deleted", {}) for key in marked], at)
