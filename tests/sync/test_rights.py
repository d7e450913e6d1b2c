"""The sync engine against an API user with fewer rights than it needs (the simulator checks
rights as Dolibarr 20/22 do): a missing right fails that entity alone, with one line recorded
in the sync state; records the user cannot see are never taken for deleted ones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dolisync.clock import FrozenClock
from dolisync.dolibarr import DolibarrClient
from dolisync.errors import PermissionDenied, SyncError
from dolisync.simulator import Simulator, SimulatorOptions
from dolisync.simulator.testing import TEST_DEFAULTS
from dolisync.store import Store
from dolisync.sync import SyncEngine
from tests.sync.conftest import SOURCE, START, Mirror

KEY = "sync-user-key-0123456789abcdef"
EVERY_READ = ("tickets.read", "agenda.read", "agenda.read_all", "interventions.read",
              "thirdparties.read", "thirdparties.all", "users.read")  # fmt: skip


@contextmanager
def mirror_as_user(directory: Path, *rights: str) -> Iterator[Mirror]:
    """A seeded simulator with a user holding ``rights``, mirrored with that user's key."""
    clock = FrozenClock(START)
    user = {"login": "sync", "api_key": KEY, "rights": rights}
    sim = Simulator(SimulatorOptions(**{**TEST_DEFAULTS, "users": [user]}), clock=clock).start()
    store = Store.open(f"sqlite:///{directory / 'mirror.db'}")
    client = DolibarrClient.from_settings(
        sim.base_url, KEY, source=SOURCE, timeout=(2.0, 5.0), clock=FrozenClock()
    )
    try:
        clock.advance(60)
        yield Mirror(sim, store, client, SyncEngine(client, store), clock)
    finally:
        client.close()
        store.close()
        sim.stop()


def user_id(sim: Simulator) -> int:
    return int(sim.backend.db.scalar("SELECT rowid FROM llx_user WHERE login = 'sync'"))


def last_errors(mirror: Mirror) -> dict[str, str | None]:
    entities = mirror.store.status(SOURCE).sources[SOURCE].entities
    return {name: state.last_error for name, state in entities.items()}


def test_without_the_users_right_only_users_fail_with_one_line(tmp_path: Path) -> None:
    without_users = [right for right in EVERY_READ if right != "users.read"]
    with mirror_as_user(tmp_path, *without_users) as mirror:
        report = mirror.sync()

        assert [entity for entity, _ in report.errors] == ["users"]
        (error,) = [error for _, error in report.errors]
        assert isinstance(error, PermissionDenied)
        recorded = last_errors(mirror)
        assert recorded["users"] == (
            "PermissionDenied: GET /users: 403 Forbidden: You are not allowed to read list of users"
        )
        assert "\n" not in recorded["users"]
        assert all(recorded[name] is None for name in recorded if name != "users")
        assert mirror.mirrored() == mirror.truth()  # tickets, messages, interventions
        assert KEY not in (recorded["users"] or "")


def test_a_user_limited_to_its_customers_mirrors_only_theirs(tmp_path: Path) -> None:
    narrowed = [right for right in EVERY_READ if right != "thirdparties.all"]
    with mirror_as_user(tmp_path, *narrowed) as mirror:
        socid = int(mirror.sim.backend.db.scalar("SELECT MIN(fk_soc) FROM llx_ticket"))
        mirror.sim.control.add_representative(socid, user_id(mirror.sim))

        report = mirror.sync()

        assert report.ok, report.errors
        truth = mirror.truth()
        theirs = {
            int(row[0])
            for row in mirror.sim.backend.db.all(
                "SELECT rowid FROM llx_ticket WHERE fk_soc = ?", [socid]
            )
        }
        assert set(mirror.mirrored().tickets) == theirs < set(truth.tickets)


def test_a_full_sync_that_suddenly_sees_nothing_marks_nothing_deleted(tmp_path: Path) -> None:
    with mirror_as_user(tmp_path, *EVERY_READ) as mirror:
        assert mirror.sync().ok
        narrowed = [right for right in EVERY_READ if right != "thirdparties.all"]
        mirror.sim.control.set_rights(user_id(mirror.sim), narrowed)
        mirror.later()

        report = mirror.sync(full=True)

        assert isinstance(dict(report.errors)["tickets"], SyncError)
        assert mirror.mirrored().tickets == mirror.truth().tickets  # nothing marked deleted


def test_a_full_sync_that_sees_fewer_customers_marks_nothing_deleted(tmp_path: Path) -> None:
    with mirror_as_user(tmp_path, *EVERY_READ) as mirror:
        assert mirror.sync().ok
        socid = int(mirror.sim.backend.db.scalar("SELECT MIN(fk_soc) FROM llx_ticket"))
        mirror.sim.control.add_representative(socid, user_id(mirror.sim))
        narrowed = [right for right in EVERY_READ if right != "thirdparties.all"]
        mirror.sim.control.set_rights(user_id(mirror.sim), narrowed)
        mirror.later()

        mirror.sync(full=True)

        assert mirror.mirrored().tickets == mirror.truth().tickets


def test_a_full_sync_marks_what_is_really_gone_and_keeps_what_is_only_hidden(
    tmp_path: Path,
) -> None:
    with mirror_as_user(tmp_path, *EVERY_READ) as mirror:
        assert mirror.sync().ok
        socid = int(mirror.sim.backend.db.scalar("SELECT MIN(fk_soc) FROM llx_ticket"))
        hidden = mirror.sim.backend.db.scalar(
            "SELECT MIN(rowid) FROM llx_ticket WHERE fk_soc != ?", (socid,)
        )
        deleted = mirror.sim.backend.db.scalar(
            "SELECT MAX(rowid) FROM llx_ticket WHERE fk_soc != ?", (socid,)
        )
        mirror.sim.control.delete_ticket(int(deleted))
        mirror.sim.control.add_representative(socid, user_id(mirror.sim))
        mirror.sim.control.set_rights(
            user_id(mirror.sim), [right for right in EVERY_READ if right != "thirdparties.all"]
        )
        mirror.later()

        report = mirror.sync(full=True, entities=["tickets"])

        assert report.ok
        assert report.deleted == 1
        assert mirror.store.get_ticket(SOURCE, int(deleted)) is None
        assert mirror.store.get_ticket(SOURCE, int(hidden)) is not None


def test_many_tickets_missing_but_still_there_stop_the_full_sync_before_any_mark(
    tmp_path: Path,
) -> None:
    with mirror_as_user(tmp_path, *EVERY_READ) as mirror:
        for number in range(60):  # more than CONFIRM_ONE_BY_ONE, so a sample is read first
            mirror.sim.control.create_ticket(subject=f"Ticket {number}", fk_soc=2)
        assert mirror.sync().ok
        mirror.sim.control.add_representative(1, user_id(mirror.sim))
        mirror.sim.control.set_rights(
            user_id(mirror.sim), [right for right in EVERY_READ if right != "thirdparties.all"]
        )
        mirror.later()

        report = mirror.sync(full=True, entities=["tickets"])

        error = dict(report.errors)["tickets"]
        assert isinstance(error, SyncError)
        assert "still has" in error.message
        assert mirror.mirrored().tickets == mirror.truth().tickets


def test_many_really_deleted_tickets_are_each_read_once_then_marked(tmp_path: Path) -> None:
    with mirror_as_user(tmp_path, *EVERY_READ) as mirror:
        created = [
            mirror.sim.control.create_ticket(subject=f"Gone {n}", fk_soc=1) for n in range(60)
        ]
        assert mirror.sync().ok
        for ticket in created:
            mirror.sim.control.delete_ticket(ticket)
        mirror.later()
        mirror.sim.control.clear_requests()

        report = mirror.sync(full=True, entities=["tickets"])

        assert report.ok
        assert report.deleted == 60
        reads = [call for call in mirror.api_calls() if call[1].startswith("/tickets/")]
        assert sorted(reads) == sorted(("GET", f"/tickets/{ticket}") for ticket in created)
