"""Sync results, instance facts and the status snapshot the CLI prints."""

from __future__ import annotations

from dolisync.records import ENTITIES
from dolisync.store import Store
from tests.store.builders import SOURCE, intervention, ticket


def test_status_counts_rows_and_shows_cursor_and_sync_times(store: Store) -> None:
    store.apply_page(
        SOURCE, "tickets", [ticket(1), ticket(2), ticket(3)], position=(9, 3), synced_at=1.0
    )
    store.mark_deleted(SOURCE, "tickets", [3], at=2.0)
    store.set_sync_result(SOURCE, "tickets", ok=True, at=100.0, full=True)
    store.set_sync_result(SOURCE, "tickets", ok=True, at=200.0)
    store.set_instance(
        SOURCE,
        version="22.0.4",
        timezone="Europe/Paris",
        url="https://erp.example.org",
        probed_at=50.0,
        utc_offset=3600,
    )

    shown = store.status(SOURCE).to_dict()["sources"][SOURCE]

    assert shown["dolibarr_version"] == "22.0.4"
    assert (shown["timezone"], shown["utc_offset"]) == ("Europe/Paris", 3600)
    assert shown["url"] == "https://erp.example.org"
    assert list(shown["entities"]) == list(ENTITIES)
    assert shown["entities"]["tickets"] == {
        "rows": 2,
        "deleted": 1,
        "cursor": {"modified_at": 9, "last_id": 3},
        "last_sync": 200.0,
        "last_full_sync": 100.0,
        "last_error": None,
        "last_error_at": None,
    }
    assert shown["entities"]["users"]["rows"] == 0
    assert shown["entities"]["users"]["cursor"] is None


def test_a_failed_sync_keeps_its_error_until_the_next_success(store: Store) -> None:
    store.set_sync_result(SOURCE, "tickets", ok=True, at=100.0)
    store.set_sync_result(SOURCE, "tickets", ok=False, at=150.0, error="Dolibarr timed out")

    failed = store.status(SOURCE).sources[SOURCE].entities["tickets"]
    assert (failed.last_sync, failed.last_error, failed.last_error_at) == (
        100.0,
        "Dolibarr timed out",
        150.0,
    )

    store.set_sync_result(SOURCE, "tickets", ok=True, at=200.0)
    recovered = store.status(SOURCE).sources[SOURCE].entities["tickets"]
    assert (recovered.last_sync, recovered.last_error) == (200.0, None)


def test_a_probe_without_an_offset_keeps_the_learned_one(store: Store) -> None:
    store.set_instance(
        SOURCE, version="20.0.2", timezone=None, url=None, probed_at=1.0, utc_offset=7200
    )
    store.set_instance(SOURCE, version="22.0.4", timezone="UTC", url=None, probed_at=2.0)

    shown = store.status(SOURCE).sources[SOURCE]
    assert (shown.dolibarr_version, shown.utc_offset, shown.probed_at) == ("22.0.4", 7200, 2.0)


def test_status_lists_every_source_or_the_one_asked_for(store: Store) -> None:
    store.apply_page(
        "a", "interventions", [intervention(1, source="a")], position=None, synced_at=1.0
    )
    store.set_instance("b", version="20.0.2", timezone=None, url=None, probed_at=1.0)

    assert list(store.status().sources) == ["a", "b"]
    assert list(store.status("never-synced").sources) == ["never-synced"]
    assert store.status("a").sources["a"].entities["interventions"].rows == 1
    assert store.status("never-synced").sources["never-synced"].dolibarr_version is None
