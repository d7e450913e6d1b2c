"""Timezone handling when Dolibarr's PHP timezone is not UTC.

Dolibarr's database holds wall-clock values, its JSON gives epochs read in PHP's timezone, and
a date literal in ``sqlfilters`` is compared with the raw database value. dolisync writes its
cursor literals in the server's PHP timezone; these tests check, on a real server, that such a
literal finds the row it came from and that incremental polls neither miss nor re-read rows.
When PHP's zone is not the database's, every ``tms`` epoch is shifted from the true time
``/status`` gives (5 h ahead for PHP in America/New_York over a UTC database, 1 h behind for
Europe/Paris); the polls must still fetch nothing when nothing changed, and a change made in
the very second dolisync read the row must still arrive.

The tester serves the same Dolibarr a second time with another PHP timezone (e.g. PHP's
built-in server with ``-d date.timezone=Europe/Paris`` on the same tree and database) and gives
its address in ``DOLISYNC_LIVE_TZ_URL``; a Dolibarr whose own PHP timezone is not UTC is used
directly. Otherwise these tests are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from dolisync.config.urls import normalise_dolibarr_url
from dolisync.dolibarr import DolibarrClient, ServerInfo
from dolisync.records import Ticket
from dolisync.sync import SyncReport
from tests.live.checks import assert_ok, assert_quiet, entity_report
from tests.live.conftest import MirrorFactory
from tests.live.mirror import SOURCE
from tests.live.settings import LIVE, TZ_URL_VAR, LiveSettings
from tests.live.world import LiveWorld

pytestmark = LIVE


@pytest.fixture(scope="module")
def tz_url(live: LiveSettings, server: ServerInfo) -> str:
    if live.tz_url is not None:
        return live.tz_url
    if server.php_timezone not in (None, "UTC"):
        return live.url
    pytest.skip(
        f"PHP's timezone is UTC here: set {TZ_URL_VAR} to the same Dolibarr served with "
        "another PHP timezone (see docs/live-tests.md)"
    )


@pytest.fixture(scope="module")
def tz_client(tz_url: str, live: LiveSettings) -> Iterator[DolibarrClient]:
    client = DolibarrClient.from_settings(
        normalise_dolibarr_url(tz_url), live.api_key, source=SOURCE, max_attempts=2
    )
    with client:
        info = client.status()
        if info.php_timezone == "UTC":
            pytest.skip(f"{tz_url} also runs PHP in UTC: nothing to test")
        yield client


def test_the_server_zone_is_reported_by_doctor(
    tz_url: str, tz_client: DolibarrClient, mirror_factory: MirrorFactory
) -> None:
    zone = tz_client.status().php_timezone or tz_client.server_clock().describe()
    mirror = mirror_factory(url=tz_url)

    result = mirror.cli("doctor")

    assert result.exit_code == 0, result.output
    timezone_lines = [line for line in result.stdout.splitlines() if "timezone:" in line]
    assert timezone_lines, result.stdout
    assert zone in timezone_lines[0]


def test_a_cursor_literal_finds_the_row_it_was_built_from(
    world: LiveWorld, tz_client: DolibarrClient
) -> None:
    ticket = world.ticket("timezone: literal")
    seen = tz_client.get_ticket(ticket.id)  # its epoch, as the non-UTC PHP reads it
    assert seen.modified_at is not None
    literal = tz_client.server_clock().format_literal(seen.modified_at)

    rows = tz_client.list_page(
        "/tickets",
        sqlfilters=f"(t.rowid:=:{ticket.id}) and (t.tms:=:'{literal}')",
        properties=["id"],
    )

    assert [int(row["id"]) for row in rows] == [ticket.id], (
        f"tms literal {literal!r} ({tz_client.server_clock().describe()}) "
        f"does not match ticket {ticket.id}'s row"
    )


def test_incremental_sync_misses_nothing_and_rereads_nothing(
    world: LiveWorld, tz_url: str, mirror_factory: MirrorFactory
) -> None:
    existing = world.ticket("timezone: before the first sync")
    mirror = mirror_factory(url=tz_url, entities=["tickets"], overlap="1m")
    world.wait_until_after(world.server_now())
    assert_ok(mirror.sync())
    new_subject = world.subject("timezone: renamed after the first sync")
    world.edit_ticket(existing.id, {"subject": new_subject})
    added = world.ticket("timezone: opened after the first sync")
    world.wait_until_after(world.server_now())

    second = mirror.sync()

    assert_ok(second)
    with mirror.store() as store:
        renamed = store.get_ticket(SOURCE, existing.id)
        arrived = store.get_ticket(SOURCE, added.id)
        seq = store.last_change_seq()
    assert renamed is not None
    assert renamed.subject == new_subject
    assert arrived is not None
    assert entity_report(second, "tickets").created >= 1

    quiet = mirror.sync()

    with mirror.store() as store:
        assert_quiet(store, quiet, seq, {"tickets": {existing.id, added.id}})


SAME_SECOND_ATTEMPTS = 5


def test_a_second_change_in_the_same_second_is_not_lost(
    world: LiveWorld, tz_url: str, tz_client: DolibarrClient, mirror_factory: MirrorFactory
) -> None:
    ticket = world.ticket("timezone: changed twice within one second")
    mirror = mirror_factory(url=tz_url, entities=["tickets"], overlap="1m")
    with mirror.service() as service:
        assert_ok(service.sync())
        second = _change_twice_within_one_second(world, tz_client, service.sync, ticket)

        assert_ok(service.sync())  # the row's (id, tms) is known: only the cap re-reads it

        with mirror.store() as store:
            mirrored = store.get_ticket(SOURCE, ticket.id)
        assert mirrored is not None
        assert mirrored.subject == second
        world.wait_until_after(world.server_now())
        assert_ok(service.sync())  # reads it once more, now that its second is over
        with mirror.store() as store:
            seq = store.last_change_seq()
        quiet = service.sync()
        with mirror.store() as store:
            assert_quiet(store, quiet, seq, {"tickets": {ticket.id}})


def _change_twice_within_one_second(
    world: LiveWorld, tz_client: DolibarrClient, sync: Callable[[], SyncReport], ticket: Ticket
) -> str:
    """Change the ticket, sync (dolisync reads it), change it again: retried until both
    changes got the same ``tms`` (one-second steps); returns the second subject."""
    for attempt in range(SAME_SECOND_ATTEMPTS):
        world.wait_until_after(world.server_now())  # start early in a second
        world.edit_ticket(ticket.id, {"subject": world.subject(f"same second {attempt}: first")})
        assert_ok(sync())
        first_tms = tz_client.get_ticket(ticket.id).modified_at
        second = world.subject(f"same second {attempt}: second")
        world.edit_ticket(ticket.id, {"subject": second})
        if tz_client.get_ticket(ticket.id).modified_at == first_tms:
            return second
    pytest.skip(f"no two changes landed within one second in {SAME_SECOND_ATTEMPTS} tries")
