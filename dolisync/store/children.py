"""An intervention's children: its lines and its links to tickets.

They are not columns of ``interventions``: lines live in ``intervention_lines`` and links in
``ticket_intervention_links``. Here they are read for comparison, compared, and replaced
when their intervention is written (links only when the page carried them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, Table, delete, insert, select

from dolisync.records import Intervention, Record
from dolisync.store.codec import LINES, dump_json, lines_view, links_view, unique_by_id
from dolisync.store.dialect import chunks, upsert
from dolisync.store.tables import InterventionLineRow, TicketInterventionLink, table

_LINES = table(InterventionLineRow)
_LINKS = table(TicketInterventionLink)


def _of(children: Table, source: str, ids: Sequence[int]) -> tuple[ColumnElement[bool], ...]:
    return (children.c.source == source, children.c.intervention_id.in_(ids))


@dataclass(frozen=True, slots=True)
class Children:
    lines: list[dict[str, Any]]
    links: list[int] | None  # None: the store never learnt this intervention's links


def existing_children(
    conn: Connection, source: str, existing: Mapping[int, RowMapping]
) -> dict[int, Children]:
    ids = [key for key, row in existing.items() if row["deleted_at"] is None]
    lines: dict[int, list[RowMapping]] = {key: [] for key in ids}
    links: dict[int, list[int]] = {key: [] for key in ids}
    for part in chunks(ids):
        for row in conn.execute(select(_LINES).where(*_of(_LINES, source, part))):
            lines[row.intervention_id].append(row._mapping)
        for row in conn.execute(select(_LINKS).where(*_of(_LINKS, source, part))):
            links[row.intervention_id].append(row.ticket_id)
    return {
        key: Children(
            lines_view(lines[key]),
            links_view(links[key]) if existing[key]["links_known"] else None,
        )
        for key in ids
    }


def children_diff(old: Children | None, new: Intervention) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    old_lines = old.lines if old else []
    new_lines = lines_view(new.lines)
    if old_lines != new_lines:
        changes["lines"] = (old_lines, new_lines)
    if new.linked_ticket_ids is not None:
        old_links = old.links if old else None
        new_links = links_view(new.linked_ticket_ids)
        if old_links != new_links:
            changes["linked_ticket_ids"] = (old_links, new_links)
    return changes


def replace_children(
    conn: Connection, source: str, interventions: Sequence[Record], synced_at: float
) -> None:
    """Replace the lines of the written interventions, and their links when the page knew them."""
    written = [record for record in interventions if isinstance(record, Intervention)]
    ids = [record.id for record in written]
    for part in chunks(ids):
        conn.execute(delete(_LINES).where(*_of(_LINES, source, part)))
    line_rows = [
        {
            **LINES.values(line),
            "source": source,
            "intervention_id": record.id,
            "raw": dump_json(line.raw),
            "synced_at": synced_at,
        }
        for record in written
        for line in unique_by_id(record.lines)
    ]
    # upsert, not insert: a line may have moved here from an intervention outside this page
    upsert(conn, _LINES, line_rows, ("source", "id"))
    known = [record for record in written if record.linked_ticket_ids is not None]
    for part in chunks([record.id for record in known]):
        conn.execute(delete(_LINKS).where(*_of(_LINKS, source, part)))
    link_rows = [
        {"source": source, "ticket_id": ticket_id, "intervention_id": record.id}
        for record in known
        for ticket_id in links_view(record.linked_ticket_ids or ())
    ]
    if link_rows:
        conn.execute(insert(_LINKS), link_rows)
