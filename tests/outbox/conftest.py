"""Write-back test set-up: a config pointing at a simulated Dolibarr, services, helpers.

``ONSITE_RULES`` is the rule set most tests use: a ticket of the ONSITE category gets a draft
intervention, a private message naming it, and moves to in progress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from dolisync.clock import SystemClock
from dolisync.config import Config, load_config
from dolisync.service import Service
from dolisync.simulator import Simulator

ONSITE_RULES = """
[[rules]]
name = "onsite"
on = ["ticket.created", "ticket.updated"]

[rules.when]
category_code = "ONSITE"
status = { not = ["closed", "canceled"] }

[[rules.then]]
action = "create_intervention"
description = "On-site work for {ticket.ref}: {ticket.subject}"
lines = [{ description = "Diagnosis on site", duration = "1h" }]

[[rules.then]]
action = "post_message"
private = true
text = "Intervention {intervention.ref} created by dolisync rule {rule.name}."

[[rules.then]]
action = "set_status"
status = "in_progress"
"""

FAST_RETRIES = """
[writeback]
retry_delay = 0.05
retry_delay_max = 0.2
"""

WriteConfig = Callable[..., Config]


def config_text(simulator: Simulator, store_url: str, *sections: str, timeout: float = 5) -> str:
    head = f"""
    [dolibarr]
    url = "{simulator.root_url}"
    timeout = {timeout}

    [store]
    url = "{store_url}"

    [sync]
    overlap = 0
    """
    return dedent(head) + "\n".join(dedent(section) for section in sections)


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """``write_config(simulator, *sections)``: a loaded config (store in ``tmp_path``)."""

    def write(simulator: Simulator, *sections: str, timeout: float = 5) -> Config:
        path = tmp_path / "dolisync.toml"
        store = f"sqlite:///{tmp_path / 'store.db'}"
        path.write_text(config_text(simulator, store, *sections, timeout=timeout))
        return load_config(path, env={"DOLISYNC_API_KEY": simulator.api_key}, cwd=tmp_path)

    return write


@pytest.fixture
def services() -> Iterator[Callable[[Config], Service]]:
    """Build services; each is closed at teardown."""
    opened: list[Service] = []

    def build(config: Config) -> Service:
        service = Service(config, clock=SystemClock())
        opened.append(service)
        return service

    yield build
    for service in opened:
        service.close()


def new_onsite_ticket(simulator: Simulator, **fields: Any) -> int:
    """A new ONSITE ticket with a customer, as a Dolibarr user would create it."""
    values: dict[str, Any] = {
        "subject": "Printer down, on-site visit needed",
        "message": "Please send someone.",
        "category_code": "ONSITE",
        "severity_code": "HIGH",
        "fk_soc": 1,
    }
    values.update(fields)
    return simulator.control.create_ticket(**values)


def interventions_with(simulator: Simulator, ref_client: str) -> list[int]:
    rows = simulator.backend.db.all(
        "SELECT rowid FROM llx_fichinter WHERE ref_client = ? ORDER BY rowid", (ref_client,)
    )
    return [int(row[0]) for row in rows]
