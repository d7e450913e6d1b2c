"""The sync engine: mirror the chosen entities of one Dolibarr into the store.

What this module knows: the order of a run (probe ``/status`` and record it, then walk each
entity), which errors fail one entity and which stop the whole run, how each entity's result
lands in the store's sync state, and how to refresh one object on demand (the hook for
webhook hints). It never prints: progress goes to a ``SyncProgress``, results come back as
a ``SyncReport``. How an entity is walked lives in ``walks.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from structlog.stdlib import BoundLogger

from dolisync.clock import Clock, SystemClock
from dolisync.dolibarr.timezone import ServerInfo
from dolisync.errors import AuthError, DolisyncError, StoreError, TransportError, UserError
from dolisync.logging import get_logger
from dolisync.records import ENTITIES, Entity
from dolisync.sync.ports import SyncClient, SyncStore
from dolisync.sync.progress import NO_PROGRESS, SyncProgress
from dolisync.sync.report import EntityReport, SyncReport
from dolisync.sync.rowclock import RowClock
from dolisync.sync.single import fetch_one
from dolisync.sync.walks import EntityWalk

DEFAULT_OVERLAP = 600.0
DEFAULT_PAGE_SIZE = 100

# Errors that say nothing about one entity: a refused key, an unreachable Dolibarr or an
# unusable store would fail every remaining entity the same way (and each 401 costs Dolibarr
# a deliberate second), so the rest of the run is skipped. Other errors (403 on users, 501
# for a disabled module, a bad answer) fail their entity only.
RUN_STOPPERS: tuple[type[DolisyncError], ...] = (AuthError, TransportError, StoreError)


def describe_error(error: DolisyncError) -> str:
    """One line for the store's ``last_error`` and for logs: class and message."""
    return f"{type(error).__name__}: {error.message}"


class SyncEngine:
    """Pulls Dolibarr objects into the store; one instance per (client, store) pair."""

    def __init__(
        self,
        client: SyncClient,
        store: SyncStore,
        *,
        entities: Sequence[Entity] = ENTITIES,
        overlap: float = DEFAULT_OVERLAP,
        page_size: int = DEFAULT_PAGE_SIZE,
        clock: Clock | None = None,
        instance_url: str | None = None,
    ) -> None:
        """``entities`` are the configured ones (``run`` may narrow them); ``overlap`` is how
        far before the high-water mark an incremental poll starts, in seconds."""
        self._client = client
        self._store = store
        self._entities = tuple(choose_entities(entities))
        self._overlap = overlap
        self._page_size = page_size
        self._clock = clock or SystemClock()
        self._instance_url = instance_url
        self._log = get_logger("dolisync.sync").bind(source=client.source)

    @property
    def entities(self) -> tuple[Entity, ...]:
        return self._entities

    def run(
        self,
        entities: Iterable[str] | None = None,
        *,
        full: bool = False,
        progress: SyncProgress | None = None,
    ) -> SyncReport:
        """Sync ``entities`` (default: the configured ones), incrementally or ``full``.

        Raises only when the ``/status`` probe fails (nothing was synced then); an entity's
        failure is recorded in its report and in the store, and the other entities go on
        unless the error stops the run (``RUN_STOPPERS``).
        """
        chosen = self._entities if entities is None else choose_entities(entities)
        progress = progress or NO_PROGRESS
        started = self._clock.monotonic()
        requests_before = self._client.stats.requests
        info = self._probe()
        # one for the whole run: every entity's tms comes from the same database clock
        row_clock = RowClock(info.timestamp_now_utc, clock=self._clock, asked_at=started)
        reports: list[EntityReport] = []
        stopper: DolisyncError | None = None
        for entity in chosen:
            if stopper is not None:
                reports.append(EntityReport(entity=entity, full=full, error=stopper, skipped=True))
                continue
            report = self._sync_entity(entity, full=full, progress=progress, row_clock=row_clock)
            reports.append(report)
            if isinstance(report.error, RUN_STOPPERS):
                stopper = report.error
        result = SyncReport(
            entities=tuple(reports),
            full=full,
            requests=self._client.stats.requests - requests_before,
            seconds=self._clock.monotonic() - started,
            dolibarr_version=info.dolibarr_version,
        )
        self._log.info(
            "sync.run",
            full=full,
            seen=result.seen,
            created=result.created,
            updated=result.updated,
            deleted=result.deleted,
            unchanged=result.unchanged,
            requests=result.requests,
            seconds=round(result.seconds, 3),
            failed=[entity for entity, _ in result.errors],
            tms_shift_s=row_clock.shift,
        )
        return result

    def refresh(self, entity: str, object_id: int) -> EntityReport:
        """Re-read one object now and apply it (marked deleted when Dolibarr lost it).

        This is what a webhook hint ("object X changed") turns into; the cursor is untouched.
        Errors propagate: the caller decides whether to retry.
        """
        (checked,) = choose_entities([entity])
        started = self._clock.monotonic()
        requests_before = self._client.stats.requests
        record = fetch_one(self._client, checked, object_id)
        source = self._client.source
        if record is None:
            deleted = self._store.mark_deleted(source, checked, [object_id], at=self._clock.now())
            report = EntityReport(entity=checked, deleted=deleted)
        else:
            result = self._store.apply_page(
                source, checked, [record], position=None, synced_at=self._clock.now()
            )
            report = EntityReport(
                entity=checked,
                fetched=1,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
            )
        report = replace(
            report,
            requests=self._client.stats.requests - requests_before,
            seconds=self._clock.monotonic() - started,
        )
        self._log.info(
            "sync.refresh",
            entity=checked,
            id=object_id,
            created=report.created,
            updated=report.updated,
            deleted=report.deleted,
        )
        return report

    # -- internals ----------------------------------------------------------------------

    def _probe(self) -> ServerInfo:
        info = self._client.status()
        self._store.set_instance(
            self._client.source,
            version=info.dolibarr_version,
            timezone=info.php_timezone,
            url=self._instance_url,
            probed_at=self._clock.now(),
            utc_offset=self._client.learned_offset,
        )
        if info.access_locked:
            self._log.warning("dolibarr.access_locked", version=info.dolibarr_version)
        return info

    def _sync_entity(
        self, entity: Entity, *, full: bool, progress: SyncProgress, row_clock: RowClock
    ) -> EntityReport:
        log = self._log.bind(entity=entity)
        walk = EntityWalk(
            client=self._client,
            store=self._store,
            entity=entity,
            page_size=self._page_size,
            clock=self._clock,
            progress=progress,
            log=log,
        )
        started = self._clock.monotonic()
        progress.entity_started(entity)
        error: DolisyncError | None = None
        try:
            if entity == "messages":
                walk.messages(full=full)
            elif full:
                walk.full(row_clock)
            else:
                walk.incremental(self._overlap, row_clock)
            self._store.set_sync_result(
                self._client.source, entity, ok=True, at=self._clock.now(), full=full
            )
        except DolisyncError as caught:
            error = caught
            self._record_failure(entity, caught, full=full)
        report = walk.tally.report(
            entity,
            full=full,
            requests=walk.requests,
            seconds=self._clock.monotonic() - started,
            error=error,
        )
        _log_entity(log, report)
        progress.entity_finished(report)
        return report

    def _record_failure(self, entity: Entity, error: DolisyncError, *, full: bool) -> None:
        try:
            self._store.set_sync_result(
                self._client.source,
                entity,
                ok=False,
                at=self._clock.now(),
                error=describe_error(error),
                full=full,
            )
        except StoreError as store_error:
            # The entity's own error is what the user must see; this one is only logged.
            self._log.error("sync.record_failed", entity=entity, error=describe_error(store_error))


def choose_entities(names: Iterable[str]) -> list[Entity]:
    """The entities named, in the order given, each once; UserError for an unknown name."""
    chosen: list[Entity] = []
    for name in names:
        entity = _as_entity(name)
        if entity not in chosen:
            chosen.append(entity)
    return chosen


def _as_entity(name: str) -> Entity:
    for entity in ENTITIES:
        if entity == name:
            return entity
    raise UserError(
        f"unknown entity {name!r}",
        hint=f"choose among: {', '.join(ENTITIES)}",
    )


def _log_entity(log: BoundLogger, report: EntityReport) -> None:
    fields = {
        "full": report.full,
        "pages": report.pages,
        "listed": report.listed,
        "fetched": report.fetched,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "deleted": report.deleted,
        "requests": report.requests,
        "seconds": round(report.seconds, 3),
    }
    if report.error is None:
        log.info("sync.entity", **fields)
    else:
        log.warning("sync.entity_failed", error=describe_error(report.error), **fields)
