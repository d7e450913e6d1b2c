"""Walking a Dolibarr list page by page with keyset cursors (never ``page=`` offsets).

What this module knows: the three cursors dolisync needs, the exact ``sortfield`` and
``sqlfilters`` each one sends, and how a page moves the cursor. It does not persist
anything: a pager yields ``Page(rows, position)``; the caller commits the rows and only
then stores ``page.position`` (so a crash re-reads a page instead of skipping one).

* ``IdCursor`` (full loads, agenda events): ``sortfield=<id>``, ``(<id>:>:<last id>)``.
* ``ModifiedCursor`` (incremental polls): ``sortfield=t.tms,t.rowid`` and
  ``((t.tms:>:'T') or ((t.tms:=:'T') and (t.rowid:>:ID)))``; T is the last row's
  modification epoch formatted in the server's wall-clock time (``ServerClock``).

A run stops after the first page shorter than ``limit``. Positions are frozen dataclasses of
plain ints so the store can serialise them (``dataclasses.asdict``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from dolisync.dolibarr import sqlfilters as sf
from dolisync.dolibarr.sqlfilters import Filter
from dolisync.errors import InvalidResponse

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class IdPosition:
    """After the row with this id (0: from the start)."""

    last_id: int = 0


@dataclass(frozen=True, slots=True)
class KeysetPosition:
    """After the row (modified_at, last_id); modified_at is an epoch, None: from the start.

    To re-read an overlap window, start at ``KeysetPosition(high_water - overlap, 0)``.
    """

    modified_at: int | None = None
    last_id: int = 0


Position = IdPosition | KeysetPosition


def position_to_dict(position: Position) -> dict[str, Any]:
    """A JSON-able form of a position (``kind`` tells which), for the store."""
    if isinstance(position, IdPosition):
        return {"kind": "id", "last_id": position.last_id}
    return {"kind": "keyset", "modified_at": position.modified_at, "last_id": position.last_id}


def position_from_dict(data: dict[str, Any]) -> Position:
    """The position ``position_to_dict`` wrote (ValueError for anything else)."""
    kind = data.get("kind")
    last_id = data.get("last_id")
    modified_at = data.get("modified_at")
    if not isinstance(last_id, int) or isinstance(last_id, bool):
        raise ValueError(f"a stored cursor position needs an integer last_id: {data!r}")
    if kind == "id":
        return IdPosition(last_id)
    if kind == "keyset" and (modified_at is None or type(modified_at) is int):
        return KeysetPosition(modified_at, last_id)
    raise ValueError(f"not a stored cursor position: {data!r}")


@dataclass(frozen=True, slots=True)
class Page:
    """One list answer and the cursor position *after* it (store it once rows are committed)."""

    rows: list[Row]
    position: Position
    request_count: int  # HTTP requests this page cost (1 unless something extra was needed)
    is_last: bool  # shorter than the limit: nothing more right now


class Strategy(Protocol):
    """A cursor kind: which sort, which filter for a position, how rows move it."""

    @property
    def sortfield(self) -> str: ...

    def start(self) -> Position: ...

    def filter_for(self, position: Position) -> Filter | None:
        """The cursor part of ``sqlfilters`` (None: no restriction)."""
        ...

    def advance(self, position: Position, rows: Sequence[Row]) -> Position:
        """The position after ``rows`` (raises InvalidResponse on a row without cursor fields)."""
        ...

    def required_properties(self) -> tuple[str, ...]:
        """JSON fields the cursor reads; added to any ``properties`` selection."""
        ...


class IdCursor:
    """Keyset on one integer column, ascending (``t.rowid``; ``t.id`` for agenda events)."""

    def __init__(self, column: str = "t.rowid", field: str = "id") -> None:
        self.column = column
        self.field = field

    @property
    def sortfield(self) -> str:
        return self.column

    def start(self) -> IdPosition:
        return IdPosition()

    def filter_for(self, position: Position) -> Filter | None:
        last_id = _expect(position, IdPosition).last_id
        return sf.gt(self.column, last_id) if last_id > 0 else None

    def advance(self, position: Position, rows: Sequence[Row]) -> IdPosition:
        if not rows:
            return _expect(position, IdPosition)
        return IdPosition(last_id=row_int(rows[-1], self.field))

    def required_properties(self) -> tuple[str, ...]:
        return (self.field,)


class ModifiedCursor:
    """Keyset on (modification time, id), ascending, for incremental polls.

    ``format_literal`` turns an epoch into the server's ``'YYYY-MM-DD HH:MM:SS'`` wall clock
    (``ServerClock.format_literal``); ``modified_field`` is the JSON field holding that epoch
    (``tms`` for tickets, ``datem`` for interventions and users, ``date_modification`` for
    third parties).
    """

    def __init__(
        self,
        format_literal: Callable[[int], str],
        *,
        modified_column: str = "t.tms",
        modified_field: str = "tms",
        id_column: str = "t.rowid",
        id_field: str = "id",
    ) -> None:
        self.format_literal = format_literal
        self.modified_column = modified_column
        self.modified_field = modified_field
        self.id_column = id_column
        self.id_field = id_field

    @property
    def sortfield(self) -> str:
        return f"{self.modified_column},{self.id_column}"

    def start(self) -> KeysetPosition:
        return KeysetPosition()

    def filter_for(self, position: Position) -> Filter | None:
        keyset = _expect(position, KeysetPosition)
        if keyset.modified_at is None:
            return None
        literal = sf.DateTimeLiteral(self.format_literal(keyset.modified_at))
        if keyset.last_id <= 0:
            # same-second rows all come again: a closed lower bound, as an overlap wants
            return sf.ge(self.modified_column, literal)
        return sf.or_(
            sf.gt(self.modified_column, literal),
            sf.and_(sf.eq(self.modified_column, literal), sf.gt(self.id_column, keyset.last_id)),
        )

    def advance(self, position: Position, rows: Sequence[Row]) -> KeysetPosition:
        if not rows:
            return _expect(position, KeysetPosition)
        last = rows[-1]
        return KeysetPosition(
            modified_at=row_int(last, self.modified_field), last_id=row_int(last, self.id_field)
        )

    def required_properties(self) -> tuple[str, ...]:
        return (self.id_field, self.modified_field)


class ListFetcher(Protocol):
    """What the pager needs from a client: one list request."""

    def __call__(
        self,
        *,
        sqlfilters: str | None,
        sortfield: str,
        sortorder: str,
        limit: int,
        properties: Sequence[str] | None,
    ) -> list[Row]: ...


def combine_filters(*filters: Filter | None) -> str | None:
    """The rendered ``and`` of the given filters (None when none is given)."""
    present = [f for f in filters if f is not None]
    return sf.and_(*present).render() if present else None


def with_required(properties: Sequence[str] | None, required: Sequence[str]) -> list[str] | None:
    """``properties`` plus the fields a cursor reads (None stays None: every field)."""
    if properties is None:
        return None
    return list(dict.fromkeys([*properties, *required]))


def iterate_pages(
    fetch: ListFetcher,
    strategy: Strategy,
    position: Position | None = None,
    *,
    limit: int = 100,
    base_filter: Filter | None = None,
    properties: Sequence[str] | None = None,
) -> Iterator[Page]:
    """Pages from ``position`` (None: the strategy's start) until one is shorter than ``limit``.

    The last page may be empty (when the previous one was exactly ``limit`` long).
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1 (0 would mean 'everything'), not {limit}")
    current = position if position is not None else strategy.start()
    wanted = with_required(properties, strategy.required_properties())
    while True:
        rows = fetch(
            sqlfilters=combine_filters(base_filter, strategy.filter_for(current)),
            sortfield=strategy.sortfield,
            sortorder="ASC",
            limit=limit,
            properties=wanted,
        )
        current = strategy.advance(current, rows)
        is_last = len(rows) < limit
        yield Page(rows=rows, position=current, request_count=1, is_last=is_last)
        if is_last:
            return


def row_int(row: Row, field: str) -> int:
    """``row[field]`` as an int (Dolibarr sends ``"172"``); InvalidResponse otherwise."""
    value = row.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise InvalidResponse(
        f"list row {row.get('id', '?')!r}: field {field!r} is {value!r}, not a whole number",
        hint="the answer is not what this Dolibarr version should send",
    )


_P = TypeVar("_P", IdPosition, KeysetPosition)


def _expect(position: Position, kind: type[_P]) -> _P:
    if not isinstance(position, kind):
        raise TypeError(f"this cursor walks {kind.__name__}, got {type(position).__name__}")
    return position
