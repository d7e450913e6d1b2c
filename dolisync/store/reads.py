"""Reading records back for the sync engine, the rules and the CLI.

Each function takes an open ``Connection`` and returns records from ``dolisync.records``,
rebuilt from their typed columns and ``raw`` JSON. Deleted rows are skipped unless asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, select

from dolisync.records import Intervention, InterventionLine, Message, Ticket
from dolisync.store.codec import (
    INTERVENTIONS,
    LINES,
    MESSAGES,
    TICKETS,
    Mirror,
    R,
    change_from_json,
)
from dolisync.store.dialect import chunks
from dolisync.store.results import Change
from dolisync.store.tables import ChangeLogRow, TicketInterventionLink, table

_LOG = table(ChangeLogRow)
_LINKS = table(TicketInterventionLink)


def _live(mirror: Mirror[Any], source: str, *, include_deleted: bool = False) -> Select[Any]:
    query = select(mirror.table).where(mirror.table.c.source == source)
    if not include_deleted:
        query = query.where(mirror.table.c.deleted_at.is_(None))
    return query


def get_one(
    conn: Connection, mirror: Mirror[R], source: str, id: int, *, include_deleted: bool = False
) -> R | None:
    query = _live(mirror, source, include_deleted=include_deleted)
    row = conn.execute(query.where(mirror.table.c.id == id)).first()
    if row is None:
        return None
    if mirror.entity == INTERVENTIONS.entity:
        # the lines and links complete an intervention; other records are their row alone
        return mirror.record(row._mapping, **_children(conn, source, [row._mapping])[row.id])
    return mirror.record(row._mapping)


def find_ticket(conn: Connection, source: str, ref_or_id: str) -> Ticket | None:
    """By ref, then by numeric id, then by track id."""
    columns = TICKETS.table.c
    wanted: list[ColumnElement[bool]] = [columns.ref == ref_or_id]
    if ref_or_id.isdecimal() and int(ref_or_id) < 2**63:  # larger cannot be a row id
        wanted.append(columns.id == int(ref_or_id))
    wanted.append(columns.track_id == ref_or_id)
    for condition in wanted:
        row = conn.execute(_live(TICKETS, source).where(condition).limit(1)).first()
        if row is not None:
            return TICKETS.record(row._mapping)
    return None


def tickets_after(conn: Connection, source: str, after_id: int | None, limit: int) -> list[Ticket]:
    """Up to ``limit`` live tickets with an id above ``after_id``, in id order."""
    query = _live(TICKETS, source)
    if after_id is not None:
        query = query.where(TICKETS.table.c.id > after_id)
    rows = conn.execute(query.order_by(TICKETS.table.c.id).limit(limit))
    return [TICKETS.record(row._mapping) for row in rows]


def messages_for(conn: Connection, source: str, ticket_id: int) -> list[Message]:
    columns = MESSAGES.table.c
    query = _live(MESSAGES, source).where(columns.ticket_id == ticket_id)
    rows = conn.execute(query.order_by(columns.created_at, columns.id))
    return [MESSAGES.record(row._mapping) for row in rows]


def interventions_for_ticket(conn: Connection, source: str, ticket_id: int) -> list[Intervention]:
    columns = INTERVENTIONS.table.c
    linked = select(_LINKS.c.intervention_id).where(
        _LINKS.c.source == source, _LINKS.c.ticket_id == ticket_id
    )
    query = _live(INTERVENTIONS, source).where(columns.id.in_(linked)).order_by(columns.id)
    return with_children(conn, source, [row._mapping for row in conn.execute(query)])


def with_children(conn: Connection, source: str, rows: Sequence[Any]) -> list[Intervention]:
    """Interventions rebuilt with their lines (rank, then id) and sorted linked ticket ids."""
    children = _children(conn, source, rows)
    return [INTERVENTIONS.record(row, **children[row["id"]]) for row in rows]


def _children(conn: Connection, source: str, rows: Sequence[Any]) -> dict[int, dict[str, Any]]:
    ids = [row["id"] for row in rows]
    lines: defaultdict[int, list[InterventionLine]] = defaultdict(list)
    links: defaultdict[int, list[int]] = defaultdict(list)
    line_columns = LINES.table.c
    for part in chunks(ids):
        line_query = (
            select(LINES.table)
            .where(line_columns.source == source, line_columns.intervention_id.in_(part))
            .order_by(line_columns.rank, line_columns.id)
        )
        for line in conn.execute(line_query):
            lines[line.intervention_id].append(LINES.record(line._mapping))
        link_query = select(_LINKS).where(
            _LINKS.c.source == source, _LINKS.c.intervention_id.in_(part)
        )
        for link in conn.execute(link_query.order_by(_LINKS.c.ticket_id)):
            links[link.intervention_id].append(link.ticket_id)
    return {
        row["id"]: {
            "lines": tuple(lines[row["id"]]),
            "linked_ticket_ids": tuple(links[row["id"]]) if row["links_known"] else None,
        }
        for row in rows
    }


def known_versions(
    conn: Connection, mirror: Mirror[Any], source: str, ids: Iterable[int]
) -> dict[int, int | None]:
    columns = mirror.table.c
    version = columns.modified_at if mirror.has_modified_at else None
    found: dict[int, int | None] = {}
    for part in chunks(sorted(set(ids))):
        query = select(columns.id, *([version] if version is not None else [])).where(
            columns.source == source, columns.id.in_(part), columns.deleted_at.is_(None)
        )
        for row in conn.execute(query):
            found[row[0]] = row[1] if version is not None else None
    return found


def ids_present(conn: Connection, mirror: Mirror[Any], source: str) -> set[int]:
    columns = mirror.table.c
    query = select(columns.id).where(columns.source == source, columns.deleted_at.is_(None))
    return set(conn.scalars(query))


def changes_since(conn: Connection, seq: int, limit: int, source: str | None) -> list[Change]:
    query = select(_LOG).where(_LOG.c.seq > seq)
    if source is not None:
        query = query.where(_LOG.c.source == source)
    rows = conn.execute(query.order_by(_LOG.c.seq).limit(limit))
    return [
        Change(
            seq=row.seq,
            source=row.source,
            entity=row.entity,
            object_id=row.object_id,
            kind=row.kind,
            changes=change_from_json(row.changes),
            at=row.at,
            origin=row.origin,
        )
        for row in rows
    ]


def last_change_seq(conn: Connection) -> int:
    return conn.scalar(select(func.max(_LOG.c.seq))) or 0
