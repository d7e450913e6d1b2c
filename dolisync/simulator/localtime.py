"""Server-local wall-clock time, the way Dolibarr's database stores it.

MariaDB keeps DATETIME/TIMESTAMP columns as ``YYYY-MM-DD HH:MM:SS`` in the server's zone and
PHP turns them into epochs in *its* zone. The simulator stores the same text and converts with
one zone (the simulator's "PHP timezone"), so sqlfilters compare literals with local time
exactly as Dolibarr does.
"""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

DB_FORMAT = "%Y-%m-%d %H:%M:%S"


@lru_cache(maxsize=4096)
def _utc_day(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))


@cache
def _times_of_day() -> tuple[str, ...]:
    """The text " HH:MM:SS" of every second of a day (86,400 short strings, built once)."""
    return tuple(f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))


class LocalTime:
    """Converts epochs to and from the server's wall-clock text in one timezone."""

    def __init__(self, timezone: str = "UTC") -> None:
        self.name = timezone
        self._zone = None if timezone == "UTC" else ZoneInfo(timezone)

    def to_db(self, epoch: float) -> str:
        """The wall-clock text for ``epoch`` (seconds are truncated, as in the database)."""
        if self._zone is None:  # fast path: seeding formats hundreds of thousands of dates
            day, seconds = divmod(int(epoch), 86_400)
            return _utc_day(day) + _times_of_day()[seconds]
        return datetime.fromtimestamp(int(epoch), self._zone).strftime(DB_FORMAT)

    def to_epoch(self, text: str | None) -> int | None:
        """The epoch of a wall-clock text; None for NULL or an unreadable value."""
        if not text:
            return None
        try:  # slicing beats strptime; this runs for every date of every rendered row
            fields = (
                int(text[0:4]),
                int(text[5:7]),
                int(text[8:10]),
                int(text[11:13] or 0),
                int(text[14:16] or 0),
                int(text[17:19] or 0),
            )
        except ValueError:
            return None
        if self._zone is None:
            return calendar.timegm(fields)
        return int(datetime(*fields, tzinfo=self._zone).astimezone(UTC).timestamp())
