"""dolisync's own writes come back through the mirror tagged as its own: the next sync finds
nothing new, and no rule fires on them; a person's later change is news again."""

from __future__ import annotations

from collections.abc import Callable

from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.service import Service
from dolisync.simulator import Simulator
from tests.outbox.conftest import ONSITE_RULES, WriteConfig, new_onsite_ticket

Services = Callable[[Config], Service]
ECHO_RULE = """
[[rules]]
name = "echo"
on = ["ticket.changed.status", "ticket.message"]
repeat = "on_change"
[rules.when]
category_code = "ONSITE"
[[rules.then]]
action = "set_severity"
severity = "BLOCKING"
"""


def test_own_writes_are_mirrored_at_once_so_the_next_sync_finds_nothing_new(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    service = services(write_config(simulator, ONSITE_RULES))
    run_cycle(service)
    new_onsite_ticket(simulator)
    seq_before = service.store.last_change_seq()

    wrote = run_cycle(service)
    after = run_cycle(service)

    assert wrote.verified == 3
    own = [c for c in service.store.changes_since(seq_before) if c.origin == "dolisync"]
    assert {(c.entity, c.kind) for c in own} >= {
        ("interventions", "created"),
        ("messages", "created"),
        ("tickets", "updated"),
    }
    assert (after.sync.created, after.sync.updated) == (0, 0), after.sync


def test_no_rule_fires_on_dolisync_s_own_changes_but_a_person_s_change_counts(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    service = services(write_config(simulator, ONSITE_RULES, ECHO_RULE))
    run_cycle(service)
    ticket_id = new_onsite_ticket(simulator)

    run_cycle(service)  # onsite: status -> in progress, a private message
    run_cycle(service)

    kinds = [item.kind for item in service.store.outbox.items(ticket_id=ticket_id)]
    assert "set_severity" not in kinds, "the echo rule fired on dolisync's own status change"

    simulator.control.touch(ids=[ticket_id], field="fk_statut", value=5)
    run_cycle(service)

    echoed = [
        item
        for item in service.store.outbox.items(ticket_id=ticket_id)
        if item.kind == "set_severity"
    ]
    assert [item.state for item in echoed] == ["verified"]
    assert service.client.get_ticket(ticket_id).severity_code == "BLOCKING"
