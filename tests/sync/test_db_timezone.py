"""Dolibarr whose PHP timezone differs from its database's: ``tms`` epochs come out shifted
from true time (+5 h for PHP in New York over a UTC database, -1 h for Paris), while
``/status`` tells the true time. Polls must still fetch nothing when nothing changed, get
every change, and keep the same-second protection (``dolisync.sync.rowclock``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dolisync.sync import EntityReport, SyncReport
from tests.sync.conftest import Mirror

ZONES = [
    pytest.param("America/New_York", "UTC", id="php-new-york-db-utc"),  # epochs 5 h ahead
    pytest.param("Europe/Paris", "UTC", id="php-paris-db-utc"),  # 1 h behind
    pytest.param("UTC", "Asia/Kathmandu", id="php-utc-db-kathmandu"),  # 5 h 45 ahead
]
ALL_QUIET = [("GET", "/status")] + [("GET", path) for path in (
    "/tickets", "/agendaevents", "/interventions", "/thirdparties", "/users"
)]  # fmt: skip

MirrorFactory = Callable[..., Mirror]


def entity(report: SyncReport, name: str) -> EntityReport:
    return next(entry for entry in report.entities if entry.entity == name)


def fetched(report: SyncReport) -> int:
    return sum(entry.fetched for entry in report.entities)


@pytest.mark.parametrize(("php", "db"), ZONES)
def test_the_simulated_server_shifts_tms_like_the_real_one(
    make_mirror: MirrorFactory, php: str, db: str
) -> None:
    """Guard of the premise (live captures v20.0.2/103-104): true ``timestamp_now_utc``,
    ``tms`` of a row changed now shifted by the zones' difference."""
    mirror = make_mirror(timezone=php, db_timezone=db)
    (touched,) = mirror.sim.control.touch(ids=[5])

    now = mirror.client.status().timestamp_now_utc
    ticket = mirror.client.get_ticket(touched)

    shift = {"America/New_York": 5 * 3600, "Europe/Paris": -3600, "UTC": 0}[php] + {
        "UTC": 0,
        "Asia/Kathmandu": 5 * 3600 + 45 * 60,
    }[db]
    assert now == int(mirror.clock.now())
    assert ticket.modified_at == now + shift


@pytest.mark.parametrize(("php", "db"), ZONES)
def test_a_quiet_sync_after_changes_fetches_nothing(
    make_mirror: MirrorFactory, php: str, db: str
) -> None:
    mirror = make_mirror(timezone=php, db_timezone=db)
    mirror.sync()
    mirror.later()
    touched = mirror.sim.control.touch(ids=[3, 8, 21], field="subject", value="changed")
    mirror.later()

    changes = mirror.sync()

    assert changes.ok, changes.errors
    assert (entity(changes, "tickets").fetched, entity(changes, "tickets").updated) == (3, 3)
    assert all(mirror.mirrored().tickets[ticket][2] == "changed" for ticket in touched)
    mirror.later()
    mirror.clear_calls()
    quiet = mirror.sync()
    assert (fetched(quiet), quiet.updated, quiet.created) == (0, 0, 0)
    assert mirror.api_calls() == ALL_QUIET  # /status and one small listing per entity


@pytest.mark.parametrize(("php", "db"), ZONES)
def test_a_ticket_changed_right_after_a_sync_arrives_with_the_next(
    make_mirror: MirrorFactory, php: str, db: str
) -> None:
    mirror = make_mirror(timezone=php, db_timezone=db)
    mirror.sync()
    mirror.sim.control.touch(ids=[12], field="subject", value="right after")
    new_ticket = mirror.sim.control.create_ticket(subject="Opened right after")
    mirror.later()

    report = mirror.sync(["tickets"])

    assert (entity(report, "tickets").updated, entity(report, "tickets").created) == (1, 1)
    assert mirror.mirrored() == mirror.truth()
    assert mirror.mirrored().tickets[new_ticket][2] == "Opened right after"


@pytest.mark.parametrize(("php", "db"), [pytest.param("UTC", None, id="one-zone"), *ZONES])
def test_a_second_change_in_the_same_second_is_not_lost(
    make_mirror: MirrorFactory, php: str, db: str | None
) -> None:
    mirror = make_mirror(timezone=php, db_timezone=db)
    mirror.sync()
    mirror.later()
    mirror.sim.control.touch(ids=[4], field="subject", value="first")
    mirror.sync()  # reads ticket 4 during the very second it changed...
    mirror.sim.control.touch(ids=[4], field="subject", value="second")  # ...same tms again

    mirror.sync()

    assert mirror.mirrored().tickets[4][2] == "second"
    mirror.later()
    mirror.sync()  # re-reads ticket 4 once more, now that its second is over
    mirror.clear_calls()
    quiet = mirror.sync(["tickets"])
    assert (quiet.updated, len(mirror.api_calls())) == (0, 2)  # /status and one listing


@pytest.mark.parametrize(("php", "db"), ZONES)
def test_a_full_first_sync_keeps_the_same_second_protection(
    make_mirror: MirrorFactory, php: str, db: str
) -> None:
    mirror = make_mirror(timezone=php, db_timezone=db)
    mirror.sim.control.touch(ids=[6], field="subject", value="first")
    mirror.sync(["tickets"], full=True)  # reads ticket 6 during the second it changed...
    mirror.sim.control.touch(ids=[6], field="subject", value="second")  # ...same tms again

    mirror.sync(["tickets"])

    assert mirror.mirrored().tickets[6][2] == "second"
    mirror.later()
    mirror.sync(["tickets"])
    mirror.clear_calls()
    quiet = mirror.sync(["tickets"])
    assert (quiet.updated, len(mirror.api_calls())) == (0, 2)
