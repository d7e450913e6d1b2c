"""The conflict check: an intent is never written from a ticket that changed since, unless
the rule, evaluated again on the fresh ticket, still wants it (with fresh values)."""

from __future__ import annotations

from collections.abc import Callable

from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.service import Service
from dolisync.simulator import Simulator
from tests.outbox.conftest import ONSITE_RULES, WriteConfig, new_onsite_ticket

Services = Callable[[Config], Service]
PAUSED = "[writeback]\nwrites = false\n"
LIVE = "[writeback]\nwrites = true\n"


def queue_then_change(
    simulator: Simulator, write_config: WriteConfig, services: Services, **change: object
) -> tuple[Service, int]:
    """Actions queued while writes are off; then someone changes the ticket in Dolibarr."""
    paused = services(write_config(simulator, ONSITE_RULES, PAUSED))
    run_cycle(paused)
    ticket_id = new_onsite_ticket(simulator)
    assert run_cycle(paused).enqueued == 3
    for field, value in change.items():
        simulator.control.touch(ids=[ticket_id], field=field, value=value)
    return services(write_config(simulator, ONSITE_RULES, LIVE)), ticket_id


def test_an_action_whose_rule_no_longer_matches_is_obsolete_and_nothing_is_written(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    service, ticket_id = queue_then_change(
        simulator, write_config, services, category_code="REMOTE"
    )

    report = run_cycle(service)

    assert report.obsolete == 3
    assert report.sent == 0
    items = {item.kind: item for item in service.store.outbox.items(ticket_id=ticket_id)}
    assert {item.state for item in items.values()} == {"obsolete"}
    assert "no longer matches" in (items["create_intervention"].last_error or "")
    assert "needs the intervention" in (items["post_message"].last_error or "")
    assert (
        simulator.backend.db.scalar(
            "SELECT COUNT(*) FROM llx_fichinter WHERE ref_client LIKE 'dolisync:%'"
        )
        == 0
    )
    assert service.client.get_ticket(ticket_id).status == 0


def test_an_action_still_wanted_is_written_with_the_fresh_values(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    service, ticket_id = queue_then_change(
        simulator, write_config, services, subject="On-site: boiler leaking"
    )

    report = run_cycle(service)

    assert report.verified == 3
    create = next(
        item
        for item in service.store.outbox.items(ticket_id=ticket_id)
        if item.kind == "create_intervention"
    )
    intervention = service.client.get_intervention(create.object_id or 0)
    assert intervention.description.endswith(": On-site: boiler leaking")
