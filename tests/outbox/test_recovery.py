"""Recovery of writes interrupted between "sent" and "recorded", and of past duplicates:
Dolibarr is asked first, every time."""

from __future__ import annotations

import time
from collections.abc import Callable

from structlog.testing import capture_logs

from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.outbox import intervention_marker
from dolisync.service import Service
from dolisync.simulator import Simulator
from dolisync.store.outbox import OutboxItem
from tests.outbox.conftest import FAST_RETRIES, ONSITE_RULES, WriteConfig, new_onsite_ticket
from tests.outbox.helpers import converge

Services = Callable[[Config], Service]


def queued_create(
    simulator: Simulator, write_config: WriteConfig, services: Services, live: str = FAST_RETRIES
) -> tuple[Service, OutboxItem]:
    paused = services(write_config(simulator, ONSITE_RULES, "[writeback]\nwrites = false\n"))
    run_cycle(paused)
    ticket_id = new_onsite_ticket(simulator)
    run_cycle(paused)
    service = services(write_config(simulator, ONSITE_RULES, live))
    (create,) = [
        item
        for item in service.store.outbox.items(ticket_id=ticket_id)
        if item.kind == "create_intervention"
    ]
    return service, create


def create_posts(simulator: Simulator) -> int:
    return sum(
        1
        for entry in simulator.control.requests()
        if (entry["method"], entry["path"]) == ("POST", "/interventions")
    )


def test_a_write_that_landed_before_a_crash_is_adopted_not_repeated(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    service, create = queued_create(simulator, write_config, services)
    # the crashed process had marked the action sent, and Dolibarr committed its POST
    service.store.outbox.mark_sent(
        create.id, at=time.time(), request=None, seen_state="pending", seen_attempts=0
    )
    landed = service.client.create_intervention(
        1,
        "written before the crash",
        ref_client=intervention_marker(create.key),
        origin_ticket_id=create.ticket_id,
    )
    simulator.control.clear_requests()

    converge(service)

    assert create_posts(simulator) == 0
    item = service.store.outbox.get(create.id)
    assert item is not None
    assert (item.state, item.object_id) == ("verified", landed)
    assert item.result["duplicates"] == []


def test_a_write_that_never_left_is_sent_once_the_earlier_try_cannot_be_running(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    slow = '[writeback]\nretry_delay = "10m"\nretry_delay_max = "1h"\n'
    service, create = queued_create(simulator, write_config, services, live=slow)
    service.store.outbox.mark_sent(
        create.id, at=time.time(), request=None, seen_state="pending", seen_attempts=0
    )  # then a crash
    simulator.control.clear_requests()

    run_cycle(service)

    waiting = service.store.outbox.get(create.id)
    assert waiting is not None
    assert waiting.state == "sent"
    assert create_posts(simulator) == 0, "no second POST while the first may be in flight"
    ten_minutes_ago = time.time() - 601
    service.store.outbox.update(create.id, at=time.time(), sent_at=ten_minutes_ago)
    converge(service)
    assert create_posts(simulator) == 1


def test_duplicates_from_the_past_are_reported_the_lowest_kept_none_deleted(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    service, create = queued_create(simulator, write_config, services)
    marker = intervention_marker(create.key)
    first, second = (
        service.client.create_intervention(
            1, f"copy {n}", ref_client=marker, origin_ticket_id=create.ticket_id
        )
        for n in range(2)
    )

    with capture_logs() as logs:
        converge(service)

    item = service.store.outbox.get(create.id)
    assert item is not None
    assert (item.state, item.object_id, item.result["duplicates"]) == ("verified", first, [second])
    (event,) = [log for log in logs if log["event"] == "outbox.duplicates_found"]
    assert (event["kept"], event["others"]) == (first, [second])
    assert service.client.get_intervention(second).ref_client == marker
