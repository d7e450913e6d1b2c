"""SIGHUP: a valid new config is picked up without a restart; a broken one is refused with a
clear error event, and the daemon keeps running the old one."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from dolisync.simulator import Simulator
from tests.daemon.conftest import (
    RULE,
    DaemonProcess,
    NotifySocket,
    clean_env,
    eventually,
    fired,
    rows,
    write_config,
)

Start = Callable[..., DaemonProcess]
BROKEN_RULE = RULE.replace('on = ["ticket.created"]', 'on = ["ticket.exploded"]')
NEW_RULE = RULE.replace('name = "acknowledge"', 'name = "acknowledge-v2"')


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

    # the old config still runs: its rule fires on a new ticket, and only tickets are synced
    first = simulator.control.create_ticket(subject="after the refused reloads")
    eventually(lambda: ("acknowledge", first) in fired(path), "the old rule fires")
    assert daemon.process.poll() is None
    assert rows(path)["users"] == 0

    # 3. a valid config: picked up at once, its rule and its entities
    write_config(path, simulator, entities=("tickets", "users"), extra=NEW_RULE)
    daemon.signal(signal.SIGHUP)
    daemon.wait_event("config.reloaded")
    eventually(lambda: rows(path)["users"] == 3, "users synced after the reload")
    second = simulator.control.create_ticket(subject="after the good reload")
    eventually(lambda: ("acknowledge-v2", second) in fired(path), "the new rule fires")
    assert ("acknowledge", second) not in fired(path)

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
    assert any(
        "store.url: changed; restart the service" in problem for problem in event["problems"]
    )
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    assert not (tmp_path / "elsewhere.db").exists()
