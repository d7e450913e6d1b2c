"""apply_page, mark_deleted and the change log, on every backend."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.exc import IntegrityError

from dolisync.store import Store
from tests.store.builders import SOURCE, intervention, line, message, thirdparty, ticket, user


def apply(store: Store, entity, records, *, position=None, at=1000.0):
    return store.apply_page(SOURCE, entity, records, position=position, synced_at=at)


def test_new_records_are_created_and_logged(store: Store) -> None:
    result = apply(store, "tickets", [ticket(1), ticket(2)])

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert [(c.object_id, c.kind, dict(c.changes)) for c in result.changes] == [
        (1, "created", {}),
        (2, "created", {}),
    ]
    assert store.get_ticket(SOURCE, 1) == ticket(1)
    assert store.changes_since(0) == result.changes


def test_changed_fields_are_logged_old_to_new(store: Store) -> None:
    apply(store, "tickets", [ticket(1), ticket(2), ticket(3)])
    seq = store.last_change_seq()

    page = [ticket(1, status=3, assigned_user_id=7), ticket(2), ticket(3, subject="Fixed")]
    result = apply(store, "tickets", page, at=2000.0)

    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    logged = store.changes_since(seq)
    assert logged == result.changes
    assert [(c.object_id, c.kind, dict(c.changes), c.at) for c in logged] == [
        (1, "updated", {"status": (0, 3), "assigned_user_id": (None, 7)}, 2000.0),
        (3, "updated", {"subject": ("Printer 3 is down", "Fixed")}, 2000.0),
    ]
    assert store.get_ticket(SOURCE, 1) == page[0]


def test_same_page_twice_changes_nothing(store: Store) -> None:
    page = [ticket(1), ticket(2, status=8)]
    apply(store, "tickets", page)
    seq = store.last_change_seq()

    again = apply(store, "tickets", page, at=5000.0)

    assert (again.created, again.updated, again.unchanged, again.changes) == (0, 0, 2, [])
    assert store.changes_since(seq) == []


def test_raw_only_difference_is_stored_without_a_change(store: Store) -> None:
    apply(store, "tickets", [ticket(1)])
    refreshed = ticket(1, raw={"id": "1", "new_field_we_do_not_map": "x"})

    result = apply(store, "tickets", [refreshed])

    assert (result.updated, result.unchanged, result.changes) == (0, 1, [])
    stored = store.get_ticket(SOURCE, 1)
    assert stored is not None
    assert stored.raw == {"id": "1", "new_field_we_do_not_map": "x"}


def test_raw_json_is_kept_as_dolibarr_sent_it(store: Store) -> None:
    raw = {
        "id": "5",
        "ref": "TS2412-0005",
        "array_options": {"options_contract": "Gold ★", "options_empty": None},
        "lines": [{"id": "1", "qty": "1.5"}, []],
        "date_close": "",
        "fk_soc": "12",
    }
    apply(store, "tickets", [ticket(5, raw=raw)])

    stored = store.get_ticket(SOURCE, 5)
    assert stored is not None
    assert stored.raw == raw
    assert list(stored.raw) == list(raw)  # key order too


def test_duplicate_ids_in_a_page_keep_the_last_copy(store: Store) -> None:
    result = apply(store, "tickets", [ticket(1, status=1), ticket(1, status=2)])

    assert (result.created, result.updated) == (1, 0)
    stored = store.get_ticket(SOURCE, 1)
    assert stored is not None
    assert stored.status == 2


def test_a_page_of_the_wrong_entity_or_source_is_refused(store: Store) -> None:
    with pytest.raises(TypeError):
        apply(store, "interventions", [ticket(1)])
    with pytest.raises(ValueError, match="other"):
        apply(store, "tickets", [ticket(1, source="other")])
    with pytest.raises(ValueError, match="unknown entity"):
        apply(store, "tickets_and_more", [ticket(1)])
    assert store.ids_present(SOURCE, "tickets") == set()


def test_deleted_rows_are_marked_kept_and_logged(store: Store) -> None:
    apply(store, "tickets", [ticket(1), ticket(2), ticket(3)])
    seq = store.last_change_seq()

    marked = store.mark_deleted(SOURCE, "tickets", [2, 3, 404], at=3000.0)

    assert marked == 2
    assert store.ids_present(SOURCE, "tickets") == {1}
    assert store.get_ticket(SOURCE, 2) is None
    assert store.get_ticket(SOURCE, 2, include_deleted=True) == ticket(2)
    assert [(c.object_id, c.kind, c.at) for c in store.changes_since(seq)] == [
        (2, "deleted", 3000.0),
        (3, "deleted", 3000.0),
    ]
    assert store.mark_deleted(SOURCE, "tickets", [2], at=3001.0) == 0  # already marked
    tickets = store.status(SOURCE).sources[SOURCE].entities["tickets"]
    assert (tickets.rows, tickets.deleted) == (1, 2)


def test_a_deleted_row_that_reappears_is_resurrected_as_created(store: Store) -> None:
    apply(store, "tickets", [ticket(1)])
    store.mark_deleted(SOURCE, "tickets", [1], at=3000.0)

    result = apply(store, "tickets", [ticket(1, status=2)])

    assert (result.created, result.updated) == (1, 0)
    assert result.changes[0].kind == "created"
    assert store.ids_present(SOURCE, "tickets") == {1}
    assert store.known_versions(SOURCE, "tickets", [1]) == {1: ticket(1).modified_at}


def test_known_versions_skips_unknown_and_deleted_ids(store: Store) -> None:
    apply(store, "tickets", [ticket(1, modified_at=10), ticket(2, modified_at=None), ticket(3)])
    store.mark_deleted(SOURCE, "tickets", [3], at=1.0)

    assert store.known_versions(SOURCE, "tickets", [1, 2, 3, 4]) == {1: 10, 2: None}
    apply(store, "messages", [message(9, ticket_id=1)])
    assert store.known_versions(SOURCE, "messages", [9]) == {9: None}


def test_many_ids_are_looked_up_in_slices(store: Store) -> None:
    page = [ticket(i) for i in range(1, 1201)]
    assert apply(store, "tickets", page).created == 1200

    assert len(store.known_versions(SOURCE, "tickets", range(1, 1301))) == 1200
    assert apply(store, "tickets", page).unchanged == 1200
    assert store.mark_deleted(SOURCE, "tickets", range(1, 1201), at=1.0) == 1200


def test_the_cursor_is_stored_only_with_its_page(store: Store) -> None:
    assert store.get_position(SOURCE, "tickets") == (None, None)

    apply(store, "tickets", [ticket(1)], position=(1_733_000_001, 1))
    assert store.get_position(SOURCE, "tickets") == (1_733_000_001, 1)

    apply(store, "tickets", [ticket(2)], position=None)
    assert store.get_position(SOURCE, "tickets") == (1_733_000_001, 1)

    apply(store, "tickets", [], position=(None, None))  # a reset travels with an empty page
    assert store.get_position(SOURCE, "tickets") == (None, None)
    assert store.get_position(SOURCE, "interventions") == (None, None)


def test_a_failure_mid_page_leaves_the_store_as_before(store: Store) -> None:
    apply(store, "interventions", [intervention(1, lines=(line(10, 1),))], position=(5, 1))
    before_seq = store.last_change_seq()
    # the second intervention's line cannot be serialised: the failure comes after the
    # interventions themselves were written
    broken = intervention(3, lines=(line(30, 3, raw={"bad": {1, 2}}),))
    page = [intervention(1, status=1, lines=()), intervention(2), broken]

    with pytest.raises(TypeError):
        apply(store, "interventions", page, position=(9, 3))

    assert store.ids_present(SOURCE, "interventions") == {1}
    assert store.get_intervention(SOURCE, 1) == intervention(1, lines=(line(10, 1),))
    assert store.get_position(SOURCE, "interventions") == (5, 1)
    assert store.last_change_seq() == before_seq


def test_a_database_error_mid_page_rolls_back_the_page(store: Store) -> None:
    apply(store, "tickets", [ticket(1)], position=(5, 1))
    before = store.last_change_seq()

    with pytest.raises(IntegrityError):  # subject is NOT NULL
        apply(store, "tickets", [ticket(1, status=5), ticket(2, subject=None)], position=(9, 2))

    assert store.get_ticket(SOURCE, 1) == ticket(1)
    assert store.ids_present(SOURCE, "tickets") == {1}
    assert store.get_position(SOURCE, "tickets") == (5, 1)
    assert store.last_change_seq() == before
    assert apply(store, "tickets", [ticket(2)]).created == 1  # the store still works


def test_sources_with_the_same_ids_do_not_collide(store: Store) -> None:
    apply(store, "tickets", [ticket(1, subject="main's")], position=(1, 1))
    other = ticket(1, source="branch", subject="branch's")
    store.apply_page("branch", "tickets", [other], position=(2, 1), synced_at=1.0)

    store.mark_deleted("branch", "tickets", [1], at=2.0)

    main_ticket = store.get_ticket(SOURCE, 1)
    assert main_ticket is not None
    assert main_ticket.subject == "main's"
    assert store.ids_present("branch", "tickets") == set()
    assert store.get_position(SOURCE, "tickets") == (1, 1)
    assert store.get_position("branch", "tickets") == (2, 1)
    assert {c.source for c in store.changes_since(0, source="branch")} == {"branch"}


def test_intervention_lines_and_links_round_trip(store: Store) -> None:
    fi = intervention(
        1,
        socid=4,
        duration=5400,
        lines=(line(12, 1, rank=2, duration=1800), line(11, 1, rank=1)),
        linked_ticket_ids=(8, 3),
    )
    apply(store, "interventions", [fi])

    stored = store.get_intervention(SOURCE, 1)
    assert stored is not None
    assert [ln.id for ln in stored.lines] == [11, 12]  # read back by rank
    assert stored.linked_ticket_ids == (3, 8)  # read back sorted
    assert stored == dataclasses.replace(
        fi,
        lines=(line(11, 1, rank=1), line(12, 1, rank=2, duration=1800)),
        linked_ticket_ids=(3, 8),
    )
    assert [i.id for i in store.interventions_for_ticket(SOURCE, 8)] == [1]
    assert store.interventions_for_ticket(SOURCE, 99) == []


def test_lines_and_links_are_replaced_and_logged(store: Store) -> None:
    apply(store, "interventions", [intervention(1, lines=(line(10, 1),), linked_ticket_ids=(5,))])

    changed = intervention(1, lines=(line(11, 1, rank=1),), linked_ticket_ids=(6, 7))
    result = apply(store, "interventions", [changed])

    assert result.updated == 1
    changes = result.changes[0].changes
    assert changes["linked_ticket_ids"] == ([5], [6, 7])
    assert [ln["id"] for ln in changes["lines"][0]] == [10]
    assert [ln["id"] for ln in changes["lines"][1]] == [11]
    assert store.get_intervention(SOURCE, 1) == changed
    assert store.interventions_for_ticket(SOURCE, 5) == []
    assert [i.id for i in store.interventions_for_ticket(SOURCE, 7)] == [1]


def test_links_are_kept_when_a_page_does_not_carry_them(store: Store) -> None:
    apply(store, "interventions", [intervention(1, linked_ticket_ids=(5,))])

    # list items carry no link data: linked_ticket_ids is None
    result = apply(store, "interventions", [intervention(1, status=1)])

    assert [dict(c.changes) for c in result.changes] == [{"status": (0, 1)}]
    stored = store.get_intervention(SOURCE, 1)
    assert stored is not None
    assert stored.linked_ticket_ids == (5,)


def test_links_never_seen_read_back_as_unknown(store: Store) -> None:
    apply(store, "interventions", [intervention(1)])
    stored = store.get_intervention(SOURCE, 1)
    assert stored is not None
    assert stored.linked_ticket_ids is None

    result = apply(store, "interventions", [intervention(1, linked_ticket_ids=())])
    assert [dict(c.changes) for c in result.changes] == [{"linked_ticket_ids": (None, [])}]


def test_a_line_moving_between_interventions_follows_them(store: Store) -> None:
    apply(store, "interventions", [intervention(1, lines=(line(10, 1),)), intervention(2)])

    apply(store, "interventions", [intervention(2, lines=(line(10, 2),))])

    second = store.get_intervention(SOURCE, 2)
    assert second is not None
    assert [ln.id for ln in second.lines] == [10]


def test_messages_thirdparties_and_users_round_trip(store: Store) -> None:
    later = message(2, ticket_id=1, created_at=200, private=True, code="TICKET_MSG_PRIVATE")
    earlier = message(3, ticket_id=1, created_at=100, author_user_id=4)
    apply(store, "messages", [later, earlier, message(4, ticket_id=2)])
    apply(store, "thirdparties", [thirdparty(4, email="it@example.org", status=0)])
    apply(store, "users", [user(4, admin=True, active=False)])

    assert store.messages_for(SOURCE, 1) == [earlier, later]
    assert store.get_thirdparty(SOURCE, 4) == thirdparty(4, email="it@example.org", status=0)
    assert store.get_user(SOURCE, 4) == user(4, admin=True, active=False)
    assert store.get_user(SOURCE, 5) is None

    result = apply(store, "users", [user(4, admin=False, active=False)])
    assert [dict(c.changes) for c in result.changes] == [{"admin": (True, False)}]
