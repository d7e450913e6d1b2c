"""The systemd notify protocol: READY, STATUS, WATCHDOG, RELOADING and STOPPING messages.

What this module knows: the protocol itself, which is a few ``KEY=value`` lines sent as one
datagram to the AF_UNIX socket named by ``$NOTIFY_SOCKET`` (a name starting with ``@`` is in
the abstract namespace), and the watchdog interval systemd asks for (``$WATCHDOG_USEC``,
for this process only when ``$WATCHDOG_PID`` names it). Written here rather than taken from
a library: it is twenty lines, and a dependency with C parts for it is not worth it.

Without ``$NOTIFY_SOCKET`` (not started by systemd, or ``Type=simple``) every method does
nothing. A failed send is logged once and never raised, and a send never waits (a full
socket queue drops the message): the daemon's work matters more than its status line.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping

from dolisync.logging import get_logger

log = get_logger(__name__)

NOTIFY_ENV = "NOTIFY_SOCKET"
WATCHDOG_USEC_ENV = "WATCHDOG_USEC"
WATCHDOG_PID_ENV = "WATCHDOG_PID"
MAX_STATUS = 200  # systemctl status shows one line; keep it readable


class Notifier:
    """Sends notify messages to systemd (or nowhere, when ``address`` is None)."""

    def __init__(self, address: str | None, *, watchdog_usec: int | None = None) -> None:
        self._address = _socket_address(address) if address else None
        self._socket: socket.socket | None = None
        self._warned = False
        self.watchdog_usec = watchdog_usec if watchdog_usec and watchdog_usec > 0 else None

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str] | None = None, *, pid: int | None = None
    ) -> Notifier:
        env = os.environ if env is None else env
        pid = os.getpid() if pid is None else pid
        usec_text = env.get(WATCHDOG_USEC_ENV, "")
        watchdog_pid = env.get(WATCHDOG_PID_ENV, "")
        usec = int(usec_text) if usec_text.isdigit() else None
        if watchdog_pid and watchdog_pid != str(pid):
            usec = None  # the watchdog is meant for another process of the unit
        return cls(env.get(NOTIFY_ENV) or None, watchdog_usec=usec)

    @property
    def enabled(self) -> bool:
        return self._address is not None

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between two WATCHDOG=1 pings (half of what systemd waits), or None."""
        if self.watchdog_usec is None:
            return None
        return self.watchdog_usec / 2_000_000

    def ready(self, status: str | None = None) -> None:
        self.send(READY="1", STATUS=status)

    def status(self, text: str) -> None:
        self.send(STATUS=text)

    def watchdog(self) -> None:
        self.send(WATCHDOG="1")

    def reloading(self) -> None:
        """RELOADING=1 with the monotonic time ``Type=notify-reload`` wants; READY=1 ends it."""
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        self.send(RELOADING="1", MONOTONIC_USEC=str(usec), STATUS="reloading the configuration")

    def stopping(self, status: str = "stopping") -> None:
        self.send(STOPPING="1", STATUS=status)

    def send(self, **fields: str | None) -> bool:
        """One datagram with the given fields (None values left out); False if not sent."""
        if self._address is None:
            return False
        lines = [f"{key}={_one_line(value)}" for key, value in fields.items() if value is not None]
        try:
            if self._socket is None:
                self._socket = socket.socket(
                    socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                )
            # Never block the working loop on a slow reader: drop the message instead.
            self._socket.sendto(
                "\n".join(lines).encode("utf-8"), socket.MSG_DONTWAIT, self._address
            )
        except OSError as error:
            if not self._warned:
                self._warned = True
                log.warning("notify.failed", socket=_printable(self._address), error=str(error))
            return False
        return True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _socket_address(name: str) -> str | bytes:
    """``@name`` is Linux's abstract namespace: a leading NUL byte instead of the ``@``."""
    if name.startswith("@"):
        return b"\0" + name[1:].encode()
    return name


def _one_line(value: str) -> str:
    """A field value ends at a newline in this protocol: fold newlines, cap the length."""
    text = " ".join(value.split("\n"))
    return text if len(text) <= MAX_STATUS else text[: MAX_STATUS - 1] + "…"


def _printable(address: str | bytes) -> str:
    return "@" + address[1:].decode(errors="replace") if isinstance(address, bytes) else address
