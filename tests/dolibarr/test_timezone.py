"""Date literals for filters are the server's wall clock; the zone is learned when unknown."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dolisync.dolibarr.client import DolibarrClient
from dolisync.dolibarr.timezone import (
    ServerClock,
    ServerInfo,
    candidate_offsets,
    format_at_offset,
    learn_offset,
    parse_version,
)
from dolisync.errors import InvalidResponse
from tests.dolibarr.conftest import BASE, V20, V22, capture, replay

# 2026-12-04 15:17:14 UTC (winter) and 2026-07-01 12:00:00 UTC (summer)
WINTER = 1796397434
SUMMER = 1782907200


@pytest.mark.parametrize("version", [V22, V20])
def test_status_of_a_test_server(rsps, client, version):
    replay(rsps, capture(version, 1))

    info = client.status()

    assert info.dolibarr_version == version.removeprefix("v")
    assert info.version == tuple(int(p) for p in version[1:].split("."))
    assert info.access_locked is False
    assert info.environment == "non-production"
    assert info.php_timezone == "UTC"
    assert info.date_tz_offset == 0
    assert client.server_info is info  # cached


def test_production_status_has_no_clock():
    info = ServerInfo.from_status(
        {"success": {"code": 200, "dolibarr_version": "21.0.1", "access_locked": "1"}}
    )
    assert info.version == (21, 0, 1)
    assert info.access_locked is True
    assert info.php_timezone is None
    assert info.date_tz_offset is None
    assert info.clock_skew(WINTER) is None


@pytest.mark.parametrize("body", [{}, {"success": {}}, [], {"error": {"code": 401}}])
def test_status_of_the_wrong_shape_is_an_invalid_response(body):
    with pytest.raises(InvalidResponse):
        ServerInfo.from_status(body)


def test_clock_skew_is_server_minus_us(rsps, client, clock):
    replay(rsps, capture(V22, 1))  # server now = 1796397434

    clock.advance(-2.5)

    assert client.clock_skew() == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("22.0.4", (22, 0, 4)), ("20.0.2", (20, 0, 2)), ("19.0.0-beta", (19, 0, 0)), ("x", ())],
)
def test_parse_version(text, expected):
    assert parse_version(text) == expected


def test_utc_literal():
    assert ServerClock(zone="UTC").format_literal(WINTER) == "2026-12-04 15:17:14"


def test_paris_literal_follows_daylight_saving_time():
    paris = ServerClock(zone="Europe/Paris")
    assert paris.format_literal(WINTER) == "2026-12-04 16:17:14"  # UTC+1
    assert paris.format_literal(SUMMER) == "2026-07-01 14:00:00"  # UTC+2
    # the night the clocks go back (2026-10-25): one wall-clock hour happens twice
    assert paris.format_literal(1792888200) == "2026-10-25 02:30:00"  # 00:30 UTC, CEST
    assert paris.format_literal(1792891800) == "2026-10-25 02:30:00"  # 01:30 UTC, CET


def test_fixed_offset_literal_and_description():
    clock = ServerClock(offset_seconds=-(3 * 3600 + 1800))
    assert clock.format_literal(WINTER) == "2026-12-04 11:47:14"
    assert clock.describe() == "UTC-03:30"
    assert ServerClock(zone="Europe/Paris").describe() == "Europe/Paris"


def test_server_clock_needs_exactly_one_of_zone_and_offset():
    with pytest.raises(ValueError, match="exactly one"):
        ServerClock()
    with pytest.raises(ValueError, match="exactly one"):
        ServerClock(zone="UTC", offset_seconds=0)


@given(
    epoch=st.integers(min_value=0, max_value=4_102_444_800),
    quarter_hours=st.integers(min_value=-48, max_value=56),
)
def test_fixed_offset_literal_matches_the_standard_library(epoch, quarter_hours):
    offset = quarter_hours * 900
    expected = datetime.fromtimestamp(epoch, timezone(timedelta(seconds=offset)))
    assert format_at_offset(epoch, offset) == expected.strftime("%Y-%m-%d %H:%M:%S")


def test_candidates_try_the_hint_then_utc_then_every_quarter_hour_once():
    offsets = list(candidate_offsets(3600))
    assert offsets[:2] == [3600, 0]
    assert len(offsets) == len(set(offsets)) == 105  # -12:00 .. +14:00 by 15 min
    assert min(offsets) == -12 * 3600
    assert max(offsets) == 14 * 3600


def test_learn_offset_stops_at_the_first_match():
    asked: list[str] = []

    def matches(literal: str) -> bool:
        asked.append(literal)
        return literal == format_at_offset(WINTER, 5 * 3600 + 2700)  # Nepal, UTC+05:45

    assert learn_offset(WINTER, matches) == 5 * 3600 + 2700
    assert len(asked) == 1 + (5 * 3600 + 2700 + 12 * 3600) // 900  # 0 first, then from -12 h


def test_learn_offset_gives_up_with_none():
    assert learn_offset(WINTER, lambda literal: False) is None


PROBE = re.compile(r"\(t\.rowid:=:(\d+)\) and \(t\.tms:=:'([^']+)'\)")


class FakeDatabase:
    """Answers ``/tickets`` like Dolibarr: a row's raw DB value is its epoch at ``offset``."""

    def __init__(self, offset: int, rows: dict[int, int]) -> None:
        self.offset = offset
        self.rows = rows  # id -> tms epoch
        self.probes = 0

    def __call__(self, request):
        params = request.params
        if params.get("sortorder") == "DESC":  # "the newest-modified ticket"
            row_id = max(self.rows, key=lambda i: self.rows[i])
            return 200, {}, json.dumps([{"id": str(row_id), "tms": self.rows[row_id]}])
        self.probes += 1
        found = PROBE.fullmatch(params["sqlfilters"])
        assert found, params["sqlfilters"]
        row_id, literal = int(found.group(1)), found.group(2)
        stored = format_at_offset(self.rows[row_id], self.offset)
        body = [{"id": str(row_id)}] if literal == stored else []
        return 200, {}, json.dumps(body)


def _production_status(rsps, date_tz: str | None = None) -> None:
    success = {"code": 200, "dolibarr_version": "22.0.4", "access_locked": "0"}
    if date_tz:
        success.update(
            {"timestamp_now_utc": WINTER, "date_tz": date_tz, "environment": "non-production"}
        )
    rsps.add("GET", BASE + "/status", json={"success": success})


def test_offset_is_learned_from_a_ticket_when_status_has_no_zone(rsps, client):
    database = FakeDatabase(offset=-5 * 3600, rows={1: WINTER - 100, 2: WINTER})
    _production_status(rsps)
    rsps.add_callback("GET", BASE + "/tickets", callback=database)

    server_clock = client.server_clock()

    assert server_clock.offset_seconds == -5 * 3600
    assert client.learned_offset == -5 * 3600
    assert client.server_clock() is server_clock  # cached: no more probes
    assert database.probes == 1 + (-5 * 3600 + 12 * 3600) // 900 + 1


def test_the_date_tz_hint_is_tried_first(rsps, client):
    database = FakeDatabase(offset=3600, rows={9: WINTER})
    _production_status(rsps, date_tz="2026-12-04 16:17:14")  # a zone-less server, UTC+1 now
    rsps.add_callback("GET", BASE + "/tickets", callback=database)

    assert client.server_clock().offset_seconds == 3600
    assert database.probes == 1


def test_a_known_zone_needs_no_probe(rsps, client):
    replay(rsps, capture(V22, 1))

    assert client.server_clock() == ServerClock(zone="UTC")
    assert client.learned_offset is None
    assert len(rsps.calls) == 1


def test_an_empty_server_falls_back_without_caching(rsps, client):
    _production_status(rsps)
    rsps.add("GET", BASE + "/tickets", json=[])

    assert client.server_clock().offset_seconds == 0
    client.server_clock()
    assert len([c for c in rsps.calls if "/tickets" in c.request.url]) == 2


def test_relearn_checks_again(rsps, client):
    database = FakeDatabase(offset=3600, rows={1: WINTER})
    _production_status(rsps)
    rsps.add_callback("GET", BASE + "/tickets", callback=database)
    assert client.server_clock().offset_seconds == 3600

    database.offset = 7200  # summer time came
    assert client.server_clock(relearn=True).offset_seconds == 7200


def test_client_with_a_remembered_clock_does_not_probe(transport, clock):
    remembered = ServerClock(offset_seconds=7200)
    client = DolibarrClient(transport, source="main", clock=clock, server_clock=remembered)
    assert client.server_clock() is remembered
