"""The safety valves: dry run, the kill switch, caps per cycle and per ticket."""

from __future__ import annotations

from collections.abc import Callable

from structlog.testing import capture_logs

from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.service import Service
from dolisync.simulator import Simulator
from tests.outbox.conftest import FAST_RETRIES, ONSITE_RULES, WriteConfig, new_onsite_ticket

Services = Callable[[Config], Service]


def writes_seen(simulator: Simulator) -> list[str]:
    return [
        f"{entry['method']} {entry['path']}"
        for entry in simulator.control.requests()
        if entry["method"] in ("POST", "PUT", "DELETE")
    ]


def test_a_dry_run_records_the_plan_writes_nothing_and_leaves_the_work_to_a_live_run(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    service = services(write_config(simulator, ONSITE_RULES, FAST_RETRIES))
    run_cycle(service, dry_run=True)
    run_cycle(service)  # both modes start from the same place
    ticket_id = new_onsite_ticket(simulator)
    simulator.control.clear_requests()

    dry = run_cycle(service, dry_run=True)
    again = run_cycle(service, dry_run=True)

    assert writes_seen(simulator) == []
    assert (dry.dry_run, dry.fired, dry.enqueued, dry.sent) == (True, 1, 3, 0)
    assert "nothing written" in dry.summary_line()
    assert (again.fired, again.enqueued) == (0, 0), "a dry run does not plan twice"
    planned = service.store.outbox.items(ticket_id=ticket_id)
    assert sorted(item.state for item in planned) == ["planned"] * 3
    assert all(item.dry_run and item.key.startswith("dry:") for item in planned)

    live = run_cycle(service)

    assert (live.fired, live.verified) == (1, 3)
    assert len(writes_seen(simulator)) == 4  # intervention, line, message, status


def test_the_kill_switch_keeps_actions_queued_until_writes_are_back(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    off = "[writeback]\nwrites = false\nretry_delay = 0.05\nretry_delay_max = 0.2\n"
    service = services(write_config(simulator, ONSITE_RULES, off))
    run_cycle(service)
    ticket_id = new_onsite_ticket(simulator)
    simulator.control.clear_requests()

    with capture_logs() as logs:
        paused = run_cycle(service)

    assert (paused.enqueued, paused.sent) == (3, 0)
    assert writes_seen(simulator) == []
    (event,) = [log for log in logs if log["event"] == "outbox.writes_disabled"]
    assert event["queued"] == 3
    resumed = run_cycle(services(write_config(simulator, ONSITE_RULES, FAST_RETRIES)))
    assert resumed.verified == 3
    states = {item.state for item in service.store.outbox.items(ticket_id=ticket_id)}
    assert states == {"verified"}


def test_the_cycle_cap_leaves_the_rest_for_the_next_cycle_and_says_so(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    capped = "[writeback]\nmax_writes_per_cycle = 4\nretry_delay = 0.05\n"
    service = services(write_config(simulator, ONSITE_RULES, capped))
    run_cycle(service)
    for number in range(2):
        new_onsite_ticket(simulator, subject=f"On-site {number}")

    with capture_logs() as logs:
        first = run_cycle(service)

    assert (first.enqueued, first.verified, first.capped) == (6, 4, 2)
    (event,) = [log for log in logs if log["event"] == "outbox.capped"]
    assert (event["scope"], event["limit"], event["left"]) == ("cycle", 4, 2)
    assert event["rules"] == ["onsite"]
    second = run_cycle(service)
    assert (second.verified, second.capped) == (2, 0)


def test_the_ticket_cap_stops_a_runaway_rule_on_one_ticket(
    simulator: Simulator, write_config: WriteConfig, services: Services
) -> None:
    runaway = """
    [[rules]]
    name = "ping-pong"
    on = ["ticket.updated"]
    repeat = "on_change"
    [rules.when]
    category_code = "ONSITE"
    [[rules.then]]
    action = "post_message"
    text = "Seen your change on {ticket.ref}."
    """
    service = services(write_config(simulator, runaway, "[writeback]\nmax_writes_per_ticket = 2\n"))
    run_cycle(service)
    ticket_id = new_onsite_ticket(simulator)
    run_cycle(service)
    for _ in range(3):  # someone (or some other tool) keeps changing the ticket
        simulator.control.touch(ids=[ticket_id])
        with capture_logs() as logs:
            run_cycle(service)

    states = sorted(item.state for item in service.store.outbox.items(ticket_id=ticket_id))
    assert states == ["pending", "verified", "verified"]
    (event,) = [log for log in logs if log["event"] == "outbox.capped"]
    assert (event["scope"], event["ticket_id"], event["rule"]) == ("ticket", ticket_id, "ping-pong")
    assert event["limit"] == 2
