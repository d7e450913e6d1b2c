"""The process is killed (SIGKILL) at random points of its cycles, while Dolibarr also fails
writes after applying them; after re-running until the outbox settles there must be no
duplicate, no lost action and no unlinked intervention.

Each cycle runs in a subprocess (``python -m dolisync --config X run --once``); the simulator
runs here, so it outlives every kill.
``DOLISYNC_KILL_RUNS`` sets how many killed runs (default 30, 20-50 s: each run pays
Python's start-up);
``DOLISYNC_KILL_SEED`` the seed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dolisync.simulator import Simulator
from dolisync.simulator.testing import SimulatorFactory
from dolisync.store import Store
from tests.outbox.conftest import ONSITE_RULES, config_text, new_onsite_ticket
from tests.outbox.helpers import tally

ROOT = Path(__file__).parents[2]
RUNS = int(os.environ.get("DOLISYNC_KILL_RUNS", "30"))
SEED = int(os.environ.get("DOLISYNC_KILL_SEED", "20261204"))
FAULTS = (
    "apply_then_500=0.1,apply_then_reset=0.05,apply_then_hang=0.05,method={method},hang_seconds=0.8"
)
WRITEBACK = """
[writeback]
retry_delay = 0.05
retry_delay_max = 0.2
max_attempts = 100
max_attempts_rejected = 100
"""
SETTLE_RUNS = 60


@dataclass(slots=True)
class Counts:
    runs: int = 0
    kills: int = 0
    faults: int = 0


def cycle_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "dolisync", "--config", str(config), "run", "--once"]


def test_killed_cycles_never_duplicate_nor_lose_an_action(
    simulator_factory: SimulatorFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    faults = f"{FAULTS.format(method='POST')}; {FAULTS.format(method='PUT')}; seed={SEED}"
    simulator = simulator_factory(tickets=30, seed=SEED % 1000)
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    config = tmp_path / "dolisync.toml"
    config.write_text(config_text(simulator, store_url, ONSITE_RULES, WRITEBACK, timeout=0.4))
    env = {**os.environ, "DOLISYNC_API_KEY": simulator.api_key}
    command = cycle_command(config)
    counts = Counts()
    run = _runner(simulator, command, env, tmp_path, counts)

    # The first, unfaulted cycle sets where the rules start. It is set-up, not the property
    # under test: on a loaded 2-core machine its 0.4 s timeouts may cost it a retry.
    assert any(run(None) == 0 for _ in range(5)), "the first, unfaulted cycle never succeeded"
    simulator.control.set_faults(faults)
    tickets = [new_onsite_ticket(simulator, subject=f"On-site visit {n}") for n in range(4)]
    for _ in range(RUNS):
        if rng.random() < 0.7:
            tickets.append(new_onsite_ticket(simulator, subject=f"On-site {len(tickets)}"))
        run(_killer(rng))
    for _ in range(SETTLE_RUNS):
        if run(None) == 0 and _settled(store_url):
            break
    else:
        raise AssertionError("the outbox did not settle after the killed runs")

    with Store.open(store_url) as store:
        items = [item for ticket in tickets for item in store.outbox.items(ticket_id=ticket)]
        states = {item.state for item in items}
    found = tally(simulator, items)
    with capsys.disabled():  # the figures are part of the result: always shown
        print(
            f"\nkill test: seed {SEED}, runs {counts.runs}, kills {counts.kills}, "
            f"faults injected {counts.faults}, tickets {len(tickets)}, actions {len(items)}, "
            f"duplicates {found.duplicates}, missing {found.missing}, "
            f"unlinked {len(found.unlinked)}"
        )
    assert len(items) == 3 * len(tickets), "every ticket's three actions were queued once"
    assert states == {"verified"}
    assert found.duplicates == 0
    assert found.missing == 0
    assert found.unlinked == []
    for ticket in tickets:
        row = simulator.backend.ticket(ticket)
        assert row is not None
        assert row["fk_statut"] == 3
        links = simulator.backend.db.scalar(
            "SELECT COUNT(*) FROM llx_element_element WHERE sourcetype = 'ticket'"
            " AND fk_source = ? AND targettype = 'fichinter'",
            (ticket,),
        )
        assert links == 1, f"ticket {ticket} has {links} linked interventions"


# (requests so far in this run, seconds since its first request) -> kill now?
Killer = Callable[[int, float], bool]


def _killer(rng: random.Random) -> Killer:
    """Kill after a random delay or at a random request count, counted from the process's
    first request (before it, Python is still importing: nothing to interrupt)."""
    if rng.random() < 0.5:
        delay = rng.uniform(0.0, 0.4)
        return lambda requests, elapsed: requests > 0 and elapsed >= delay
    limit = rng.randint(1, 20)
    return lambda requests, _elapsed: requests >= limit


def _runner(
    simulator: Simulator, command: list[str], env: dict[str, str], folder: Path, counts: Counts
) -> Callable[[Killer | None], int | None]:
    """Run one cycle process; kill it when ``killer`` says so. Its exit code (None: killed)."""

    def run(killer: Killer | None) -> int | None:
        simulator.control.clear_requests()
        counts.runs += 1
        output = folder / f"run-{counts.runs}.log"
        with output.open("w") as sink:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
            )
            first: float | None = None
            killed = False
            while process.poll() is None:
                requests = len(simulator.log.entries())
                if requests and first is None:
                    first = time.monotonic()
                elapsed = 0.0 if first is None else time.monotonic() - first
                if killer is not None and killer(requests, elapsed):
                    process.send_signal(signal.SIGKILL)
                    killed = True
                    break
                time.sleep(0.003)
            code = process.wait()
        counts.faults += sum(
            1
            for entry in simulator.log.entries()
            if entry["method"] in ("POST", "PUT")
            and (entry["status"] is None or entry["status"] >= 500)
        )
        if killed:
            counts.kills += 1
            return None
        if code != 0 and killer is None:
            print(output.read_text())
        return code

    return run


def _settled(store_url: str) -> bool:
    with Store.open(store_url) as store:
        counts = store.outbox.counts()
    return not any(counts.get(state) for state in ("pending", "sent", "failed"))
