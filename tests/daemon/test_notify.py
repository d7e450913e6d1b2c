"""The notify protocol as systemd reads it: datagrams of KEY=value lines on an AF_UNIX socket."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

from dolisync.daemon.notify import Notifier
from tests.daemon.conftest import NotifySocket


def test_messages_reach_an_abstract_socket(notify: NotifySocket) -> None:
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": notify.name})
    notifier.ready("connected")
    notifier.status("cycle done in 0.1 s:\nsecond line")
    notifier.watchdog()
    notifier.reloading()
    notifier.stopping()
    notifier.close()
    notify.wait_for(lambda message: "STOPPING" in message)
    received = notify.messages
    assert received[0] == {"READY": "1", "STATUS": "connected"}
    assert received[1] == {"STATUS": "cycle done in 0.1 s: second line"}
    assert received[2] == {"WATCHDOG": "1"}
    assert received[3]["RELOADING"] == "1"
    assert int(received[3]["MONOTONIC_USEC"]) > 0
    assert received[4] == {"STOPPING": "1", "STATUS": "stopping"}


def test_messages_reach_a_socket_file() -> None:
    with tempfile.TemporaryDirectory(prefix="dn") as folder:  # short: AF_UNIX paths are short
        path = Path(folder) / "notify"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
            listener.bind(str(path))
            listener.settimeout(5)
            notifier = Notifier(str(path))
            assert notifier.send(STATUS="hello")
            assert listener.recv(100) == b"STATUS=hello"
            notifier.close()


def test_without_notify_socket_nothing_is_sent() -> None:
    notifier = Notifier.from_environment({})
    assert not notifier.enabled
    assert not notifier.send(READY="1")
    assert notifier.watchdog_interval is None


def test_a_vanished_socket_is_not_an_error() -> None:
    notifier = Notifier("/nonexistent/notify.socket")
    assert not notifier.send(READY="1")
    assert not notifier.send(WATCHDOG="1")
    notifier.close()


def test_watchdog_interval_is_half_of_what_systemd_waits() -> None:
    env = {"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"}
    assert Notifier.from_environment(env, pid=42).watchdog_interval == 15.0
    # WATCHDOG_PID names another process of the unit: the watchdog is not ours
    assert Notifier.from_environment(env, pid=43).watchdog_interval is None
    assert Notifier.from_environment({"WATCHDOG_USEC": "junk"}).watchdog_interval is None
