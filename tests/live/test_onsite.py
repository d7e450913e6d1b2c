"""The on-site rule end to end on a real server, and a crash between a create and its record.

The rule matches only tickets of the run's own customer whose subject carries a token of the
test, so a run against a shared Dolibarr can never act on anybody else's ticket. Everything is
driven with ``dolisync run --once`` (what a cron job or a user would run); Dolibarr is then
read directly to check what dolisync did: exactly one intervention, linked to the ticket
(``linkedObjectsIds``), one private message naming it, the ticket in progress.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

import pytest

from dolisync.records import TICKET_STATUS_CODES, Intervention, Ticket
from tests.live.conftest import MirrorFactory
from tests.live.mirror import SOURCE, CliResult, LiveMirror
from tests.live.proxy import RecordingProxy
from tests.live.settings import LIVE, LiveSettings
from tests.live.world import LiveWorld

pytestmark = LIVE

LINE = "Diagnosis on site"
HOLD_WAIT = 120.0  # seconds to wait for dolisync to reach the held create


def onsite_rule(customer_id: int, token: str) -> str:
    return f"""
[writeback]
dry_run = false
retry_delay = "1s"
retry_delay_max = "2s"

[[rules]]
name = "live-onsite"
description = "On-site tickets of the live suite get a draft intervention"
on = ["ticket.created", "ticket.updated"]

[rules.when]
customer.id = {customer_id}
category_code = "ONSITE"
subject = {{ contains = "{token}" }}

[[rules.then]]
action = "create_intervention"
description = "On-site work for {{ticket.ref}}"
project = "none"
lines = [{{ description = "{LINE}", duration = "1h" }}]

[[rules.then]]
action = "post_message"
private = true
text = "Intervention {{intervention.ref}} created by dolisync rule {{rule.name}}."

[[rules.then]]
action = "set_status"
status = "in_progress"
"""


@dataclass
class Outcome:
    """What Dolibarr holds for the ticket after dolisync's work."""

    ticket: Ticket
    interventions: list[Intervention]
    private_notes: list[dict[str, Any]]


def outcome(world: LiveWorld, ticket: Ticket) -> Outcome:
    # Linked to the ticket, or dolisync's and linked to nothing (a create whose link failed).
    mine = [
        item
        for item in world.interventions_of_customer()
        if ticket.id in (item.linked_ticket_ids or ())
        or ((item.ref_client or "").startswith("dolisync:") and not item.linked_ticket_ids)
    ]
    notes = [
        event
        for event in world.agenda_events(ticket.id)
        if event.get("code") == "TICKET_MSG_PRIVATE"
    ]
    return Outcome(world.client.get_ticket(ticket.id), mine, notes)


def assert_done_once(world: LiveWorld, ticket: Ticket) -> Intervention:
    """Exactly one intervention, linked and marked; one private note naming it; in progress."""
    found = outcome(world, ticket)
    assert len(found.interventions) == 1, [
        (item.id, item.ref, item.ref_client) for item in found.interventions
    ]
    (intervention,) = found.interventions
    assert intervention.linked_ticket_ids == (ticket.id,)  # from linkedObjectsIds
    assert (intervention.ref_client or "").startswith("dolisync:")
    assert intervention.socid == world.customer()
    assert intervention.description == f"On-site work for {ticket.ref}"
    assert [(line.description, line.duration) for line in intervention.lines] == [(LINE, 3600)]
    assert len(found.private_notes) == 1, found.private_notes
    note = str(found.private_notes[0].get("note_private") or "")
    assert f"Intervention {intervention.ref} created by dolisync rule live-onsite." in note
    assert found.ticket.status == TICKET_STATUS_CODES["in_progress"]
    return intervention


def run_once(mirror: LiveMirror) -> CliResult:
    result = mirror.cli("run", "--once")
    assert result.exit_code == 0, result.output
    return result


def assert_outbox_settled(mirror: LiveMirror, verified: int) -> None:
    with mirror.store() as store:
        counts = store.outbox.counts(SOURCE)
    assert counts == {"verified": verified}, counts


def test_the_onsite_rule_creates_links_notes_and_moves_the_ticket_once(
    world: LiveWorld, mirror_factory: MirrorFactory, run_id: str
) -> None:
    token = f"{run_id}-onsite"
    mirror = mirror_factory(extra_toml=onsite_rule(world.customer(), token))
    run_once(mirror)  # the first cycle loads the mirror; existing tickets are not news
    ticket = world.ticket(f"printer down, on-site visit ({token})", category="ONSITE")
    untouched = world.ticket(f"printer down, remote ({token})", category="REMOTE")

    first = run_once(mirror)

    assert "verified 3" in first.stdout, first.output
    intervention = assert_done_once(world, ticket)
    assert outcome(world, untouched).interventions == []
    assert world.client.get_ticket(untouched.id).status == untouched.status
    with mirror.store() as store:
        mirrored = store.interventions_for_ticket(SOURCE, ticket.id)
    assert [item.id for item in mirrored] == [intervention.id]
    assert_outbox_settled(mirror, verified=3)

    again = run_once(mirror)

    assert "rules fired 0" in again.stdout, again.output
    assert assert_done_once(world, ticket).id == intervention.id
    assert_outbox_settled(mirror, verified=3)


def test_a_crash_between_the_create_and_its_record_does_not_create_a_second_intervention(
    live: LiveSettings, world: LiveWorld, mirror_factory: MirrorFactory, run_id: str
) -> None:
    token = f"{run_id}-crash"
    proxy = RecordingProxy(live.url, record_dir=live.record_dir).start()
    try:
        mirror = mirror_factory(url=proxy.url, extra_toml=onsite_rule(world.customer(), token))
        run_once(mirror)
        ticket = world.ticket(f"on-site visit, crash test ({token})", category="ONSITE")
        hold = proxy.hold("POST", r"/interventions$")
        with mirror.popen("run", "--once") as process:
            try:
                reached = hold.reached.wait(HOLD_WAIT)
                # Dolibarr has created the intervention; dolisync has not read the answer.
                process.send_signal(signal.SIGKILL)
                out, err = process.communicate(timeout=60)
            finally:
                hold.release.set()
        if not reached:
            pytest.fail(f"dolisync never sent POST /interventions:\n{out}\n{err}")
        assert hold.answer is not None
        assert hold.answer[0] == 200, hold.answer
        created = outcome(world, ticket).interventions
        assert len(created) == 1  # the write happened before the crash
        assert created[0].ref_client is not None
        assert created[0].ref_client.startswith("dolisync:")

        recovery = run_once(mirror)

        assert "verified 3" in recovery.stdout, recovery.output
        intervention = assert_done_once(world, ticket)
        assert intervention.id == created[0].id  # found again, not created a second time
        assert_outbox_settled(mirror, verified=3)
        assert _posts_to_interventions(proxy) == 1  # the held one; the recovery only looked
    finally:
        proxy.stop()


def _posts_to_interventions(proxy: RecordingProxy) -> int:
    return sum(
        1
        for method, path, _ in proxy.calls
        if method == "POST" and path.endswith("/api/index.php/interventions")
    )
