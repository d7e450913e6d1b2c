"""What the store hands back: page results, change-log entries and status snapshots.

Plain frozen values, free of SQL, so the sync engine, the rules and the CLI can use them
without knowing how the store keeps its rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# A sync cursor: (modified_at epoch, last id) of the last object of the last page written.
Position = tuple[int | None, int | None]

ChangeKind = Literal["created", "updated", "deleted"]
# "sync": read from Dolibarr; "dolisync": the re-read of dolisync's own write (see the outbox)
ChangeOrigin = Literal["sync", "dolisync"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One change-log entry.

    ``changes`` maps a field name to ``(old, new)`` for ``updated``; it is empty for
    ``created`` (the object (re)appeared in the mirror: read the row itself) and ``deleted``
    (a full resync no longer found it). Intervention changes may name ``lines`` (a list of
    line dicts) and ``linked_ticket_ids`` (a sorted id list) besides the scalar columns.
    ``seq`` orders the whole log; ``at`` is the epoch the change was recorded; ``origin`` says
    whether it came from Dolibarr (``sync``) or from re-reading dolisync's own write.
    """

    seq: int
    source: str
    entity: str
    object_id: int
    kind: ChangeKind
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    at: float
    origin: ChangeOrigin = "sync"


@dataclass(frozen=True, slots=True, kw_only=True)
class PageResult:
    """What ``Store.apply_page`` did with one page."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityStatus:
    """The mirror of one entity for one source."""

    rows: int = 0  # not deleted
    deleted: int = 0
    cursor: Position | None = None
    last_sync: float | None = None
    last_full_sync: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        cursor = None
        if self.cursor is not None:
            cursor = {"modified_at": self.cursor[0], "last_id": self.cursor[1]}
        return {
            "rows": self.rows,
            "deleted": self.deleted,
            "cursor": cursor,
            "last_sync": self.last_sync,
            "last_full_sync": self.last_full_sync,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceStatus:
    """One Dolibarr instance as the store knows it (never its API key)."""

    source: str
    dolibarr_version: str | None = None
    timezone: str | None = None
    utc_offset: int | None = None
    url: str | None = None
    probed_at: float | None = None
    entities: Mapping[str, EntityStatus] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dolibarr_version": self.dolibarr_version,
            "timezone": self.timezone,
            "utc_offset": self.utc_offset,
            "url": self.url,
            "probed_at": self.probed_at,
            "entities": {name: status.to_dict() for name, status in self.entities.items()},
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreStatus:
    """Every source's status plus the schema migrations applied to the store."""

    sources: Mapping[str, SourceStatus] = field(default_factory=dict)
    migrations: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "migrations": list(self.migrations),
            "sources": {name: status.to_dict() for name, status in self.sources.items()},
        }
