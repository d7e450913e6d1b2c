"""The daemon under test: a real ``python -m dolisync run`` process, a fake systemd notify
socket (a real AF_UNIX datagram socket), and config files pointing at a simulator."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from dolisync.simulator import Simulator
from dolisync.store import Store

WAIT = 30.0  # generous: a shared 2-core machine can be slow; tests wait for events, not time
RULE = """
[[rules]]
name = "acknowledge"
on = ["ticket.created"]
[[rules.then]]
action = "set_status"
status = "read"
"""


class NotifySocket:
    """What systemd would receive: every datagram on an abstract AF_UNIX socket, read at once
    by a thread (the daemon drops messages when the socket's small queue is full)."""

    def __init__(self) -> None:
        self.name = f"@dolisync-test-{uuid.uuid4().hex}"
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(b"\0" + self.name[1:].encode())
        self._socket.settimeout(0.1)
        self.messages: list[dict[str, str]] = []
        self._cursor = 0  # wait_for and collect look at messages after this one
        self._arrived = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._closed:
            try:
                data = self._socket.recv(4096)
            except (TimeoutError, OSError):
                continue
            message = dict(line.split("=", 1) for line in data.decode().split("\n") if line)
            with self._arrived:
                self.messages.append(message)
                self._arrived.notify_all()

    def wait_for(
        self, wanted: Callable[[dict[str, str]], bool], timeout: float = WAIT
    ) -> dict[str, str]:
        """The first message after the cursor that is ``wanted``; the cursor moves past it."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for index in range(self._cursor, len(self.messages)):
                    if wanted(self.messages[index]):
                        self._cursor = index + 1
                        return self.messages[index]
                self._cursor = len(self.messages)
                left = deadline - time.monotonic()
                if left <= 0:
                    recent = self.messages[-10:]
                    raise AssertionError(f"no such notify message in {timeout} s; got {recent}")
                self._arrived.wait(left)

    def skip(self) -> None:
        """Forget what arrived so far: later waits look only at newer messages."""
        with self._arrived:
            self._cursor = len(self.messages)

    def collect(self, seconds: float) -> list[dict[str, str]]:
        """The messages after the cursor, waiting ``seconds`` for more."""
        time.sleep(seconds)
        with self._arrived:
            found = self.messages[self._cursor :]
            self._cursor = len(self.messages)
        return found

    def close(self) -> None:
        self._closed = True
        self._reader.join(timeout=2)
        self._socket.close()


class DaemonProcess:
    """``python -m dolisync --config X <args>`` with JSON logs on stderr (kept in a file)."""

    def __init__(self, config: Path, env: dict[str, str], args: tuple[str, ...]) -> None:
        self.config = config
        self.log_path = config.parent / f"daemon-{uuid.uuid4().hex[:8]}.log"
        self.out_path = self.log_path.with_suffix(".out")
        argv = [sys.executable, "-m", "dolisync", "--config", str(config)]
        argv += ["--log-format", "json", *args]
        with self.log_path.open("wb") as err, self.out_path.open("wb") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=err, env=env)

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal(self, number: signal.Signals) -> None:
        self.process.send_signal(number)

    def wait(self, timeout: float = WAIT) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def stdout(self) -> str:
        return self.out_path.read_text()

    def events(self) -> list[dict[str, Any]]:
        found = []
        for line in self.log_path.read_text().splitlines():
            with contextlib.suppress(ValueError):
                found.append(json.loads(line))
        return found

    def named(self, event: str) -> list[dict[str, Any]]:
        return [entry for entry in self.events() if entry.get("event") == event]

    def wait_event(self, event: str, *, count: int = 1, timeout: float = WAIT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.named(event)
            if len(found) >= count:
                return found[count - 1]
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {event!r} (x{count}); log:\n{self.log_path.read_text()[-3000:]}")


@pytest.fixture
def notify() -> Iterator[NotifySocket]:
    listener = NotifySocket()
    yield listener
    listener.close()


def clean_env(tmp_path: Path, sim: Simulator, **extra: str) -> dict[str, str]:
    """The environment of a daemon: no inherited systemd variables, the simulator's key."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "DOLISYNC_CONFIG")
    }
    env.update(DOLISYNC_API_KEY=sim.api_key, HOME=str(tmp_path), **extra)
    return env


def write_config(
    path: Path,
    sim: Simulator,
    *,
    interval: str = "1s",
    entities: tuple[str, ...] | None = None,
    page_size: int = 100,
    extra: str = "",
) -> Path:
    chosen = "" if entities is None else f"entities = {json.dumps(list(entities))}\n"
    text = f"""
        [dolibarr]
        url = "{sim.root_url}"
        timeout = "30s"
        page_size = {page_size}

        [store]
        url = "sqlite:///./store.db"

        [sync]
        interval = "{interval}"
        {chosen}
        """
    path.write_text(dedent(text).lstrip() + dedent(extra))
    return path


def rows(config: Path) -> dict[str, int]:
    """Rows per entity in the store next to ``config`` (opened read-side, briefly)."""
    with Store.open(f"sqlite:///{config.parent / 'store.db'}") as store:
        status = store.status("default").sources["default"]
    return {name: entry.rows for name, entry in status.entities.items()}


def fired(config: Path) -> set[tuple[str, int]]:
    """(rule name, ticket id) of every rule firing recorded in the store next to ``config``."""
    with Store.open(f"sqlite:///{config.parent / 'store.db'}") as store:
        return {(entry.rule_name, entry.ticket_id) for entry in store.outbox.firings(limit=1000)}


def eventually(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[Callable[..., DaemonProcess]]:
    started: list[DaemonProcess] = []

    def start(config: Path, env: dict[str, str], *args: str) -> DaemonProcess:
        daemon = DaemonProcess(config, env, args or ("run",))
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.stop()
