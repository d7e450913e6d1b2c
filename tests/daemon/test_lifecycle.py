"""The daemon as systemd sees it: READY only once Dolibarr answered, STATUS after each cycle,
WATCHDOG pings from the working loop, a clean exit 0 on SIGTERM, one instance per store."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from dolisync.errors import EXIT_STORE
from dolisync.simulator import Simulator
from dolisync.store import Store
from tests.daemon.conftest import (
    DaemonProcess,
    NotifySocket,
    clean_env,
    eventually,
    rows,
    write_config,
)

Start = Callable[..., DaemonProcess]


def last_full_sync(config: Path) -> float | None:
    with Store.open(f"sqlite:///{config.parent / 'store.db'}") as store:
        return store.status("default").sources["default"].entities["tickets"].last_full_sync


def test_ready_status_watchdog_then_a_clean_stop(
    tmp_path: Path, simulator: Simulator, notify: NotifySocket, start_daemon: Start
) -> None:
    config = write_config(tmp_path / "dolisync.toml", simulator)
    env = clean_env(tmp_path, simulator, NOTIFY_SOCKET=notify.name, WATCHDOG_USEC="2000000")
    daemon = start_daemon(config, env)

    ready = notify.wait_for(lambda message: message.get("READY") == "1")
    assert "connected to Dolibarr" in ready["STATUS"]
    assert any(entry["path"] == "/status" for entry in simulator.control.requests())
    notify.wait_for(lambda message: message.get("STATUS", "").startswith("cycle done in"))
    notify.wait_for(lambda message: message.get("WATCHDOG") == "1")
    assert rows(config)["tickets"] == 30

    # a second daemon on the same store is refused at once, and says by whom
    second = start_daemon(config, clean_env(tmp_path, simulator), "run")
    assert second.wait() == EXIT_STORE
    assert (
        f"in use by another dolisync (pid {daemon.pid}, dolisync run)"
        in second.log_path.read_text()
    )

    # SIGUSR1 (what dolisync-resync.timer sends): the next cycle is a full resync
    assert last_full_sync(config) is None
    daemon.signal(signal.SIGUSR1)
    notify.wait_for(lambda message: message.get("STATUS") == "full resync running")
    eventually(lambda: last_full_sync(config) is not None, "a full sync recorded")

    daemon.signal(signal.SIGTERM)
    notify.wait_for(lambda message: message.get("STOPPING") == "1")
    assert daemon.wait() == 0
    stopped = daemon.named("daemon.stopped")
    assert stopped[0]["signal"] == "SIGTERM"
    assert daemon.named("daemon.stop_forced") == []


def test_a_refused_key_is_logged_loudly_with_backoff_and_never_ready(
    tmp_path: Path, simulator: Simulator, notify: NotifySocket, start_daemon: Start
) -> None:
    config = write_config(tmp_path / "dolisync.toml", simulator)
    env = clean_env(tmp_path, simulator, NOTIFY_SOCKET=notify.name)
    env["DOLISYNC_API_KEY"] = "wrong-key-0123456789"
    daemon = start_daemon(config, env)

    waiting = notify.wait_for(lambda message: "STATUS" in message)
    assert waiting["STATUS"].startswith("waiting for Dolibarr:")
    failure = daemon.wait_event("daemon.unreachable", count=2)
    assert failure["level"] == "error"
    assert failure["error"].startswith("AuthError")
    assert "wrong-key" not in daemon.log_path.read_text()
    first, second = daemon.named("daemon.unreachable")[:2]
    assert second["retry_in_s"] == 2 * first["retry_in_s"]  # backing off, not spinning

    daemon.signal(signal.SIGTERM)  # the wait between attempts ends at once
    assert daemon.wait() == 0
    assert all(message.get("READY") != "1" for message in notify.messages)


def test_once_runs_one_cycle_and_prints_its_summary(
    tmp_path: Path, simulator: Simulator, start_daemon: Start
) -> None:
    config = write_config(tmp_path / "dolisync.toml", simulator, entities=("tickets",))
    once = start_daemon(config, clean_env(tmp_path, simulator), "run", "--once")
    assert once.wait() == 0
    assert once.stdout.startswith("cycle done in ")
    assert rows(config)["tickets"] == 30
