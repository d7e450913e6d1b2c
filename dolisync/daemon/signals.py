"""Signals and wake-ups: what the daemon was asked to do, and how its loop hears of it.

What this module knows: which signal means what, and how to wake the main loop safely.

* SIGTERM, SIGINT: stop. The current page or action finishes (``stop_requested`` is polled
  between steps); if that takes longer than the grace time, or a second stop signal comes,
  ``StopTimeout`` is raised in the main thread, wherever it is, even inside a blocking read.
* SIGHUP: reload the configuration. SIGUSR1: run a full resync cycle next.

Handlers only set flags and write one byte to a pipe: they run in the main thread between
two bytecodes, possibly while it holds a lock, so they take none. Other threads (the
scheduler) wake the loop through the same pipe.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Final

STOP_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT)
HANDLED: Final = (*STOP_SIGNALS, signal.SIGHUP, signal.SIGUSR1, signal.SIGALRM)


class StopTimeout(BaseException):
    """The stop grace time ran out (or a second stop signal came): leave now.

    A BaseException so that ``except Exception`` in the middle of a cycle cannot swallow it.
    """


class Lifecycle:
    """The flags signals set, and a way to sleep until one comes (or another thread wakes us)."""

    def __init__(self, *, grace: float) -> None:
        self.grace = grace
        self.stop_requested = False
        self.stop_signal: str | None = None
        self._reload = False
        self._full = False
        self._read_fd, self._write_fd = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    # -- what was asked ---------------------------------------------------------------------

    def take_reload(self) -> bool:
        """True once per SIGHUP received (several before we looked count as one)."""
        asked, self._reload = self._reload, False
        return asked

    def take_full(self) -> bool:
        """True once per SIGUSR1 received."""
        asked, self._full = self._full, False
        return asked

    def should_stop(self) -> bool:
        return self.stop_requested

    def request_stop(self, reason: str) -> None:
        """Stop as a signal would (also for tests and for fatal conditions)."""
        if self.stop_requested:
            return
        self.stop_requested = True
        self.stop_signal = reason
        if self.grace > 0:
            signal.setitimer(signal.ITIMER_REAL, self.grace)
        self.wake()

    # -- sleeping and waking ----------------------------------------------------------------

    def wake(self) -> None:
        """Make ``wait`` return now. Safe from any thread and from a signal handler."""
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._write_fd, b"!")

    def wait(self, timeout: float) -> None:
        """Sleep until ``wake`` is called, a signal arrives, or ``timeout`` seconds pass."""
        if self.stop_requested:
            return
        readable, _, _ = select.select([self._read_fd], [], [], max(timeout, 0.0))
        if readable:
            with contextlib.suppress(BlockingIOError):
                while os.read(self._read_fd, 512):
                    pass

    # -- installing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def installed(self) -> Iterator[Lifecycle]:
        """Our handlers while the block runs (main thread only); the previous ones after."""
        previous = {number: signal.getsignal(number) for number in HANDLED}
        for number in HANDLED:
            signal.signal(number, self._on_signal)
        try:
            yield self
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for number, handler in previous.items():
                signal.signal(number, handler)
            os.close(self._read_fd)
            os.close(self._write_fd)

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        name = signal.Signals(number).name
        if number == signal.SIGALRM:
            raise StopTimeout(f"the current step did not finish within {self.grace:g} s")
        if number in STOP_SIGNALS:
            if self.stop_requested:
                raise StopTimeout(f"a second stop signal ({name}) came")
            self.request_stop(name)
        elif number == signal.SIGHUP:
            self._reload = True
            self.wake()
        elif number == signal.SIGUSR1:
            self._full = True
            self.wake()
