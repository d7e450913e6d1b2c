"""``DolibarrClient``: the one object the rest of dolisync uses to talk to a Dolibarr.

What this module knows: how to combine transport, resources, pagination, server time and
parsing into the reads sync needs (the writes live in ``writes.py``). Lists and pages return
raw dicts (the caller parses them with ``parse`` once it has decided to keep them);
single-object reads return typed records. Lookups never use ``/tickets/ref/…`` (20.0.2
answers a fake ticket with id 0 there): they filter lists, and any object with id 0 is
"not found".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import structlog

from dolisync.clock import Clock, SystemClock
from dolisync.dolibarr import sqlfilters as sf
from dolisync.dolibarr.lists import list_page
from dolisync.dolibarr.pagination import (
    IdCursor,
    ModifiedCursor,
    Page,
    Position,
    Row,
    Strategy,
    combine_filters,
    iterate_pages,
    row_int,
)
from dolisync.dolibarr.parse import (
    parse_intervention,
    parse_message,
    parse_thirdparty,
    parse_ticket,
    parse_user,
)
from dolisync.dolibarr.resources import ResourceSpec, spec_for
from dolisync.dolibarr.servertime import ServerTime
from dolisync.dolibarr.timezone import ServerClock, ServerInfo
from dolisync.dolibarr.transport import (
    DEFAULT_TIMEOUT,
    RequestStats,
    RetryPolicy,
    Timeout,
    Transport,
)
from dolisync.dolibarr.writes import WriteMethods
from dolisync.errors import InvalidResponse, NotFound, PermissionDenied
from dolisync.records import Entity, Intervention, Record, ThirdParty, Ticket, User

DEFAULT_PAGE_SIZE = 100
FETCH_BY_IDS_BATCH = 100
LOOKUP_LIMIT = 100

log = structlog.get_logger(__name__)


class DolibarrClient(WriteMethods):
    def __init__(
        self,
        transport: Transport,
        *,
        source: str,
        page_size: int = DEFAULT_PAGE_SIZE,
        clock: Clock | None = None,
        server_clock: ServerClock | None = None,
    ) -> None:
        """``source`` names this Dolibarr in every record; ``server_clock`` skips discovery
        (e.g. a zone or an offset the store remembered)."""
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, not {page_size}")
        self.transport = transport
        self._source = source
        self._page_size = page_size
        self._clock = clock or SystemClock()
        self._time = ServerTime(transport, self._clock, server_clock)

    @classmethod
    def from_settings(
        cls,
        url: str,
        api_key: str,
        *,
        source: str,
        timeout: Timeout = DEFAULT_TIMEOUT,
        verify: bool | str = True,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_attempts: int = 5,
        clock: Clock | None = None,
        server_clock: ServerClock | None = None,
    ) -> DolibarrClient:
        """Build transport + client from plain config values (``url`` ends ``/api/index.php``;
        ``server_clock``: e.g. ``ServerClock(offset_seconds=<offset the store remembered>)``)."""
        transport = Transport(
            url,
            api_key,
            timeout=timeout,
            verify=verify,
            retry=RetryPolicy(max_attempts=max_attempts),
            clock=clock,
        )
        return cls(
            transport, source=source, page_size=page_size, clock=clock, server_clock=server_clock
        )

    def __repr__(self) -> str:
        return f"DolibarrClient(source={self._source!r}, transport={self.transport!r})"

    @property
    def source(self) -> str:
        return self._source

    @property
    def stats(self) -> RequestStats:
        return self.transport.stats

    # -- server ------------------------------------------------------------------------------
    def status(self) -> ServerInfo:
        """``GET /status`` now (health check); the result is cached as ``server_info``."""
        return self._time.status()

    @property
    def server_info(self) -> ServerInfo:
        """The cached ``/status`` (probed on first use)."""
        return self._time.server_info

    def clock_skew(self) -> float | None:
        """Server now minus our now in seconds, from a fresh ``/status`` (None: not told)."""
        return self._time.clock_skew()

    def server_clock(self, *, relearn: bool = False) -> ServerClock:
        """How to write date literals for this server (see ``ServerTime.server_clock``)."""
        return self._time.server_clock(relearn=relearn)

    @property
    def learned_offset(self) -> int | None:
        """The UTC offset (s) learned by probing a ticket, when ``/status`` gave no zone."""
        return self._time.learned_offset

    # -- lists ----------------------------------------------------------------------------
    def list_page(
        self,
        resource: str,
        *,
        sqlfilters: str | None = None,
        sortfield: str | None = None,
        sortorder: str = "ASC",
        limit: int | None = None,
        properties: Sequence[str] | None = None,
        page: int | None = None,
        extra_params: Mapping[str, Any] | None = None,
    ) -> list[Row]:
        """One ``GET <resource>`` list (e.g. ``"/tickets"``); ``[]`` for both empty-list styles
        (200 ``[]`` and old 404 ``No … found``), ``{data, pagination}`` unwrapped;
        InvalidResponse for anything that is not a list of objects."""
        return list_page(
            self.transport,
            resource,
            sqlfilters=sqlfilters,
            sortfield=sortfield,
            sortorder=sortorder,
            limit=limit,
            properties=properties,
            page=page,
            extra_params=extra_params,
        )

    def pages(
        self,
        entity: Entity,
        position: Position | None = None,
        *,
        full: bool,
        limit: int | None = None,
        properties: Sequence[str] | None = None,
    ) -> Iterator[Page]:
        """Pages of ``entity`` after ``position``: ``full`` walks by id (``IdPosition``),
        otherwise by (tms, id) (``KeysetPosition``). Messages always walk the agenda-event id
        (``IdPosition``), ticket events only (rows include non-message events: ``parse``
        gives None for those). Store ``page.position`` only after committing the rows."""
        spec = spec_for(entity)
        strategy = self._strategy(spec, full=full)

        def fetch(
            *,
            sqlfilters: str | None,
            sortfield: str,
            sortorder: str,
            limit: int,
            properties: Sequence[str] | None,
        ) -> list[Row]:
            return self.list_page(
                spec.path,
                sqlfilters=sqlfilters,
                sortfield=sortfield,
                sortorder=sortorder,
                limit=limit,
                properties=properties,
            )

        yield from iterate_pages(
            fetch,
            strategy,
            position,
            limit=limit or self._page_size,
            base_filter=spec.base_filter,
            properties=properties,
        )

    def _strategy(self, spec: ResourceSpec, *, full: bool) -> Strategy:
        if full or spec.modified_column is None or spec.modified_field is None:
            return IdCursor(spec.id_column, spec.id_field)
        return ModifiedCursor(
            self.server_clock().format_literal,
            modified_column=spec.modified_column,
            modified_field=spec.modified_field,
            id_column=spec.id_column,
            id_field=spec.id_field,
        )

    def latest_id(self, entity: Entity) -> int:
        """The highest id of ``entity`` now (0 when empty): where a new id cursor may start."""
        spec = spec_for(entity)
        # no base filter: any higher id is a fine start, the cursor filter adds it anyway
        rows = self.list_page(
            spec.path,
            sortfield=spec.id_column,
            sortorder="DESC",
            limit=1,
            properties=[spec.id_field],
        )
        return row_int(rows[0], spec.id_field) if rows else 0

    def newest_modified(self, entity: Entity) -> int | None:
        """The highest modification epoch of ``entity`` now (None: no row, or the entity has
        no modification time). One request, sorted by the modification column: Dolibarr has
        no index there, so it sorts the table once; a walk by id uses it as its start mark."""
        spec = spec_for(entity)
        if spec.modified_column is None or spec.modified_field is None:
            return None
        rows = self.list_page(
            spec.path,
            sqlfilters=combine_filters(spec.base_filter),
            sortfield=spec.modified_column,
            sortorder="DESC",
            limit=1,
            properties=[spec.id_field, spec.modified_field],
        )
        value = rows[0].get(spec.modified_field) if rows else None
        return None if value in (None, "") else row_int(rows[0], spec.modified_field)

    def fetch_by_ids(self, entity: Entity, ids: Iterable[int]) -> list[Row]:
        """List items with these ids (batched ``(t.rowid:in:…)``); missing ids are just absent."""
        spec = spec_for(entity)
        wanted = sorted({int(i) for i in ids})
        rows: list[Row] = []
        for start in range(0, len(wanted), FETCH_BY_IDS_BATCH):
            batch = wanted[start : start + FETCH_BY_IDS_BATCH]
            rows += self.list_page(
                spec.path,
                sqlfilters=combine_filters(spec.base_filter, sf.in_(spec.id_column, batch)),
                sortfield=spec.id_column,
                limit=len(batch),
            )
        return rows

    def parse(self, entity: Entity, raw: Mapping[str, Any]) -> Record | None:
        """A raw row as a record of this client's ``source`` (None: an agenda event that is
        not a ticket message)."""
        return spec_for(entity).parse(raw, self._source)

    # -- single objects ---------------------------------------------------------------------
    def get_ticket(self, ticket_id: int) -> Ticket:
        """``GET /tickets/{id}`` (NotFound when unknown, or when Dolibarr answers id 0)."""
        return parse_ticket(self._get_object("/tickets", ticket_id), source=self._source)

    def get_intervention(self, intervention_id: int) -> Intervention:
        """``GET /interventions/{id}``, with lines and ``linked_ticket_ids``."""
        raw = self._get_object("/interventions", intervention_id)
        return parse_intervention(raw, source=self._source, detail=True)

    def get_user(self, user_id: int) -> User:
        return parse_user(self._get_object("/users", user_id), source=self._source)

    def get_thirdparty(self, thirdparty_id: int) -> ThirdParty:
        raw = self._get_object("/thirdparties", thirdparty_id)
        return parse_thirdparty(raw, source=self._source)

    def exists(self, entity: Entity, object_id: int) -> bool:
        """Whether Dolibarr still has the object, whether or not this API user may see it:
        ``GET <collection>/{id}`` answering 404 means gone; an answer, or a 403 (it exists,
        but outside what this user may read), means it is still there."""
        try:
            self.transport.get(spec_for(entity).detail_path(object_id))
        except NotFound:
            return False
        except PermissionDenied:
            return True
        return True

    def _get_object(self, collection: str, object_id: int) -> dict[str, Any]:
        path = f"{collection}/{int(object_id)}"
        body = self.transport.get(path)
        if not isinstance(body, dict):
            raise InvalidResponse(
                f"GET {path}: expected a JSON object, got {type(body).__name__}",
                method="GET",
                path=path,
                hint="the answer is not what this Dolibarr version should send",
            )
        if body.get("id") in (0, "0"):
            # 20.0.2 answers some lookups with an empty "specimen" object of id 0
            raise NotFound(
                f"GET {path}: Dolibarr answered an empty object (id 0)",
                method="GET",
                path=path,
                status=200,
                hint="the object does not exist",
            )
        return body

    def find_ticket(self, *, ref: str | None = None, track_id: str | None = None) -> Ticket | None:
        """The ticket with this ref or track id: a list filter (never ``/tickets/ref/``, which
        20.0.2 answers with a fake ticket), then ``get_ticket`` of the lowest matching id."""
        if (ref is None) == (track_id is None):
            raise ValueError("give exactly one of ref or track_id")
        field, value = ("ref", ref) if ref is not None else ("track_id", track_id)
        assert value is not None
        rows = self.list_page(
            "/tickets",
            sqlfilters=sf.eq(f"t.{field}", value).render(),
            sortfield="t.rowid",
            limit=LOOKUP_LIMIT,
            properties=["id", "ref", "track_id"],
        )
        ids = _exact_ids(rows, field, value)
        return self.get_ticket(ids[0]) if ids else None

    def find_interventions_by_ref_client(self, marker: str) -> list[int]:
        """Ids of the interventions whose ``ref_client`` is ``marker``, lowest first
        (``ref_client`` is not unique; ``get_intervention`` shows the links)."""
        rows = self.list_page(
            "/interventions",
            sqlfilters=sf.eq("t.ref_client", marker).render(),
            sortfield="t.rowid",
            limit=LOOKUP_LIMIT,
            properties=["id", "ref_client"],
        )
        return _exact_ids(rows, "ref_client", marker)

    def find_messages_by_marker(self, ticket_id: int, marker: str) -> list[int]:
        """Agenda-event ids of the ticket's messages whose text contains ``marker``, lowest
        first (put a marker in every message dolisync posts, look for it before re-posting)."""
        rows = self.list_page(
            "/agendaevents",
            sqlfilters=combine_filters(
                sf.eq("t.elementtype", "ticket"),
                sf.eq("t.fk_element", int(ticket_id)),
                sf.contains("t.note", marker),
            ),
            sortfield="t.id",
            limit=LOOKUP_LIMIT,
            properties=["id", "code", "elementid", "elementtype", "note_private", "datec"],
        )
        messages = [parse_message(row, source=self._source) for row in rows]
        # LIKE reads _ and % in the marker as wildcards: keep only true matches
        return sorted(
            m.id
            for m in messages
            if m is not None and m.ticket_id == ticket_id and marker in m.text
        )

    # -- dictionaries -------------------------------------------------------------------------
    def ticket_types(self) -> list[Row]:
        return self.list_page("/setup/dictionary/ticket_types")

    def ticket_categories(self) -> list[Row]:
        return self.list_page("/setup/dictionary/ticket_categories")

    def ticket_severities(self) -> list[Row]:
        return self.list_page("/setup/dictionary/ticket_severities")

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> DolibarrClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _exact_ids(rows: list[Row], field: str, value: str) -> list[int]:
    """Ids of rows whose ``field`` is exactly ``value`` (the DB collation ignores case and
    trailing spaces), id 0 (Dolibarr's fake objects) excluded, lowest first."""
    ids = {row_int(row, "id") for row in rows if row.get(field) == value}
    return sorted(i for i in ids if i > 0)
