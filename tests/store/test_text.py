"""Text the databases cannot hold (NUL, lone surrogates) is kept as U+FFFD, alike on every
backend, and syncing the same object again reports no change."""

from __future__ import annotations

from dolisync.store import Store
from tests.store.builders import SOURCE, intervention, line, message, ticket

SENT = "jam\x00med by caf\ud800e"  # NUL: PostgreSQL refuses it; a lone surrogate: no UTF-8
KEPT = "jam\ufffdmed by caf\ufffde"


def test_unstorable_characters_are_replaced_and_raw_keeps_them(store: Store) -> None:
    sent = ticket(1, subject=SENT, raw={"id": "1", "subject": SENT})

    created = store.apply_page(SOURCE, "tickets", [sent], position=None, synced_at=1.0)
    again = store.apply_page(SOURCE, "tickets", [sent], position=None, synced_at=2.0)

    assert created.created == 1
    assert (again.unchanged, again.changes) == (1, [])
    stored = store.get_ticket(SOURCE, 1)
    assert stored is not None
    assert stored.subject == KEPT
    assert stored.raw == {"id": "1", "subject": SENT}
    assert store.find_ticket(SOURCE, "TS2412-0001") == stored


def test_messages_and_intervention_lines_are_stored_alike(store: Store) -> None:
    store.apply_page(
        SOURCE, "messages", [message(2, ticket_id=1, text=SENT)], position=None, synced_at=1.0
    )
    fi = intervention(3, description=SENT, lines=(line(30, 3, description=SENT),))
    store.apply_page(SOURCE, "interventions", [fi], position=None, synced_at=1.0)

    assert [m.text for m in store.messages_for(SOURCE, 1)] == [KEPT]
    stored = store.get_intervention(SOURCE, 3)
    assert stored is not None
    assert (stored.description, stored.lines[0].description) == (KEPT, KEPT)
    again = store.apply_page(SOURCE, "interventions", [fi], position=None, synced_at=2.0)
    assert (again.unchanged, again.changes) == (1, [])


def test_a_sync_error_and_instance_facts_are_stored_alike(store: Store) -> None:
    store.set_sync_result(SOURCE, "tickets", ok=False, at=1.0, error=f"Dolibarr said {SENT}")
    store.set_instance(SOURCE, version=SENT, timezone=None, url=None, probed_at=1.0)

    shown = store.status(SOURCE).sources[SOURCE]
    assert shown.entities["tickets"].last_error == f"Dolibarr said {KEPT}"
    assert shown.dolibarr_version == KEPT
