"""Failures never corrupt the mirror: retried faults succeed, failed entities are recorded
while the others sync, a crash mid-walk loses nothing, and the next run converges."""

from __future__ import annotations

import pytest

from dolisync.dolibarr import DolibarrClient
from dolisync.errors import AuthError, InvalidResponse, ServerError, TransportError
from dolisync.sync import EntityReport, NoProgress, PageProgress, SyncEngine
from tests.sync.conftest import Mirror


class StopAfterPage(NoProgress):
    """Simulates a crash (power cut, kill -9) right after page ``page`` was committed."""

    def __init__(self, entity: str, page: int) -> None:
        self.entity, self.page = entity, page

    def page_committed(self, page: PageProgress) -> None:
        if page.entity == self.entity and page.page == self.page:
            raise RuntimeError("crash after a committed page")


class FaultAfterPage(NoProgress):
    """Breaks the simulator's network after page ``page`` of ``entity`` was committed."""

    def __init__(self, mirror: Mirror, entity: str, page: int, spec: str) -> None:
        self.mirror, self.entity, self.page, self.spec = mirror, entity, page, spec

    def page_committed(self, page: PageProgress) -> None:
        if page.entity == self.entity and page.page == self.page:
            self.mirror.sim.control.set_faults(self.spec)


def only(reports: tuple[EntityReport, ...], name: str) -> EntityReport:
    return next(entry for entry in reports if entry.entity == name)


def test_a_crash_after_a_committed_page_loses_nothing_and_the_next_run_converges(
    make_mirror,
) -> None:
    mirror = make_mirror(page_size=10)

    with pytest.raises(RuntimeError, match="crash after"):
        mirror.sync(progress=StopAfterPage("tickets", 2))

    assert len(mirror.mirrored().tickets) == 20  # the two committed pages, nothing more
    assert mirror.store.get_position("default", "tickets")[1] is not None
    mirror.later()
    report = mirror.sync()
    assert report.ok, report.errors
    assert only(report.entities, "tickets").created == 10  # only the missing page
    assert mirror.mirrored() == mirror.truth()


def test_a_connection_lost_mid_walk_fails_the_run_and_the_next_run_resumes(make_mirror) -> None:
    mirror = make_mirror(page_size=10)
    breaker = FaultAfterPage(mirror, "tickets", 1, "reset=1")

    report = mirror.sync(progress=breaker)

    assert isinstance(report.first_error, TransportError)
    assert [entry.entity for entry in report.entities if entry.skipped] == [
        "messages",
        "interventions",
        "thirdparties",
        "users",
    ]
    state = mirror.store.status("default").sources["default"].entities["tickets"]
    # the network broke after page 1 was committed; page 2 may already have been fetched
    # (the next page is asked for while one is written): it is then committed too
    assert state.rows in (10, 20)
    assert state.rows == only(report.entities, "tickets").created
    assert state.cursor == (None, state.rows)  # the first load resumes after the last id
    assert state.last_error is not None
    assert "TransportError" in state.last_error
    mirror.sim.control.clear_faults()
    mirror.later()
    assert mirror.sync().ok
    assert mirror.mirrored() == mirror.truth()


def test_gateway_errors_and_rate_limits_are_retried_to_success(make_mirror) -> None:
    calm = make_mirror().sync()
    mirror = make_mirror()  # same seed, same data
    mirror.sim.control.set_faults("error502=1,count=2; error429=1,count=2,retry_after=0")

    report = mirror.sync()

    assert report.ok, report.errors
    assert report.requests == calm.requests + 4  # each fault cost one retry
    assert mirror.mirrored() == mirror.truth()


def test_a_failing_entity_is_recorded_and_the_others_still_sync(mirror: Mirror) -> None:
    mirror.sim.control.set_faults("error500=1,path=/users")

    report = mirror.sync()

    assert isinstance(report.first_error, ServerError)
    assert [entity for entity, _ in report.errors] == ["users"]
    assert only(report.entities, "tickets").created == 30
    statuses = mirror.store.status("default").sources["default"].entities
    assert statuses["users"].last_error is not None
    assert statuses["tickets"].last_error is None
    mirror.sim.control.clear_faults()
    mirror.later()
    assert mirror.sync().ok
    assert mirror.store.status("default").sources["default"].entities["users"].last_error is None


def test_truncated_json_is_an_invalid_response_and_changes_nothing(mirror: Mirror) -> None:
    mirror.sync()
    mirror.later()
    mirror.sim.control.touch(3)
    mirror.later()
    before = (mirror.changes(), mirror.store.get_position("default", "tickets"))
    mirror.sim.control.set_faults("truncate=1,path=/tickets")

    report = mirror.sync(["tickets"])

    assert isinstance(report.first_error, InvalidResponse)
    assert (mirror.changes(), mirror.store.get_position("default", "tickets")) == before
    mirror.sim.control.clear_faults()
    assert mirror.sync(["tickets"]).updated == 3


def test_a_wrong_key_stops_before_anything_is_synced(mirror: Mirror) -> None:
    with DolibarrClient.from_settings(
        mirror.sim.base_url, "not-the-key", source="default"
    ) as client:
        engine = SyncEngine(client, mirror.store)

        with pytest.raises(AuthError):
            engine.run()

    assert mirror.mirrored().tickets == {}
