"""A clock whose waits keep the systemd watchdog fed.

The client waits between read retries through its clock (up to minutes when Dolibarr asks
with Retry-After). Such a wait is progress, not a hang, so it pings the watchdog every
second of it; a request that never returns still starves the watchdog, as it should.
"""

from __future__ import annotations

from collections.abc import Callable

from dolisync.clock import Clock

SLICE = 1.0


class HeartbeatClock:
    """``clock``, except that ``sleep`` calls ``beat`` at least every second while waiting."""

    def __init__(self, clock: Clock, beat: Callable[[], None]) -> None:
        self._clock = clock
        self._beat = beat

    def now(self) -> float:
        return self._clock.now()

    def monotonic(self) -> float:
        return self._clock.monotonic()

    def sleep(self, seconds: float) -> None:
        left = max(0.0, seconds)
        while left > 0:
            step = min(SLICE, left)
            self._clock.sleep(step)
            left -= step
            self._beat()
