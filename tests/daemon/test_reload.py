"""SIGHUP: a valid new config is picked up without a restart; a broken one is refused with a
clear error event, and the daemon keeps running the old one."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

from dolisync.simulator import Simulator
from tests.daemon.conftest import (
    RULE,
    WAIT,
    DaemonProcess,
    NotifySocket,
    clean_env,
    rows,
    write_config,
)

Start = Callable[..., DaemonProcess]
BROKEN_RULE = RULE.replace('on = ["ticket.created"]', 'on = ["ticket.exploded"]')


def test_sighup_refuses_a_broken_config_and_applies_a_valid_one(
    tmp_path: Path, simulator: Simulator, notify: NotifySocket, start_daemon: Start
) -> None:
    path = tmp_path / "dolisync.toml"
    write_config(path, simulator, entities=("tickets",), extra=RULE)
    daemon = start_daemon(path, clean_env(tmp_path, simulator, NOTIFY_SOCKET=notify.name))
    notify.wait_for(lambda message: message.get("STATUS", "").startswith("cycle done"))

    # 1. a rule the rules parser refuses
    write_config(path, simulator, entities=("tickets", "users"), extra=BROKEN_RULE)
    daemon.signal(signal.SIGHUP)
    notify.wait_for(lambda message: message.get("RELOADING") == "1")
    refused = notify.wait_for(lambda message: message.get("READY") == "1")
    assert refused["STATUS"].startswith("reload refused, old configuration kept")
    event = daemon.wait_event("config.reload_refused")
    assert event["level"] == "error"
    assert any("rules[0].on" in problem for problem in event["problems"])

    # 2. not even TOML
    path.write_text("[dolibarr\n")
    daemon.signal(signal.SIGHUP)
    event = daemon.wait_event("config.reload_refused", count=2)
    assert "invalid TOML" in event["error"]

    # the old config still runs: cycles go on, tickets only
    notify.messages.clear()
    notify.wait_for(lambda message: message.get("STATUS", "").startswith("cycle done"))
    assert daemon.process.poll() is None
    assert rows(path)["users"] == 0

    # 3. a valid config: picked up, a cycle runs with it at once
    write_config(path, simulator, entities=("tickets", "users"), extra=RULE)
    daemon.signal(signal.SIGHUP)
    daemon.wait_event("config.reloaded")
    deadline = time.monotonic() + WAIT
    while rows(path)["users"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rows(path)["users"] == 3

    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0


def test_moving_the_store_needs_a_restart(
    tmp_path: Path, simulator: Simulator, notify: NotifySocket, start_daemon: Start
) -> None:
    path = write_config(tmp_path / "dolisync.toml", simulator, entities=("tickets",))
    daemon = start_daemon(path, clean_env(tmp_path, simulator, NOTIFY_SOCKET=notify.name))
    notify.wait_for(lambda message: message.get("READY") == "1")
    path.write_text(path.read_text().replace("./store.db", "./elsewhere.db"))
    daemon.signal(signal.SIGHUP)
    event = daemon.wait_event("config.reload_refused")
    assert any("store.url: changed; restart the service" in problem for problem in event["problems"])
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    assert not (tmp_path / "elsewhere.db").exists()
