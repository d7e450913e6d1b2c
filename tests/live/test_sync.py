"""Mirroring a real Dolibarr: full load, incremental polls, messages, interventions, the CLI.

Each test starts from an empty store, so its first sync is a full load of everything the key
can see; assertions look at the run's own objects only (the Dolibarr may be shared).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from dolisync.records import Message
from tests.live.checks import assert_ok, assert_quiet, entity_report
from tests.live.conftest import MirrorFactory
from tests.live.mirror import SOURCE
from tests.live.settings import LIVE
from tests.live.world import LiveWorld

pytestmark = LIVE


def test_a_ticket_created_and_one_modified_after_the_first_sync_both_arrive(
    world: LiveWorld, mirror_factory: MirrorFactory
) -> None:
    existing = world.ticket("sync: opened before the first sync", category="REMOTE")
    mirror = mirror_factory(entities=["tickets", "thirdparties"])

    first = mirror.sync()

    assert_ok(first)
    with mirror.store() as store:
        mirrored = store.get_ticket(SOURCE, existing.id)
        customer = store.get_thirdparty(SOURCE, world.customer())
    assert mirrored is not None
    assert (mirrored.ref, mirrored.subject, mirrored.socid) == (
        existing.ref,
        existing.subject,
        world.customer(),
    )
    assert mirrored.category_code == "REMOTE"
    assert customer is not None
    assert customer.name == world.customer_name

    new_subject = world.subject("sync: renamed after the first sync")
    world.edit_ticket(existing.id, {"subject": new_subject})
    added = world.ticket("sync: opened after the first sync")
    world.wait_until_after(world.client.get_ticket(existing.id).modified_at)

    second = mirror.sync()

    assert_ok(second)
    tickets = entity_report(second, "tickets")
    assert tickets.created >= 1
    assert tickets.updated >= 1
    with mirror.store() as store:
        renamed = store.get_ticket(SOURCE, existing.id)
        arrived = store.get_ticket(SOURCE, added.id)
        seq = store.last_change_seq()
    assert renamed is not None
    assert renamed.subject == new_subject
    assert arrived is not None
    assert arrived.subject == added.subject

    quiet = mirror.sync()

    with mirror.store() as store:
        assert_quiet(store, quiet, seq, {"tickets": {existing.id, added.id}})


def test_messages_arrive_through_agenda_events(
    world: LiveWorld, mirror_factory: MirrorFactory, run_id: str
) -> None:
    ticket = world.ticket("messages")
    mirror = mirror_factory(entities=["tickets", "messages"])
    assert_ok(mirror.sync())
    world.message(ticket, f"Public answer ({run_id})", private=False)
    world.message(ticket, f"Internal note ({run_id})", private=True)
    untouched = world.client.get_ticket(ticket.id)
    world.wait_until_after(untouched.modified_at)  # else the next sync re-reads that second

    report = mirror.sync()

    assert_ok(report)
    assert entity_report(report, "messages").created >= 2
    with mirror.store() as store:
        messages = store.messages_for(SOURCE, ticket.id)
        mirrored = store.get_ticket(SOURCE, ticket.id)
        seq = store.last_change_seq()
    assert [(m.code, m.private) for m in messages] == [
        ("TICKET_MSG", False),
        ("TICKET_MSG_PRIVATE", True),
    ]
    assert f"Public answer ({run_id})" in messages[0].text
    assert f"Internal note ({run_id})" in messages[1].text
    # A message does not touch the ticket row in Dolibarr, so the mirror's ticket stays as is.
    assert mirrored is not None
    assert mirrored.modified_at == untouched.modified_at == ticket.modified_at

    quiet = mirror.sync()

    with mirror.store() as store:
        assert_quiet(store, quiet, seq, {"tickets": {ticket.id}, "messages": _ids(messages)})


def test_an_intervention_arrives_with_its_ticket_link_and_lines(
    world: LiveWorld, mirror_factory: MirrorFactory
) -> None:
    ticket = world.ticket("intervention link", category="ONSITE")
    mirror = mirror_factory(entities=["tickets", "interventions"])
    assert_ok(mirror.sync())
    intervention_id = world.intervention(ticket, f"Visit for {ticket.ref}")
    day = world.server_now() + 86_400
    world.client.add_intervention_line(intervention_id, "Diagnosis on site", day, 5400)
    world.wait_until_after(world.server_now())

    report = mirror.sync()

    assert_ok(report)
    with mirror.store() as store:
        mirrored = store.get_intervention(SOURCE, intervention_id)
        of_ticket = store.interventions_for_ticket(SOURCE, ticket.id)
        seq = store.last_change_seq()
    assert mirrored is not None
    assert mirrored.linked_ticket_ids == (ticket.id,)
    assert mirrored.socid == world.customer()
    assert [line.duration for line in mirrored.lines] == [5400]
    assert mirrored.duration == 5400
    assert [item.id for item in of_ticket] == [intervention_id]

    quiet = mirror.sync()

    with mirror.store() as store:
        assert_quiet(
            store, quiet, seq, {"tickets": {ticket.id}, "interventions": {intervention_id}}
        )


def test_the_cli_syncs_reports_status_and_a_full_resync_deletes_nothing(
    world: LiveWorld, mirror_factory: MirrorFactory
) -> None:
    ticket = world.ticket("cli")
    mirror = mirror_factory()

    synced = mirror.cli("sync")

    assert synced.exit_code == 0, synced.output
    assert "synced" in synced.stdout
    status = mirror.cli("status", "--json")
    assert status.exit_code == 0, status.output
    document = json.loads(status.stdout)
    assert document["dolibarr_version"] == world.client.status().dolibarr_version
    assert document["entities"]["tickets"]["rows"] >= 1
    assert document["entities"]["tickets"]["last_sync"]

    full = mirror.cli("sync", "--full")

    assert full.exit_code == 0, full.output
    with mirror.store() as store:
        assert store.get_ticket(SOURCE, ticket.id) is not None  # still there, not deleted


@pytest.mark.parametrize("entity", ["users", "thirdparties"])
def test_directory_entities_sync(
    world: LiveWorld, mirror_factory: MirrorFactory, entity: str
) -> None:
    world.customer()
    mirror = mirror_factory(entities=[entity])

    report = mirror.sync()

    assert_ok(report)
    assert entity_report(report, entity).created >= 1


def _ids(records: Sequence[Message]) -> set[int]:
    return {record.id for record in records}
