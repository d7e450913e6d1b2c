"""Stopping: SIGTERM mid-cycle keeps every committed page and exits 0; a hung request stops
the watchdog pings, and a stop that cannot finish its step is forced after stop_timeout."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

from dolisync.config import load_config
from dolisync.service import Service
from dolisync.simulator import Simulator
from dolisync.simulator.testing import SimulatorFactory
from tests.daemon.conftest import (
    WAIT,
    DaemonProcess,
    NotifySocket,
    clean_env,
    eventually,
    rows,
    write_config,
)

Start = Callable[..., DaemonProcess]
TICKETS = 120


def _wait_rows(config: Path, entity: str, daemon: DaemonProcess) -> int:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        count = rows(config)[entity]
        if count:
            return count
        assert daemon.process.poll() is None, daemon.log_path.read_text()
        time.sleep(0.02)
    raise AssertionError(f"no {entity} synced in {WAIT} s")


def _hung(sim: Simulator) -> bool:
    """The simulator logs a hung request (status None) when it starts to hang."""
    return any(entry["status"] is None for entry in sim.control.requests())


def test_sigterm_during_a_cycle_exits_0_and_loses_nothing(
    tmp_path: Path, simulator_factory: SimulatorFactory, start_daemon: Start
) -> None:
    # Slow answers and small pages: the first cycle is many pages long.
    sim = simulator_factory(tickets=TICKETS, faults="latency=150ms")
    config = write_config(tmp_path / "dolisync.toml", sim, entities=("tickets",), page_size=5)
    daemon = start_daemon(config, clean_env(tmp_path, sim))

    _wait_rows(config, "tickets", daemon)  # a page is committed: the cycle is under way
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    assert daemon.named("daemon.cycle_interrupted"), "the stop should leave the cycle between pages"
    assert daemon.named("daemon.stop_forced") == []
    kept = rows(config)["tickets"]
    assert 0 < kept < TICKETS

    # Nothing lost: the next run creates exactly the tickets the stopped one had not reached.
    sim.control.clear_faults()
    with Service(load_config(config, env={"DOLISYNC_API_KEY": sim.api_key})) as service:
        report = service.sync(["tickets"])
    assert report.ok
    assert report.created == TICKETS - kept
    assert rows(config)["tickets"] == TICKETS


def test_a_hung_request_stops_the_watchdog_and_a_stop_is_forced_in_bounded_time(
    tmp_path: Path, simulator_factory: SimulatorFactory, notify: NotifySocket, start_daemon: Start
) -> None:
    sim = simulator_factory()
    config = write_config(
        tmp_path / "dolisync.toml",
        sim,
        entities=("tickets",),
        extra='[daemon]\nstop_timeout = "1s"\n',
    )
    env = clean_env(tmp_path, sim, NOTIFY_SOCKET=notify.name, WATCHDOG_USEC="500000")
    daemon = start_daemon(config, env)
    notify.wait_for(lambda message: message.get("STATUS", "").startswith("cycle done"))
    notify.wait_for(lambda message: message.get("WATCHDOG") == "1")

    sim.control.clear_requests()
    sim.control.set_faults("hang=1,hang_seconds=20")  # every request now hangs for 20 s
    eventually(lambda: _hung(sim), "a request of the daemon hangs")
    notify.skip()
    quiet = notify.collect(1.5)  # idle, the daemon pings every 0.25 s; hung, never
    assert [message for message in quiet if "WATCHDOG" in message] == []

    daemon.signal(signal.SIGTERM)  # the hung read cannot finish: forced after 1 s
    assert daemon.wait() == 0
    forced = daemon.named("daemon.stop_forced")
    assert forced
    assert "did not finish within 1 s" in forced[0]["reason"]
    notify.wait_for(lambda message: message.get("STOPPING") == "1")
