"""The on-site rule shipped in config.example.toml (the one `make demo` runs) does what it
promises: one draft intervention linked to the ticket, a private message naming it, and the
ticket in progress."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from dolisync.config import Config, load_config
from dolisync.cycle import run_cycle
from dolisync.service import Service
from dolisync.simulator import Simulator
from tests.outbox.conftest import new_onsite_ticket
from tests.outbox.helpers import tally

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"
RULE = "onsite-needs-intervention"


def example_config(simulator: Simulator, folder: Path) -> Config:
    """The example file as the demo uses it: pointed at the simulator and a store here."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^url = "http://127\.0\.0\.1:8080"$', f'url = "{simulator.root_url}"', text)
    text = re.sub(r'(?m)^url = "sqlite:///[^"]*"$', f'url = "sqlite:///{folder / "s.db"}"', text)
    path = folder / "dolisync.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env={"DOLISYNC_API_KEY": simulator.api_key}, cwd=folder)


def test_the_example_onsite_rule_creates_links_tells_and_moves_the_ticket(
    simulator: Simulator, tmp_path: Path, services: Callable[[Config], Service]
) -> None:
    config = example_config(simulator, tmp_path)
    assert config.writeback.dry_run is False
    service = services(config)
    run_cycle(service)
    ticket_id = new_onsite_ticket(simulator, subject="Printer jammed")

    report = run_cycle(service)

    assert (report.fired, report.verified, report.failed) == (1, 3, 0), report
    items = service.store.outbox.items(ticket_id=ticket_id)
    assert {item.rule_name for item in items} == {RULE}
    found = tally(simulator, items)
    assert (found.duplicates, found.missing, found.unlinked) == (0, 0, [])
    (intervention_id,) = next(iter(found.interventions.values()))
    intervention = service.client.get_intervention(intervention_id)
    assert intervention.status == 0
    assert intervention.linked_ticket_ids == (ticket_id,)
    (message,) = service.store.messages_for(service.source, ticket_id)
    assert message.private
    assert f"Intervention {intervention.ref} created by dolisync rule {RULE}." in message.text
    assert service.client.get_ticket(ticket_id).status_name == "in_progress"
