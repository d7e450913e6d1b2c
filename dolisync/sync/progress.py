"""How the engine tells its caller what it is doing, page by page, without printing.

What this module knows: the three moments a caller may care about (an entity starts, a page
is committed, an entity ends) and the numbers available at each. The CLI draws a progress
bar from them; the daemon ignores them (``NO_PROGRESS``); tests use them to stop a run at an
exact point. A page is reported only after the store committed it, so whatever a callback
does (even raise) the mirror and its cursor stay consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

from dolisync.records import Entity
from dolisync.sync.report import EntityReport


@dataclass(frozen=True, slots=True, kw_only=True)
class PageProgress:
    """One committed page, and the entity's running totals after it."""

    entity: Entity
    page: int  # 1 for the first page of this entity in this run
    rows: int  # rows on this page's listing
    fetched: int  # full objects read for this page
    created: int
    updated: int
    unchanged: int
    seen_total: int  # objects of the entity seen so far in this run
    requests_total: int  # HTTP requests the entity cost so far


class SyncProgress(Protocol):
    def entity_started(self, entity: Entity) -> None: ...

    def page_committed(self, page: PageProgress) -> None: ...

    def entity_finished(self, report: EntityReport) -> None: ...


class NoProgress:
    """Ignores everything (the default)."""

    def entity_started(self, entity: Entity) -> None:
        pass

    def page_committed(self, page: PageProgress) -> None:
        pass

    def entity_finished(self, report: EntityReport) -> None:
        pass


NO_PROGRESS: Final[SyncProgress] = NoProgress()
