"""Walking one entity's listings and applying what changed, one committed page at a time.

What this module knows: the three walks of the sync design and what each one costs.

* **Incremental** (tickets, interventions, third parties, users): keyset on (tms, rowid),
  ascending, from the high-water mark minus the overlap window. Polls list only
  ``id`` and the modification field (≈90 B a row), compare with ``store.known_versions``
  and fetch whole objects only for new or changed ids (``fetch_by_ids``, one request per
  page). A quiet poll therefore costs one small request and writes nothing.
* **First load** (no high-water mark yet): keyset on rowid, whole objects directly (one
  request per page), each page committed with its id as the cursor so that an interrupted
  load resumes there; at the end, the first high-water mark (``firstload``). Dolibarr has
  no index on ``tms``: a (tms, rowid) walk would make it sort the whole table per page.
* **Full** (``--full``): keyset on rowid over everything; at the end, objects that were not
  listed are marked deleted (kept, never removed). Nothing is marked deleted unless the
  listing ran to its end: an error stops the walk before that step.
* **Messages**: agenda events of tickets, by event id. Events that are not ticket messages
  (automatic "created/modified" entries) move the cursor but are not stored.

Each page is written by one ``store.apply_page`` call, and the cursor travels in that same
transaction: a crash loses at most the page in flight, which the next run reads again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from structlog.stdlib import BoundLogger

from dolisync.clock import Clock
from dolisync.dolibarr.coerce import FieldReader
from dolisync.dolibarr.pagination import IdPosition, Page
from dolisync.dolibarr.resources import spec_for
from dolisync.errors import SyncError
from dolisync.records import Entity, Record
from dolisync.store.results import PageResult
from dolisync.store.results import Position as StoredPosition
from dolisync.sync.cursor import (
    NO_CURSOR,
    has_high_water,
    id_start,
    is_ahead,
    later,
    overlap_start,
    settle,
    to_stored,
)
from dolisync.sync.firstload import cursor_after, is_final, load_bound
from dolisync.sync.ports import SyncClient, SyncStore
from dolisync.sync.prefetch import prefetched
from dolisync.sync.progress import PageProgress, SyncProgress
from dolisync.sync.report import Tally
from dolisync.sync.rowclock import RowClock
from dolisync.sync.single import fetch_one

Raw = Mapping[str, Any]
Indexed = dict[int, tuple[Raw, int | None]]  # id -> (row, modified_at)

# A full resync reads each object missing from its listing once by id before marking it
# deleted; past this many, a sample is read first, so lost visibility fails fast.
CONFIRM_ONE_BY_ONE = 50
SAMPLE_SIZE = 10


class EntityWalk:
    """One entity of one run: walks its listing and commits each page with its cursor."""

    def __init__(
        self,
        *,
        client: SyncClient,
        store: SyncStore,
        entity: Entity,
        page_size: int,
        clock: Clock,
        progress: SyncProgress,
        log: BoundLogger,
    ) -> None:
        self._client = client
        self._store = store
        self._entity: Entity = entity
        self._spec = spec_for(entity)
        self._page_size = page_size
        self._clock = clock
        self._progress = progress
        self._log = log
        self._requests_at_start = client.stats.requests
        self.tally = Tally()

    @property
    def _source(self) -> str:
        return self._client.source

    @property
    def requests(self) -> int:
        """HTTP requests this walk has cost so far (retries included)."""
        return self._client.stats.requests - self._requests_at_start

    # -- the walks -----------------------------------------------------------------------

    def incremental(self, overlap: float, row_clock: RowClock) -> None:
        stored = self._store.get_position(self._source, self._entity)
        start = overlap_start(stored, overlap)
        if start is None:  # never synced (or a first load was interrupted): walk by id
            self._walk_by_id(stored, row_clock, full=False)
            return
        settled_until = stored[0]  # rows modified after this may hide a same-second change
        pages = self._client.pages(
            self._entity,
            start,
            full=False,
            limit=self._page_size,
            properties=self._light_properties(),
        )
        for page in pages:
            index = self._index(page.rows)
            row_clock.observe(modified_at for _, modified_at in index.values())
            changed = self._changed(index, settled_until)
            records = self._fetch(changed)
            position = None
            candidate = settle(to_stored(page.position), row_clock.now())
            if is_ahead(candidate, stored):
                position = stored = candidate
            self._commit(
                rows=len(page.rows),
                fetched=len(records),
                records=records,
                position=position,
                skipped=len(index) - len(changed),
            )

    def full(self, row_clock: RowClock) -> None:
        stored = self._store.get_position(self._source, self._entity)
        self._walk_by_id(stored, row_clock, full=True)

    def _walk_by_id(self, stored: StoredPosition, row_clock: RowClock, *, full: bool) -> None:
        """Everything, by id: a ``full`` walk (from the first id; marks what is missing as
        deleted) or a first load (resumes after the id it last committed). A walk of a
        never-synced entity ends by storing its first high-water mark (see ``firstload``)."""
        first = not has_high_water(stored)
        bound = self._begin_first_load(row_clock) if first else None
        heavy = self._spec.list_is_complete
        seen: set[int] = set()
        newest = NO_CURSOR
        listing = self._client.pages(
            self._entity,
            IdPosition(0 if full else stored[1] or 0),
            full=True,
            limit=self._page_size,
            properties=None if heavy else self._light_properties(),
        )
        # a light listing fetches objects between pages: the session is not free for a worker
        with _one_ahead(listing, enabled=heavy) as pages:
            for page in pages:
                index = self._index(page.rows)
                row_clock.observe(modified_at for _, modified_at in index.values())
                if full:
                    seen.update(index)
                newest = later(newest, _newest(index, bound))
                records, skipped = self._whole_objects(index, stored[0], heavy=heavy)
                position = None
                if first and is_ahead(to_stored(page.position), stored):
                    position = stored = to_stored(page.position)  # an interrupted load resumes here
                self._commit(
                    rows=len(page.rows),
                    fetched=len(page.rows) if heavy else len(records),
                    records=records,
                    position=position,
                    skipped=skipped,
                )
        if full:
            self._mark_missing(seen)
        if first:
            cursor = cursor_after(newest, bound)
            if has_high_water(cursor):
                self._store_cursor(cursor)

    def _whole_objects(
        self, index: Indexed, settled_until: int | None, *, heavy: bool
    ) -> tuple[list[Record], int]:
        """The records to apply for a page walked by id, and how many rows were skipped."""
        if heavy:
            # Whole objects are in hand anyway: let the store compare every one, which also
            # repairs a row whose content drifted while its modified_at did not.
            return self._parse_rows(index, index), 0
        changed = self._changed(index, settled_until)
        return self._fetch(changed), len(index) - len(changed)

    def _begin_first_load(self, row_clock: RowClock) -> int | None:
        """The bound of this first load's cursor (an interrupted attempt's, if one is stored)."""
        newest_at_start = self._client.newest_modified(self._entity)
        if newest_at_start is not None:
            row_clock.observe([newest_at_start])
        bound = load_bound(newest_at_start, row_clock.now())
        return self._store.begin_first_load(self._source, self._entity, bound)

    def messages(self, *, full: bool) -> None:
        stored = self._store.get_position(self._source, self._entity)
        start = IdPosition(0) if full else id_start(stored)
        seen: set[int] = set()
        listing = self._client.pages(self._entity, start, full=full, limit=self._page_size)
        with _one_ahead(listing, enabled=True) as pages:
            self._walk_messages(pages, stored, seen, full=full)
        if full:
            self._mark_missing(seen)

    def _walk_messages(
        self, pages: Iterator[Page], stored: StoredPosition, seen: set[int], *, full: bool
    ) -> None:
        for page in pages:
            messages = self._parse_all(page.rows)
            seen.update(message.id for message in messages)
            records = messages if full else self._unknown(messages)
            position = None
            candidate = to_stored(page.position)
            if is_ahead(candidate, stored):
                position = stored = candidate
            self._commit(
                rows=len(page.rows),
                fetched=len(page.rows),
                records=records,
                position=position,
                skipped=len(messages) - len(records),
            )

    # -- pieces ---------------------------------------------------------------------------

    def _light_properties(self) -> tuple[str, ...]:
        modified = self._spec.modified_field
        return (self._spec.id_field, modified) if modified else (self._spec.id_field,)

    def _index(self, rows: Iterable[Raw]) -> Indexed:
        """id -> (row, modified_at) of a listing page."""
        modified = self._spec.modified_field
        index: Indexed = {}
        for raw in rows:
            reader = FieldReader(raw, self._entity)
            object_id = reader.int_(self._spec.id_field)
            index[object_id] = (raw, reader.epoch(modified) if modified else None)
        return index

    def _changed(self, index: Indexed, settled_until: int | None) -> list[int]:
        """Ids to fetch: (id, modified_at) not stored yet (new, changed, deleted before), or
        modified after ``settled_until`` (read in their own second: see ``cursor.settle``)."""
        known = self._store.known_versions(self._source, self._entity, index)
        return [
            object_id
            for object_id, (_, modified_at) in index.items()
            if object_id not in known
            or known[object_id] != modified_at
            or _after(modified_at, settled_until)
        ]

    def _unknown(self, records: Sequence[Record]) -> list[Record]:
        known = self._store.known_versions(self._source, self._entity, (r.id for r in records))
        return [record for record in records if record.id not in known]

    def _parse_all(self, rows: Iterable[Raw]) -> list[Record]:
        parsed = (self._client.parse(self._entity, raw) for raw in rows)
        return [record for record in parsed if record is not None]

    def _parse_rows(self, index: Indexed, ids: Iterable[int]) -> list[Record]:
        return self._parse_all(index[object_id][0] for object_id in ids)

    def _fetch(self, ids: Sequence[int]) -> list[Record]:
        """Whole objects for these ids; ids gone meanwhile are simply absent."""
        if not ids:
            return []
        if self._spec.list_is_complete:
            return self._parse_all(self._client.fetch_by_ids(self._entity, ids))
        # Intervention list items never carry linkedObjectsIds (the ticket links): only
        # GET /interventions/{id} does. So every NEW OR CHANGED intervention costs one
        # request of its own (a quiet poll costs none; a first load of N costs N).
        fetched = (fetch_one(self._client, self._entity, object_id) for object_id in ids)
        return [record for record in fetched if record is not None]

    def _commit(
        self,
        *,
        rows: int,
        fetched: int,
        records: Sequence[Record],
        position: StoredPosition | None,
        skipped: int,
    ) -> None:
        result = PageResult()
        if records or position is not None:
            result = self._store.apply_page(
                self._source,
                self._entity,
                records,
                position=position,
                synced_at=self._clock.now(),
            )
        tally = self.tally
        tally.add_page(listed=rows, fetched=fetched, skipped=skipped, result=result)
        self._log.debug(
            "sync.page",
            page=tally.pages,
            rows=rows,
            fetched=fetched,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged + skipped,
            cursor=position,
        )
        self._progress.page_committed(
            PageProgress(
                entity=self._entity,
                page=tally.pages,
                rows=rows,
                fetched=fetched,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged + skipped,
                seen_total=tally.created + tally.updated + tally.unchanged,
                requests_total=self.requests,
            )
        )

    def _store_cursor(self, position: StoredPosition) -> None:
        self._store.apply_page(
            self._source, self._entity, [], position=position, synced_at=self._clock.now()
        )

    def _mark_missing(self, seen: set[int]) -> None:
        """After a COMPLETE full listing: mark what Dolibarr no longer has as deleted.

        Missing from the listing is not proof of deletion: an API user who lost the right
        "all third parties" (or agenda rights) lists fewer objects that still exist. So each
        candidate is read once by id (404: gone; an answer or a 403: still there, only
        hidden). When many are missing, a sample is read first and any survivor stops the
        marking altogether: lost visibility, not a mass deletion.
        """
        present = self._store.ids_present(self._source, self._entity)
        missing = sorted(present - seen)
        if not missing:
            return
        if self.tally.listed == 0:
            # An empty listing against a populated mirror is far more often lost visibility
            # (rights, third-party scope) than a Dolibarr emptied overnight: refuse to guess.
            raise SyncError(
                f"the full listing of {self._entity} came back empty while the mirror holds "
                f"{len(present)}; nothing was marked deleted",
                hint="check that the API user still sees them: run `dolisync doctor`",
            )
        checked = self._refuse_if_hidden(missing) if len(missing) > CONFIRM_ONE_BY_ONE else set()
        gone = [
            object_id
            for object_id in missing
            if object_id in checked or not self._client.exists(self._entity, object_id)
        ]
        if len(gone) < len(missing):
            self._log.warning(
                "sync.hidden",
                entity=self._entity,
                hidden=len(missing) - len(gone),
                hint="objects Dolibarr still has are missing from the listing: "
                "the API user sees less than before (run `dolisync doctor`)",
            )
        if gone:
            self.tally.deleted += self._store.mark_deleted(
                self._source, self._entity, gone, at=self._clock.now()
            )

    def _refuse_if_hidden(self, missing: list[int]) -> set[int]:
        """Read a sample of ``missing``; raise if any still exists, else the ids found gone."""
        step = max(1, len(missing) // SAMPLE_SIZE)
        sample = missing[::step][:SAMPLE_SIZE]
        survivors = [
            object_id for object_id in sample if self._client.exists(self._entity, object_id)
        ]
        if survivors:
            raise SyncError(
                f"{len(missing)} {self._entity} are missing from the full listing, but "
                f"Dolibarr still has {len(survivors)} of the {len(sample)} checked (e.g. id "
                f"{survivors[0]}); nothing was marked deleted",
                hint="the API user probably sees less than before (rights or third-party "
                "scope): run `dolisync doctor`",
            )
        return set(sample)


def _after(modified_at: int | None, mark: int | None) -> bool:
    return modified_at is not None and mark is not None and modified_at > mark


def _newest(index: Indexed, bound: int | None) -> StoredPosition:
    """The newest (modified_at, id) of a page among rows final below ``bound``."""
    newest = NO_CURSOR
    for object_id, (_, modified_at) in index.items():
        if is_final(modified_at, bound):
            newest = later(newest, (modified_at, object_id))
    return newest


def _one_ahead(listing: Iterator[Page], *, enabled: bool) -> AbstractContextManager[Iterator[Page]]:
    """The listing with the next page fetched while this one is written (``prefetch``)."""
    return prefetched(listing) if enabled else nullcontext(listing)
