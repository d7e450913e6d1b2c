"""Incremental polls fetch only what changed, whatever the server's time zone, including
rows committed late (the overlap window). A second change within the same second: see
``test_db_timezone``, which plays it in every pair of zones."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dolisync.sync import EntityReport, SyncReport
from tests.sync.conftest import Mirror


def entity(report: SyncReport, name: str) -> EntityReport:
    return next(entry for entry in report.entities if entry.entity == name)


def test_touched_tickets_are_the_only_ones_fetched(mirror: Mirror) -> None:
    mirror.sync()
    mirror.later()
    touched = mirror.sim.control.touch(3)
    mirror.later()
    mirror.clear_calls()

    report = mirror.sync(["tickets"])

    tickets = entity(report, "tickets")
    assert (tickets.fetched, tickets.updated) == (3, 3)
    assert mirror.mirrored() == mirror.truth()
    # one light listing, then one request for the three whole tickets
    assert mirror.api_calls() == [("GET", "/status"), ("GET", "/tickets"), ("GET", "/tickets")]
    assert sorted(touched) == sorted(
        ticket_id
        for ticket_id, _ in mirror.store.known_versions("default", "tickets", touched).items()
    )


def test_new_tickets_and_new_messages_arrive(mirror: Mirror) -> None:
    mirror.sync()
    mirror.later()
    new_ticket = mirror.sim.control.create_ticket(subject="Printer on fire")
    message = mirror.sim.control.add_message(new_ticket, "It is out now.", private=True)
    mirror.sim.control.add_message(3, "Any news?")
    mirror.later()

    report = mirror.sync()

    assert report.ok, report.errors
    assert entity(report, "messages").created == 2
    assert mirror.mirrored() == mirror.truth()
    (stored,) = mirror.store.messages_for("default", new_ticket)
    assert (stored.id, stored.private, stored.ticket_id) == (message, True, new_ticket)
    assert "It is out now." in stored.text


def test_a_message_does_not_make_its_ticket_look_changed(mirror: Mirror) -> None:
    mirror.sync()
    mirror.later()
    mirror.sim.control.add_message(5, "A reply")
    mirror.later()

    report = mirror.sync()

    assert (entity(report, "tickets").updated, entity(report, "messages").created) == (0, 1)


def test_a_row_committed_late_with_an_older_time_still_arrives(mirror: Mirror) -> None:
    """A slow transaction can commit a row whose tms is older than rows already seen."""
    mirror.sync()
    mirror.later(30)
    (late,) = mirror.sim.control.touch(ids=[7], field="subject", value="Committed late")
    mirror.later(30)
    mirror.sim.control.touch(ids=[8])
    mirror.sync()  # the high-water mark is now ticket 8's time
    zone = ZoneInfo(mirror.sim.control.backend.localtime.name)
    before_mark = datetime.fromtimestamp(mirror.clock.now() - 20, zone)
    mirror.sim.control.touch(ids=[late], field="subject", value="Really committed late")
    mirror.sim.control.set_tms(late, before_mark.strftime("%Y-%m-%d %H:%M:%S"))
    mirror.later()

    mirror.sync()

    assert mirror.mirrored().tickets[late][2] == "Really committed late"


@pytest.mark.parametrize("timezone", ["Europe/Paris", "America/New_York", "Asia/Kolkata"])
def test_servers_in_other_time_zones_poll_exactly_the_overlap_window(
    make_mirror, timezone: str
) -> None:
    """The tms filter literal must be server wall-clock time: built in UTC it would miss
    every change west of Greenwich and re-list hours of older rows east of it."""
    mirror = make_mirror(timezone=timezone)
    control = mirror.sim.control
    mirror.sync()
    mirror.later(3 * 3600)
    control.touch(ids=[11])  # 30 minutes before the high-water mark: outside the window
    mirror.later(1800)
    control.touch(ids=[12])  # becomes the high-water mark
    mirror.later()
    mirror.sync()
    mirror.later(3 * 3600)
    control.touch(ids=[13, 14])
    mirror.later()

    report = mirror.sync(["tickets"])

    tickets = entity(report, "tickets")
    # listed: ticket 12 (re-read inside the 10-minute overlap window) and the two touched
    assert (tickets.listed, tickets.fetched, tickets.updated) == (3, 2, 2)
    assert mirror.mirrored() == mirror.truth()
