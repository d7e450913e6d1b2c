"""What a sync run did: counts per entity and for the whole run.

What this module knows: the counters the engine keeps while it walks an entity (``Tally``)
and the frozen reports it hands back (``EntityReport``, ``SyncReport``). No I/O, no wording:
the CLI turns a report into the summary line.
"""

from __future__ import annotations

from dataclasses import dataclass

from dolisync.errors import DolisyncError
from dolisync.records import Entity
from dolisync.store.results import PageResult


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityReport:
    """One entity of one run.

    ``listed`` counts rows the listings returned (agenda events of every kind for messages),
    ``fetched`` full objects read, ``created + updated + unchanged`` the objects seen.
    ``error`` is set when the entity failed; ``skipped`` when it was not attempted because
    an earlier entity's error stops the whole run (e.g. a wrong key, Dolibarr unreachable).
    """

    entity: Entity
    full: bool = False
    listed: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    pages: int = 0
    requests: int = 0
    seconds: float = 0.0
    error: DolisyncError | None = None
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def seen(self) -> int:
        """Objects of this entity looked at (written or found unchanged)."""
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    """A whole run: one report per entity, in the order they ran, plus run-wide totals.

    ``requests`` includes the ``/status`` probe that starts every run.
    """

    entities: tuple[EntityReport, ...] = ()
    full: bool = False
    requests: int = 0
    seconds: float = 0.0
    dolibarr_version: str | None = None

    def _sum(self, name: str) -> int:
        return sum(int(getattr(report, name)) for report in self.entities)

    @property
    def listed(self) -> int:
        return self._sum("listed")

    @property
    def fetched(self) -> int:
        return self._sum("fetched")

    @property
    def created(self) -> int:
        return self._sum("created")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def deleted(self) -> int:
        return self._sum("deleted")

    @property
    def seen(self) -> int:
        return self._sum("seen")

    @property
    def errors(self) -> list[tuple[Entity, DolisyncError]]:
        """``(entity, error)`` of every failed entity (skipped ones excluded), in run order."""
        return [
            (report.entity, report.error)
            for report in self.entities
            if report.error is not None and not report.skipped
        ]

    @property
    def first_error(self) -> DolisyncError | None:
        errors = self.errors
        return errors[0][1] if errors else None

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.entities)


@dataclass(slots=True)
class Tally:
    """Mutable counters of one entity while it is being walked."""

    listed: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    pages: int = 0

    def add_page(self, *, listed: int, fetched: int, skipped: int, result: PageResult) -> None:
        """One committed page: ``skipped`` rows were known already and not even fetched."""
        self.pages += 1
        self.listed += listed
        self.fetched += fetched
        self.created += result.created
        self.updated += result.updated
        self.unchanged += result.unchanged + skipped

    def report(
        self,
        entity: Entity,
        *,
        full: bool,
        requests: int,
        seconds: float,
        error: DolisyncError | None = None,
    ) -> EntityReport:
        return EntityReport(
            entity=entity,
            full=full,
            listed=self.listed,
            fetched=self.fetched,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            deleted=self.deleted,
            pages=self.pages,
            requests=requests,
            seconds=seconds,
            error=error,
        )
