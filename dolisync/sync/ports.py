"""What the sync engine needs from a Dolibarr client and from a store, and nothing more.

What this module knows: the narrow set of calls the engine makes. ``DolibarrClient`` and
``Store`` satisfy these protocols structurally (``service.py`` wires them, and mypy checks
the fit there), so the engine never depends on how HTTP or SQL is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from dolisync.dolibarr.pagination import Page, Position
from dolisync.dolibarr.timezone import ServerInfo
from dolisync.dolibarr.transport import RequestStats
from dolisync.records import Entity, Intervention, Record, ThirdParty, Ticket, User
from dolisync.store.results import PageResult
from dolisync.store.results import Position as StoredPosition


class SyncClient(Protocol):
    @property
    def source(self) -> str: ...

    @property
    def stats(self) -> RequestStats: ...

    @property
    def learned_offset(self) -> int | None: ...

    def status(self) -> ServerInfo: ...

    def pages(
        self,
        entity: Entity,
        position: Position | None = None,
        *,
        full: bool,
        limit: int | None = None,
        properties: Sequence[str] | None = None,
    ) -> Iterator[Page]: ...

    def fetch_by_ids(self, entity: Entity, ids: Iterable[int]) -> list[dict[str, Any]]: ...

    def newest_modified(self, entity: Entity) -> int | None: ...

    def parse(self, entity: Entity, raw: Mapping[str, Any]) -> Record | None: ...

    def get_ticket(self, ticket_id: int) -> Ticket: ...

    def get_intervention(self, intervention_id: int) -> Intervention: ...

    def get_user(self, user_id: int) -> User: ...

    def get_thirdparty(self, thirdparty_id: int) -> ThirdParty: ...

    def exists(self, entity: Entity, object_id: int) -> bool: ...


class SyncStore(Protocol):
    def apply_page(
        self,
        source: str,
        entity: Entity,
        records: Sequence[Record],
        *,
        position: StoredPosition | None,
        synced_at: float,
    ) -> PageResult: ...

    def mark_deleted(
        self, source: str, entity: Entity, ids: Iterable[int], *, at: float
    ) -> int: ...

    def set_sync_result(
        self,
        source: str,
        entity: Entity,
        *,
        ok: bool,
        at: float,
        error: str | None = None,
        full: bool = False,
    ) -> None: ...

    def set_instance(
        self,
        source: str,
        *,
        version: str | None,
        timezone: str | None,
        url: str | None,
        probed_at: float,
        utc_offset: int | None = None,
    ) -> None: ...

    def known_versions(
        self, source: str, entity: Entity, ids: Iterable[int]
    ) -> dict[int, int | None]: ...

    def ids_present(self, source: str, entity: Entity) -> set[int]: ...

    def get_position(self, source: str, entity: Entity) -> StoredPosition: ...

    def begin_first_load(self, source: str, entity: Entity, bound: int | None) -> int | None: ...
