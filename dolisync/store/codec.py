"""How records become rows and rows become records again, and how two versions differ.

Knows which table holds which entity and which of a record's fields are columns; knows
nothing about transactions. ``raw`` is stored as compact ASCII JSON text, key order kept.

Text the databases cannot hold (a NUL character: PostgreSQL refuses it in ``text``; a lone
surrogate: neither backend can encode it as UTF-8) is stored as U+FFFD in typed columns, on
every backend alike, so a record reads back the same wherever it is kept and re-syncing it
reports no change. ``raw`` keeps the original (JSON escapes both).
Intervention lines and ticket links are not columns: they live in their own tables and are
compared here as plain lists (lines as dicts sorted by rank then id, links as sorted ids).
"""

from __future__ import annotations

import functools
import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from sqlalchemy import Table

from dolisync.records import (
    Intervention,
    InterventionLine,
    Message,
    Record,
    ThirdParty,
    Ticket,
    User,
)
from dolisync.store.tables import (
    InterventionLineRow,
    InterventionRow,
    MessageRow,
    ThirdPartyRow,
    TicketRow,
    UserRow,
    table,
)

R = TypeVar("R", bound=Record)
_CHILD_FIELDS = frozenset({"raw", "lines", "linked_ticket_ids"})
LINE_FIELDS = ("id", "description", "date", "duration", "rank")


@dataclass(frozen=True, slots=True)
class Mirror(Generic[R]):
    """One mirrored entity: its table, its record class and the record fields stored as columns."""

    entity: str
    table: Table
    record_type: type[R]
    columns: tuple[str, ...]

    @property
    def has_modified_at(self) -> bool:
        return "modified_at" in self.columns

    def values(self, record: Record) -> dict[str, Any]:
        """The record's typed column values, text made storable (see ``storable``)."""
        # every column of every row of a bulk load comes through here: one C call reads them
        read = _column_reader(self.columns)(record)
        return {
            name: storable(value) if type(value) is str else value
            for name, value in zip(self.columns, read, strict=True)
        }

    def record(self, row: Mapping[Any, Any], **children: Any) -> R:
        """Rebuild a record from its row (typed columns and ``raw`` JSON text)."""
        values = {name: row[name] for name in self.columns}
        return self.record_type(**values, raw=json.loads(row["raw"]), **children)


@functools.cache
def _column_reader(columns: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The named attributes of an object, as one tuple (even for a single name)."""
    if len(columns) == 1:
        single = operator.attrgetter(columns[0])
        return lambda record: (single(record),)
    return operator.attrgetter(*columns)


def _mirror(entity: str, model: type[Any], record_type: type[R]) -> Mirror[R]:
    names = tuple(f.name for f in fields(record_type) if f.name not in _CHILD_FIELDS)
    return Mirror(entity, table(model), record_type, names)


TICKETS = _mirror("tickets", TicketRow, Ticket)
MESSAGES = _mirror("messages", MessageRow, Message)
INTERVENTIONS = _mirror("interventions", InterventionRow, Intervention)
THIRDPARTIES = _mirror("thirdparties", ThirdPartyRow, ThirdParty)
USERS = _mirror("users", UserRow, User)
LINES = _mirror("intervention_lines", InterventionLineRow, InterventionLine)
MIRRORS: dict[str, Mirror[Any]] = {
    mirror.entity: mirror for mirror in (TICKETS, MESSAGES, INTERVENTIONS, THIRDPARTIES, USERS)
}


def mirror_for(entity: str) -> Mirror[Any]:
    """The mirror of an entity name from ``dolisync.records.ENTITIES``."""
    try:
        return MIRRORS[entity]
    except KeyError:
        raise ValueError(f"unknown entity {entity!r}; expected one of {sorted(MIRRORS)}") from None


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def storable(value: Any) -> Any:
    """``value`` with NUL and lone surrogates in text replaced by U+FFFD; other values as is."""
    if type(value) is not str:
        return value
    if value.isascii():  # the common case, checked much faster than by the pattern
        return value.replace("\x00", REPLACEMENT) if "\x00" in value else value
    return _UNSTORABLE.sub(REPLACEMENT, value)


# ASCII only: a lone surrogate (valid in JSON, "\ud800") could not be stored as UTF-8 text
_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def dump_json(value: Any) -> str:
    """Compact JSON text, keys in their given order, non-ASCII escaped."""
    return _ENCODER.encode(value)


def diff(
    old: Mapping[Any, Any], new: Mapping[str, Any], names: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    """``{name: (old, new)}`` for every named value that differs."""
    return {name: (old[name], new[name]) for name in names if old[name] != new[name]}


def line_view(line: InterventionLine | Mapping[Any, Any]) -> dict[str, Any]:
    """A line's comparable content (no source, intervention id or raw)."""
    if isinstance(line, InterventionLine):
        return {name: storable(getattr(line, name)) for name in LINE_FIELDS}
    return {name: line[name] for name in LINE_FIELDS}


def lines_view(lines: Iterable[InterventionLine | Mapping[Any, Any]]) -> list[dict[str, Any]]:
    """Lines as comparable dicts, in the order the store reads them back (rank, then id)."""
    return sorted((line_view(line) for line in lines), key=lambda v: (v["rank"], v["id"]))


def links_view(ticket_ids: Iterable[int]) -> list[int]:
    return sorted(set(ticket_ids))


def change_json(changes: Mapping[str, tuple[Any, Any]]) -> str:
    if not changes:
        return "{}"
    return dump_json({name: [old, new] for name, (old, new) in changes.items()})


def change_from_json(text: str) -> dict[str, tuple[Any, Any]]:
    return {name: (pair[0], pair[1]) for name, pair in json.loads(text).items()}


def unique_by_id(records: Sequence[Record]) -> list[Record]:
    """The records with duplicate ids dropped, the last copy of each winning."""
    latest = {record.id: record for record in records}
    return list(latest.values())
