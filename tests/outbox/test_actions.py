"""Every action kind against both simulated Dolibarr versions (20.0.2 reads ``fk_statut`` and
``duree``, 22.0.4 ``status`` and ``duration``): written, re-read, verified."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.service import Service
from dolisync.simulator import Simulator
from dolisync.simulator.testing import SimulatorFactory
from tests.outbox.conftest import FAST_RETRIES, ONSITE_RULES, WriteConfig, new_onsite_ticket
from tests.outbox.helpers import converge, tally

Services = Callable[[Config], Service]
VERSIONS = ("20.0.2", "22.0.4")
TRIAGE_RULES = """
[[rules]]
name = "triage"
on = ["ticket.created"]
[rules.when]
category_code = "ONSITE"
[[rules.then]]
action = "assign"
user = "tech1"
[[rules.then]]
action = "set_severity"
severity = "BLOCKING"
[[rules.then]]
action = "set_type"
type = "PROBLEM"
[[rules.then]]
action = "set_category"
category = "REMOTE"
[[rules.then]]
action = "post_message"
private = false
text = "We have your request {ticket.ref}."
"""


def actions_done_on_a_new_ticket(simulator: Simulator, service: Service) -> int:
    """A first cycle (it marks where the rules start), then a new ONSITE ticket whose
    actions are run until none is open: the ticket's id."""
    run_cycle(service)
    ticket_id = new_onsite_ticket(simulator)
    converge(service)
    return ticket_id


@pytest.mark.parametrize("version", VERSIONS)
def test_the_onsite_actions_work_on_both_versions(
    simulator_factory: SimulatorFactory,
    write_config: WriteConfig,
    services: Services,
    version: str,
) -> None:
    simulator = simulator_factory(version=version)
    service = services(write_config(simulator, ONSITE_RULES, FAST_RETRIES))

    ticket_id = actions_done_on_a_new_ticket(simulator, service)

    items = service.store.outbox.items(ticket_id=ticket_id)
    assert {item.state for item in items} == {"verified"}
    found = tally(simulator, items)
    assert (found.duplicates, found.missing, found.unlinked) == (0, 0, [])
    row = simulator.backend.ticket(ticket_id)
    assert row is not None
    assert row["fk_statut"] == 3
    (intervention_id,) = next(iter(found.interventions.values()))
    assert service.client.get_intervention(intervention_id).lines[0].duration == 3600


@pytest.mark.parametrize("version", VERSIONS)
def test_assign_by_login_and_the_dictionary_fields(
    simulator_factory: SimulatorFactory,
    write_config: WriteConfig,
    services: Services,
    version: str,
) -> None:
    simulator = simulator_factory(version=version)
    service = services(write_config(simulator, TRIAGE_RULES, FAST_RETRIES))

    ticket_id = actions_done_on_a_new_ticket(simulator, service)

    assert {i.state for i in service.store.outbox.items(ticket_id=ticket_id)} == {"verified"}
    ticket = service.client.get_ticket(ticket_id)
    tech1 = simulator.backend.db.scalar("SELECT rowid FROM llx_user WHERE login = 'tech1'")
    assert ticket.assigned_user_id == tech1
    assert (ticket.severity_code, ticket.type_code, ticket.category_code) == (
        "BLOCKING",
        "PROBLEM",
        "REMOTE",
    )
    (message,) = service.store.messages_for(service.source, ticket_id)
    assert not message.private
    assert message.text.startswith(f"We have your request {ticket.ref}.")


def test_assigning_an_unknown_login_dies_with_the_reason(
    simulator_factory: SimulatorFactory, write_config: WriteConfig, services: Services
) -> None:
    simulator = simulator_factory()
    rule = TRIAGE_RULES.replace('user = "tech1"', 'user = "nobody"')
    service = services(write_config(simulator, rule, FAST_RETRIES))

    ticket_id = actions_done_on_a_new_ticket(simulator, service)

    items = {item.kind: item for item in service.store.outbox.items(ticket_id=ticket_id)}
    assert items["assign"].state == "dead"
    assert "no user with login 'nobody'" in (items["assign"].last_error or "")
    assert items["set_severity"].state == "verified", "later actions still run"
