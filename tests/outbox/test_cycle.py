"""One cycle end to end against the simulator: the on-site rule does its three actions once."""

from __future__ import annotations

from collections.abc import Callable

from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.outbox import intervention_marker, message_marker
from dolisync.service import Service
from dolisync.simulator import Simulator
from tests.outbox.conftest import FAST_RETRIES, ONSITE_RULES, WriteConfig, new_onsite_ticket


def test_a_new_onsite_ticket_gets_one_linked_intervention_a_message_and_a_status(
    simulator: Simulator, write_config: WriteConfig, services: Callable[[Config], Service]
) -> None:
    service = services(write_config(simulator, ONSITE_RULES, FAST_RETRIES))
    first = run_cycle(service)
    assert first.fired == 0  # the first cycle only marks where the rules start
    ticket_id = new_onsite_ticket(simulator)

    report = run_cycle(service)

    assert (report.fired, report.enqueued, report.verified) == (1, 3, 3), report
    items = service.store.outbox.items(ticket_id=ticket_id)
    assert sorted(item.state for item in items) == ["verified"] * 3
    create = next(item for item in items if item.kind == "create_intervention")
    intervention = service.client.get_intervention(create.object_id or 0)
    assert intervention.ref_client == intervention_marker(create.key)
    assert intervention.linked_ticket_ids == (ticket_id,)
    assert intervention.status == 0
    assert [line.duration for line in intervention.lines] == [3600]
    ticket = service.client.get_ticket(ticket_id)
    assert ticket.status == 3
    post = next(item for item in items if item.kind == "post_message")
    (message,) = [
        m for m in service.store.messages_for(service.source, ticket_id) if m.id == post.object_id
    ]
    assert message.private
    assert f"Intervention {intervention.ref} created by dolisync rule onsite." in message.text
    assert message_marker(post.key) in message.text

    again = run_cycle(service)
    assert (again.fired, again.enqueued, again.sent) == (0, 0, 0), again


def test_a_schedule_cycle_offers_every_ticket_to_time_rules_once(
    simulator: Simulator, write_config: WriteConfig, services: Callable[[Config], Service]
) -> None:
    reminder = """
    [[rules]]
    name = "nudge"
    on = ["schedule"]
    [rules.when]
    category_code = "ONSITE"
    idle = { over = "1s" }
    [[rules.then]]
    action = "set_severity"
    severity = "BLOCKING"
    """
    service = services(write_config(simulator, reminder, FAST_RETRIES))
    plain = run_cycle(service)
    onsite = [t for t in service.store.iter_tickets(service.source) if t.category_code == "ONSITE"]

    ticked = run_cycle(service, schedule=True)
    again = run_cycle(service, schedule=True)

    assert plain.fired == 0
    assert onsite, "the seeded data has on-site tickets"
    assert (ticked.fired, ticked.verified) == (len(onsite), len(onsite))
    assert again.fired == 0
    assert {service.client.get_ticket(t.id).severity_code for t in onsite} == {"BLOCKING"}
