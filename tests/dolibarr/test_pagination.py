"""Keyset cursors send exactly the filters the real servers were probed with, and move only
as far as the rows a page really returned."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dolisync.dolibarr.client import DolibarrClient
from dolisync.dolibarr.pagination import (
    IdCursor,
    IdPosition,
    KeysetPosition,
    ModifiedCursor,
    iterate_pages,
)
from dolisync.dolibarr.timezone import ServerClock
from dolisync.errors import InvalidResponse
from tests.dolibarr.conftest import BASE, V20, V22, capture, replay

UTC_CLOCK = ServerClock(zone="UTC")


def epoch_of(utc_text: str) -> int:
    moment = datetime.strptime(utc_text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return int(moment.timestamp())


@pytest.fixture
def utc_client(transport, clock) -> DolibarrClient:
    return DolibarrClient(transport, source="main", clock=clock, server_clock=UTC_CLOCK)


def sent(rsps, call: int) -> dict[str, str]:
    params: dict[str, str] = rsps.calls[call].request.params
    return params


@pytest.mark.parametrize(("version", "number"), [(V22, 314), (V20, 301)])
def test_full_load_sends_the_rowid_keyset_of_the_capture(rsps, utc_client, version, number):
    recorded = capture(version, number)
    replay(rsps, recorded, match_query=True)

    pages = utc_client.pages(
        "tickets", IdPosition(100), full=True, limit=5, properties=["id", "ref", "tms"]
    )
    first = next(pages)

    assert sent(rsps, 0)["sqlfilters"] == "(t.rowid:>:100)"
    assert [row["id"] for row in first.rows] == [row["id"] for row in recorded["response"]["body"]]
    assert first.position == IdPosition(105)
    assert not first.is_last


@pytest.mark.parametrize(("version", "number"), [(V22, 315), (V20, 302)])
def test_incremental_poll_sends_the_tms_rowid_keyset_of_the_capture(
    rsps, utc_client, version, number
):
    recorded = capture(version, number)
    literal = recorded["request"]["query"]["sqlfilters"].split("'")[1]
    replay(rsps, recorded, match_query=True)
    rsps.add("GET", BASE + "/tickets", json=[])

    position = KeysetPosition(modified_at=epoch_of(literal), last_id=7)
    pages = list(
        utc_client.pages("tickets", position, full=False, limit=5, properties=["id", "ref", "tms"])
    )

    assert sent(rsps, 0)["sqlfilters"] == (
        f"((t.tms:>:'{literal}') or ((t.tms:=:'{literal}') and (t.rowid:>:7)))"
    )
    assert sent(rsps, 0)["sortfield"] == "t.tms,t.rowid"
    last_row = recorded["response"]["body"][-1]
    assert pages[0].position == KeysetPosition(last_row["tms"], int(last_row["id"]))
    # the second page starts after the last row of the first one
    next_literal = UTC_CLOCK.format_literal(last_row["tms"])
    assert f"(t.rowid:>:{last_row['id']})" in sent(rsps, 1)["sqlfilters"]
    assert f"'{next_literal}'" in sent(rsps, 1)["sqlfilters"]
    assert [p.is_last for p in pages] == [False, True]
    assert pages[1].position == pages[0].position  # an empty page does not move the cursor


@pytest.mark.parametrize(("version", "number", "cursor"), [(V22, 266, 221), (V20, 262, 219)])
def test_messages_poll_by_agenda_event_id(rsps, utc_client, version, number, cursor):
    replay(rsps, capture(version, number), match_query=True)

    (page,) = utc_client.pages("messages", IdPosition(cursor), full=False)

    assert sent(rsps, 0)["sqlfilters"] == f"(t.elementtype:=:'ticket') and (t.id:>:{cursor})"
    assert page.is_last
    assert page.position == IdPosition(int(page.rows[-1]["id"]))
    messages = [utc_client.parse("messages", row) for row in page.rows]
    assert [m.code for m in messages if m] == ["TICKET_MSG", "TICKET_MSG_PRIVATE"]


@pytest.mark.parametrize(("version", "number", "newest"), [(V22, 261, 221), (V20, 257, 219)])
def test_latest_id_starts_a_cursor_like_the_capture(rsps, utc_client, version, number, newest):
    replay(rsps, capture(version, number), match_query=True)

    assert utc_client.latest_id("messages") == newest


NEWEST_CASES = {
    "tickets": ("/tickets", "tms", [{"id": "7", "tms": "1796397632"}], 1796397632),
    "interventions": ("/interventions", "datem", [{"id": "3", "datem": 1796397700}], 1796397700),
    "users": ("/users", "datem", [], None),
    "messages": ("/agendaevents", None, [], None),  # no modification time: no request
}


@pytest.mark.parametrize("entity", list(NEWEST_CASES))
def test_newest_modified_asks_for_one_row_sorted_by_tms(rsps, utc_client, entity):
    path, field, rows, newest = NEWEST_CASES[entity]
    rsps.add("GET", BASE + path, json=rows)

    assert utc_client.newest_modified(entity) == newest
    if field is None:
        assert not rsps.calls
        return
    params = sent(rsps, 0)
    assert (params["sortfield"], params["sortorder"], params["limit"]) == ("t.tms", "DESC", "1")
    assert params["properties"] == f"id,{field}"


def test_interventions_poll_reads_datem_and_filters_tms(rsps, utc_client):
    rows = [{"id": "3", "datem": 1796397632}, {"id": "4", "datem": 1796397700}]
    rsps.add("GET", BASE + "/interventions", json=rows)

    (page,) = utc_client.pages("interventions", KeysetPosition(1796397600, 2), full=False)

    assert "(t.tms:>:'2026-12-04 15:20:00')" in sent(rsps, 0)["sqlfilters"]
    assert page.position == KeysetPosition(1796397700, 4)


def test_start_and_overlap_positions():
    cursor = ModifiedCursor(UTC_CLOCK.format_literal)

    assert cursor.filter_for(KeysetPosition()) is None
    overlap = cursor.filter_for(KeysetPosition(epoch_of("2026-12-04 15:00:00"), 0))
    assert overlap is not None
    assert overlap.render() == "(t.tms:>=:'2026-12-04 15:00:00')"
    assert IdCursor().filter_for(IdPosition()) is None


def test_pages_stop_after_a_short_page_and_requested_properties_keep_cursor_fields():
    calls: list[dict[str, object]] = []
    data = [[{"id": str(i), "tms": 100 + i} for i in chunk] for chunk in ([1, 2], [3, 4], [5])]

    def fetch(**kwargs):
        calls.append(kwargs)
        return data[len(calls) - 1]

    cursor = ModifiedCursor(UTC_CLOCK.format_literal)
    pages = list(iterate_pages(fetch, cursor, None, limit=2, properties=["ref"]))

    assert [len(p.rows) for p in pages] == [2, 2, 1]
    assert pages[-1].is_last
    assert pages[-1].position == KeysetPosition(105, 5)
    assert calls[0]["properties"] == ["ref", "id", "tms"]
    assert calls[0]["sqlfilters"] is None


def test_a_row_without_a_usable_cursor_field_is_an_invalid_response():
    def fetch(**kwargs):
        return [{"id": "1", "tms": ""}]

    with pytest.raises(InvalidResponse, match="'tms'"):
        list(iterate_pages(fetch, ModifiedCursor(UTC_CLOCK.format_literal), None, limit=5))


def test_a_cursor_refuses_a_position_of_the_other_kind():
    with pytest.raises(TypeError):
        IdCursor().filter_for(KeysetPosition(1, 1))


def test_limit_zero_is_refused():
    with pytest.raises(ValueError, match="limit"):
        list(iterate_pages(lambda **kw: [], IdCursor(), None, limit=0))
