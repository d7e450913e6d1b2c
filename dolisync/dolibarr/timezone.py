"""The server's notion of time: its version/lock/clock (``GET /status``) and its wall clock.

What this module knows: ``sqlfilters`` compare date literals with the raw DB wall-clock value
while JSON carries epochs, so a literal must be the epoch formatted in the server's PHP
timezone (dolibarr-api.md §1.5). Production servers do not tell their zone in ``/status``;
then the UTC offset is learned once from a known row (``learn_offset``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dolisync.errors import InvalidResponse

LITERAL_FORMAT = "%Y-%m-%d %H:%M:%S"
STEP = 15 * 60
MIN_OFFSET = -12 * 3600
MAX_OFFSET = 14 * 3600


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What ``GET /status`` says (the last three are absent on production servers)."""

    dolibarr_version: str
    version: tuple[int, ...]  # (22, 0, 4); () when unparsable
    access_locked: bool
    environment: str | None
    timestamp_now_utc: int | None = None
    php_timezone: str | None = None  # timestamp_php_tz, e.g. "Europe/Paris"
    date_tz: str | None = None  # server-local "now", 'YYYY-MM-DD HH:MM:SS'

    @classmethod
    def from_status(cls, body: Any) -> ServerInfo:
        """Parse a ``/status`` answer (``{"success": {...}}``); InvalidResponse on a wrong shape."""
        success = body.get("success") if isinstance(body, Mapping) else None
        if not isinstance(success, Mapping) or not isinstance(success.get("dolibarr_version"), str):
            raise InvalidResponse(
                "GET /status: the answer has no success.dolibarr_version",
                method="GET",
                path="/status",
                hint="check that dolibarr.url ends with /api/index.php",
            )
        version = success["dolibarr_version"]
        return cls(
            dolibarr_version=version,
            version=parse_version(version),
            access_locked=str(success.get("access_locked", "0")) not in ("0", "", "False"),
            environment=_text_or_none(success.get("environment")),
            timestamp_now_utc=_int_or_none(success.get("timestamp_now_utc")),
            php_timezone=_text_or_none(success.get("timestamp_php_tz")),
            date_tz=_text_or_none(success.get("date_tz")),
        )

    @property
    def production(self) -> bool:
        return self.environment != "non-production"

    @property
    def date_tz_offset(self) -> int | None:
        """Seconds east of UTC implied by ``date_tz`` vs ``timestamp_now_utc`` (15-min grid)."""
        if self.date_tz is None or self.timestamp_now_utc is None:
            return None
        try:
            local = datetime.strptime(self.date_tz, LITERAL_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return None
        offset = local.timestamp() - self.timestamp_now_utc
        return round(offset / STEP) * STEP

    def clock_skew(self, our_now: float) -> float | None:
        """Server now minus our now, in seconds (None when the server did not say)."""
        if self.timestamp_now_utc is None:
            return None
        return self.timestamp_now_utc - our_now


def parse_version(text: str) -> tuple[int, ...]:
    """``"22.0.4"`` -> ``(22, 0, 4)``; leading digits of each dotted part; () when none."""
    parts: list[int] = []
    for piece in text.strip().split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


class ServerClock:
    """Formats epochs as the server's wall-clock literals: by IANA zone, or a fixed offset."""

    def __init__(self, *, zone: str | None = None, offset_seconds: int | None = None) -> None:
        """Exactly one of ``zone`` (e.g. ``"Europe/Paris"``) or ``offset_seconds``."""
        if (zone is None) == (offset_seconds is None):
            raise ValueError("give exactly one of zone or offset_seconds")
        self._zone = ZoneInfo(zone) if zone is not None else None
        self._offset = offset_seconds

    def __repr__(self) -> str:
        return f"ServerClock({self.describe()})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerClock):
            return NotImplemented
        return self.describe() == other.describe()

    def __hash__(self) -> int:
        return hash(self.describe())

    @property
    def zone(self) -> ZoneInfo | None:
        return self._zone

    @property
    def offset_seconds(self) -> int | None:
        """The fixed offset in use (None when following a zone with its DST)."""
        return self._offset

    def format_literal(self, epoch: int) -> str:
        """``'YYYY-MM-DD HH:MM:SS'`` (no quotes) as the server's DB stores that instant."""
        if self._zone is not None:
            return datetime.fromtimestamp(epoch, self._zone).strftime(LITERAL_FORMAT)
        return format_at_offset(epoch, self._offset or 0)

    def describe(self) -> str:
        """``"Europe/Paris"`` or ``"UTC+01:00"``, for logs and doctor."""
        if self._zone is not None:
            return self._zone.key
        return "UTC" + _signed_hhmm(self._offset or 0)


def format_at_offset(epoch: int, offset_seconds: int) -> str:
    """The wall-clock literal of ``epoch`` at a fixed UTC offset."""
    zone = timezone(timedelta(seconds=offset_seconds))
    return datetime.fromtimestamp(epoch, zone).strftime(LITERAL_FORMAT)


def candidate_offsets(preferred: int | None = None) -> Iterator[int]:
    """Offsets to try, in order: ``preferred``, 0, then -12 h .. +14 h by 15 min (no repeats)."""
    seen: set[int] = set()
    for offset in (preferred, 0, *range(MIN_OFFSET, MAX_OFFSET + 1, STEP)):
        if offset is not None and offset not in seen:
            seen.add(offset)
            yield offset


def learn_offset(
    epoch: int, matches: Callable[[str], bool], *, preferred: int | None = None
) -> int | None:
    """The first offset whose literal of ``epoch`` the server says ``matches`` (None: none did).

    ``matches(literal)`` asks the server whether the known row has that raw value, e.g.
    ``(t.rowid:=:ID) and (t.tms:=:'<literal>')``.
    """
    for offset in candidate_offsets(preferred):
        if matches(format_at_offset(epoch, offset)):
            return offset
    return None


def _signed_hhmm(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int_or_none(value: object) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
