"""Degraded mode: Dolibarr down or refusing writes. Actions stay queued (failed, with a
jittered retry time), survive a restart, and are sent once Dolibarr is back; answers that
will never succeed end the action sooner, with Dolibarr's message kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dolisync.clock import FrozenClock
from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.errors import TransportError
from dolisync.service import Service
from dolisync.simulator import Simulator
from tests.outbox.conftest import FAST_RETRIES, ONSITE_RULES, WriteConfig, new_onsite_ticket
from tests.outbox.helpers import converge, tally

Services = Callable[[Config], Service]


def test_refused_writes_wait_survive_a_restart_and_go_out_when_dolibarr_is_back(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    config = write_config(simulator, ONSITE_RULES, FAST_RETRIES)
    service = services(config)
    run_cycle(service)
    ticket_id = new_onsite_ticket(simulator)
    simulator.control.set_faults("error500=1,method=POST; error500=1,method=PUT")

    refused = run_cycle(service)

    assert (refused.enqueued, refused.failed, refused.verified) == (3, 1, 0)
    create = next(i for i in service.store.outbox.items(ticket_id=ticket_id) if i.attempts)
    assert create.state == "failed"
    assert create.next_try_at is not None
    assert create.next_try_at > (create.sent_at or 0)
    assert "ServerError" in (create.last_error or "")
    service.close()  # dolisync restarts; Dolibarr comes back
    simulator.control.clear_faults()

    restarted = services(config)
    converge(restarted)

    items = restarted.store.outbox.items(ticket_id=ticket_id)
    assert {item.state for item in items} == {"verified"}
    assert tally(simulator, items).duplicates == 0


def test_when_dolibarr_cannot_be_reached_the_cycle_stops_and_loses_nothing(
    simulator: Simulator, write_config: WriteConfig
) -> None:
    config = write_config(simulator, ONSITE_RULES, FAST_RETRIES)
    clock = FrozenClock()  # the client's read retries wait on it: no real sleeping
    with Service(config, clock=clock) as service:
        run_cycle(service, dry_run=False)
        ticket_id = new_onsite_ticket(simulator)
        simulator.control.set_faults("reset=1")

        with pytest.raises(TransportError):
            run_cycle(service)

        assert service.store.outbox.items(ticket_id=ticket_id) == []
        simulator.control.clear_faults()
        clock.advance(60)
        assert run_cycle(service).verified == 3


def test_an_action_on_a_ticket_gone_from_dolibarr_dies_soon_with_dolibarr_s_message(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    paused = services(write_config(simulator, ONSITE_RULES, "[writeback]\nwrites = false\n"))
    run_cycle(paused)
    ticket_id = new_onsite_ticket(simulator)
    run_cycle(paused)
    simulator.control.delete_ticket(ticket_id)
    live = services(write_config(simulator, ONSITE_RULES, FAST_RETRIES))

    reports = converge(live)

    assert len(reports) <= 4
    items = {item.kind: item for item in live.store.outbox.items(ticket_id=ticket_id)}
    assert {item.state for item in items.values()} == {"dead"}
    assert items["create_intervention"].attempts == 2  # max_attempts_rejected
    assert "Ticket not found" in (items["create_intervention"].last_error or "")
    assert "NotFound" in (items["set_status"].last_error or "")
