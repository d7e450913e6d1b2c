"""``dolisync actions list | show | retry | skip``: what a person sees and may do."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.service import Service
from dolisync.simulator import Simulator
from tests.cli.conftest import Cli
from tests.outbox.conftest import FAST_RETRIES, ONSITE_RULES, WriteConfig, new_onsite_ticket
from tests.outbox.helpers import converge

Services = Callable[[Config], Service]


pytestmark = pytest.mark.usefixtures("restore_logging")  # commands configure logging


@pytest.fixture
def gone_ticket_actions(
    simulator: Simulator, write_config: WriteConfig, services: Services, tmp_path: Path
) -> tuple[Service, Cli]:
    """One ticket's actions done, another's dead (the ticket vanished from Dolibarr)."""
    paused = services(write_config(simulator, ONSITE_RULES, "[writeback]\nwrites = false\n"))
    run_cycle(paused)
    new_onsite_ticket(simulator)
    gone = new_onsite_ticket(simulator, subject="On-site, then deleted")
    run_cycle(paused)  # both tickets' actions queued
    simulator.control.delete_ticket(gone)
    config = write_config(simulator, ONSITE_RULES, FAST_RETRIES)
    service = services(config)
    converge(service)

    return service, Cli(config.path, simulator.api_key)


def test_list_shows_states_and_errors(gone_ticket_actions: tuple[Service, Cli]) -> None:
    _, cli = gone_ticket_actions

    result = cli("actions", "list")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "actions: 3 verified, 3 dead"
    assert "Ticket not found" in result.output
    dead = cli("actions", "list", "--state", "dead", "--json")
    document = json.loads(dead.stdout)
    assert [action["state"] for action in document["actions"]] == ["dead"] * 3
    assert document["counts"]["verified"] == 3


def test_show_tells_rule_trigger_request_answer_and_check(
    gone_ticket_actions: tuple[Service, Cli],
) -> None:
    service, cli = gone_ticket_actions
    create = next(
        item
        for item in service.store.outbox.items(states=["verified"])
        if item.kind == "create_intervention"
    )

    result = cli("actions", "show", str(create.id))

    assert result.exit_code == 0, result.output
    text = result.output
    assert f"action #{create.id}: create_intervention (verified)" in text
    assert "rule        onsite" in text
    assert "trigger     ticket.created" in text
    assert '"path": "/interventions"' in text
    assert '"linked_ticket_ids": [' in text
    assert service.config.dolibarr.api_key.reveal() not in text


def test_retry_and_skip_follow_the_state_rules(gone_ticket_actions: tuple[Service, Cli]) -> None:
    service, cli = gone_ticket_actions
    dead = service.store.outbox.items(states=["dead"])[0]
    verified = service.store.outbox.items(states=["verified"])[0]

    retried = cli("actions", "retry", str(dead.id))
    skipped = cli("actions", "skip", str(dead.id))
    refused = cli("actions", "skip", str(verified.id))
    unknown = cli("actions", "show", "9999")

    assert retried.exit_code == 0
    assert "is pending again" in retried.output
    assert skipped.exit_code == 0
    assert "is skipped" in skipped.output
    item = service.store.outbox.get(dead.id)
    assert item is not None
    assert (item.state, item.attempts) == ("skipped", 0)
    assert refused.exit_code == 2
    assert "is verified: it is done and checked" in refused.output
    assert unknown.exit_code == 2
    assert "there is no action #9999" in unknown.output


def test_an_unknown_state_is_refused_with_the_known_ones(
    gone_ticket_actions: tuple[Service, Cli],
) -> None:
    _, cli = gone_ticket_actions
    result = cli("actions", "list", "--state", "done")
    assert result.exit_code == 2
    assert "unknown state 'done'" in result.output
    assert "pending, sent, verified" in result.output
