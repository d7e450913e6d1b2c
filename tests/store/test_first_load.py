"""A first load's cursor bound: kept across interrupted attempts, ended by a high-water mark,
on every backend."""

from __future__ import annotations

from dolisync.store import Store
from tests.store.builders import SOURCE, ticket


def test_the_first_attempts_bound_outlives_an_interruption(store: Store) -> None:
    assert store.begin_first_load(SOURCE, "tickets", 1_000) == 1_000
    store.apply_page(SOURCE, "tickets", [ticket(1)], position=(None, 1), synced_at=1.0)

    # the resumed attempt starts later: its own bound would miss what changed in between
    assert store.begin_first_load(SOURCE, "tickets", 2_000) == 1_000
    assert store.get_position(SOURCE, "tickets") == (None, 1)
    assert store.begin_first_load(SOURCE, "users", 3_000) == 3_000  # per entity


def test_a_high_water_mark_or_a_reset_ends_the_first_load(store: Store) -> None:
    store.begin_first_load(SOURCE, "tickets", 1_000)
    store.apply_page(SOURCE, "tickets", [], position=(999, 0), synced_at=1.0)
    assert store.begin_first_load(SOURCE, "tickets", 5_000) == 5_000

    store.apply_page(SOURCE, "tickets", [], position=(None, None), synced_at=2.0)
    assert store.get_position(SOURCE, "tickets") == (None, None)
    assert store.begin_first_load(SOURCE, "tickets", 6_000) == 6_000


def test_no_bound_known_stores_nothing(store: Store) -> None:
    assert store.begin_first_load(SOURCE, "tickets", None) is None
    assert store.begin_first_load(SOURCE, "tickets", 7_000) == 7_000
    assert store.status(SOURCE).sources[SOURCE].entities["tickets"].cursor is None
