"""Reads for rules and CLI: finding tickets, streaming them, following the change log."""

from __future__ import annotations

import pytest

from dolisync.store import Store
from tests.store.builders import SOURCE, intervention, ticket


def test_find_ticket_by_ref_id_or_track_id(store: Store) -> None:
    store.apply_page(
        SOURCE, "tickets", [ticket(12), ticket(34, ref="12")], position=None, synced_at=1.0
    )

    found = [store.find_ticket(SOURCE, key) for key in ("TS2412-0012", "34", "track000012")]
    assert [t.id if t else None for t in found] == [12, 34, 12]
    by_ref = store.find_ticket(SOURCE, "12")  # a ref wins over an id
    assert by_ref is not None
    assert by_ref.id == 34
    assert store.find_ticket(SOURCE, " TS2412-0012 ") is not None
    assert store.find_ticket(SOURCE, "nothing") is None
    assert store.find_ticket(SOURCE, "9" * 30) is None
    assert store.find_ticket("other", "TS2412-0012") is None


@pytest.mark.parametrize("batch", [1, 3, 7, 1000])
def test_iter_tickets_streams_live_tickets_in_id_order(store: Store, batch: int) -> None:
    store.apply_page(
        SOURCE, "tickets", [ticket(i) for i in (5, 1, 9, 3, 7, 2)], position=None, synced_at=1.0
    )
    store.apply_page("other", "tickets", [ticket(4, source="other")], position=None, synced_at=1.0)
    store.mark_deleted(SOURCE, "tickets", [9], at=2.0)

    assert [t.id for t in store.iter_tickets(SOURCE, batch=batch)] == [1, 2, 3, 5, 7]
    assert list(store.iter_tickets("nobody")) == []


def test_changes_since_pages_through_the_log(store: Store) -> None:
    store.apply_page(
        SOURCE, "tickets", [ticket(i) for i in range(1, 6)], position=None, synced_at=1.0
    )
    store.apply_page("other", "tickets", [ticket(1, source="other")], position=None, synced_at=1.0)

    first = store.changes_since(0, limit=2)
    rest = store.changes_since(first[-1].seq, limit=100)

    assert len(first) == 2
    assert [c.seq for c in first + rest] == sorted({c.seq for c in first + rest})
    assert len(first + rest) == 6
    assert rest[-1].seq == store.last_change_seq()
    assert [c.object_id for c in store.changes_since(0, source="other")] == [1]
    assert store.changes_since(store.last_change_seq()) == []


def test_an_empty_store_reads_empty(store: Store) -> None:
    assert store.last_change_seq() == 0
    assert store.get_ticket(SOURCE, 1) is None
    assert store.get_intervention(SOURCE, 1) is None
    assert store.get_thirdparty(SOURCE, 1) is None
    assert store.messages_for(SOURCE, 1) == []
    assert store.ids_present(SOURCE, "users") == set()


def test_deleted_interventions_are_not_linked_to_tickets(store: Store) -> None:
    store.apply_page(
        SOURCE,
        "interventions",
        [intervention(1, linked_ticket_ids=(5,)), intervention(2, linked_ticket_ids=(5,))],
        position=None,
        synced_at=1.0,
    )
    store.mark_deleted(SOURCE, "interventions", [1], at=2.0)

    assert [i.id for i in store.interventions_for_ticket(SOURCE, 5)] == [2]
