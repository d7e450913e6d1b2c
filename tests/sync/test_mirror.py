"""A first sync mirrors Dolibarr; a quiet second sync writes nothing and costs one request
per entity; every supported Dolibarr flavour syncs the same way."""

from __future__ import annotations

import pytest

from dolisync.records import ENTITIES
from tests.sync.conftest import Mirror


def test_first_sync_mirrors_every_ticket_and_message(mirror: Mirror) -> None:
    report = mirror.sync()

    assert report.ok, report.errors
    assert mirror.mirrored() == mirror.truth()
    tickets = next(entry for entry in report.entities if entry.entity == "tickets")
    assert tickets.created == len(mirror.truth().tickets) == 30


def test_quiet_second_sync_writes_nothing_and_costs_one_request_per_entity(
    mirror: Mirror,
) -> None:
    mirror.sync()
    mirror.later()
    mirror.clear_calls()
    before = mirror.changes()

    report = mirror.sync()

    assert report.ok, report.errors
    assert mirror.changes() == before
    assert (report.created, report.updated, report.deleted) == (0, 0, 0)
    calls = mirror.api_calls()
    assert calls[0] == ("GET", "/status")
    listed = sorted(path for _, path in calls[1:])
    assert listed == sorted(
        ["/tickets", "/agendaevents", "/interventions", "/thirdparties", "/users"]
    )
    assert report.requests == len(calls) == 1 + len(ENTITIES)


@pytest.mark.parametrize("version", ["20.0.2", "22.0.4"])
def test_each_supported_version_mirrors_and_follows_changes(make_mirror, version: str) -> None:
    mirror = make_mirror(version=version)
    mirror.sync()
    mirror.later()
    touched = mirror.sim.control.touch(2)
    mirror.later()

    report = mirror.sync()

    assert report.ok, report.errors
    assert report.updated == len(touched)
    assert mirror.mirrored() == mirror.truth()


def test_pre_19_servers_answering_404_for_empty_lists_sync_cleanly(make_mirror) -> None:
    mirror = make_mirror(version="20.0.2", empty_list_404=True, tickets=3)

    first = mirror.sync()
    mirror.later()
    second = mirror.sync()

    assert first.ok, first.errors
    assert second.ok, second.errors
    assert mirror.mirrored() == mirror.truth()


def test_an_empty_dolibarr_syncs_to_an_empty_mirror(make_mirror) -> None:
    mirror = make_mirror(tickets=0)

    report = mirror.sync()

    assert report.ok, report.errors
    assert mirror.mirrored().tickets == {}
