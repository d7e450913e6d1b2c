"""What the client learns about the server's clock: ``/status`` and the DB wall-clock zone.

What this module knows: when to probe ``/status``, and how to learn the UTC offset of the
DB's wall clock from a known ticket when ``/status`` does not tell the PHP timezone
(production servers): probe ``(t.rowid:=:ID) and (t.tms:=:'<literal at offset k>')``.
A fixed learned offset does not follow DST: re-learn daily (``server_clock(relearn=True)``).
"""

from __future__ import annotations

from zoneinfo import ZoneInfoNotFoundError

import structlog

from dolisync.clock import Clock
from dolisync.dolibarr import sqlfilters as sf
from dolisync.dolibarr.lists import list_page
from dolisync.dolibarr.pagination import combine_filters, row_int
from dolisync.dolibarr.timezone import ServerClock, ServerInfo, learn_offset
from dolisync.dolibarr.transport import Transport
from dolisync.errors import DolibarrError

log = structlog.get_logger(__name__)


class ServerTime:
    """The server's ``/status`` and wall clock, probed lazily and cached (one per client)."""

    def __init__(
        self, transport: Transport, clock: Clock, server_clock: ServerClock | None = None
    ) -> None:
        self.transport = transport
        self._clock = clock
        self._server_info: ServerInfo | None = None
        self._server_clock = server_clock
        self._learned_offset: int | None = None

    def status(self) -> ServerInfo:
        """``GET /status`` now (health check); the result is cached as ``server_info``."""
        info = ServerInfo.from_status(self.transport.get("/status"))
        self._server_info = info
        return info

    @property
    def server_info(self) -> ServerInfo:
        """The cached ``/status`` (probed on first use)."""
        return self._server_info if self._server_info is not None else self.status()

    def clock_skew(self) -> float | None:
        """Server now minus our now in seconds, from a fresh ``/status`` (None: not told)."""
        return self.status().clock_skew(self._clock.now())

    @property
    def learned_offset(self) -> int | None:
        """The offset (seconds east of UTC) learned by probing, if that was needed."""
        return self._learned_offset

    def server_clock(self, *, relearn: bool = False) -> ServerClock:
        """How to write date literals for this server: its PHP zone from ``/status``, else an
        offset learned from the most recently modified ticket (cached; ``relearn=True``
        re-checks, e.g. daily for DST). With no ticket to learn from it falls back to the
        ``date_tz`` offset or UTC, without caching (nothing to compare against yet)."""
        if self._server_clock is not None and not relearn:
            return self._server_clock
        info = self.status() if relearn else self.server_info
        clock = _zone_clock(info)
        if clock is None:
            offset = self._learn_offset(info)
            if offset is None:
                fallback = info.date_tz_offset or 0
                log.info("dolibarr.timezone_unknown", fallback_offset_s=fallback)
                return ServerClock(offset_seconds=fallback)
            self._learned_offset = offset
            clock = ServerClock(offset_seconds=offset)
            log.info("dolibarr.timezone_learned", offset_s=offset)
        self._server_clock = clock
        return clock

    def _learn_offset(self, info: ServerInfo) -> int | None:
        """Learn from the newest-modified ticket; a row changing under us gets one more try."""
        for _ in range(2):
            rows = list_page(
                self.transport,
                "/tickets",
                sortfield="t.tms",
                sortorder="DESC",
                limit=1,
                properties=["id", "tms"],
            )
            if not rows:
                return None
            row_id, epoch = row_int(rows[0], "id"), row_int(rows[0], "tms")

            def matches(literal: str, row_id: int = row_id) -> bool:
                criteria = combine_filters(
                    sf.eq("t.rowid", row_id), sf.eq("t.tms", sf.DateTimeLiteral(literal))
                )
                found = list_page(
                    self.transport, "/tickets", sqlfilters=criteria, limit=1, properties=["id"]
                )
                return bool(found)

            offset = learn_offset(epoch, matches, preferred=info.date_tz_offset)
            if offset is not None:
                return offset
        raise DolibarrError(
            "could not learn the Dolibarr database's time zone: no UTC offset from -12:00 to "
            "+14:00 matched a ticket's modification time",
            hint="check that Dolibarr's PHP and database clocks are sane; report it otherwise",
        )


def _zone_clock(info: ServerInfo) -> ServerClock | None:
    if not info.php_timezone:
        return None
    try:
        return ServerClock(zone=info.php_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("dolibarr.unknown_php_timezone", zone=info.php_timezone)
        return None
