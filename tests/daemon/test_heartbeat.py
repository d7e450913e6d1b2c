"""Waiting for a read retry keeps the watchdog fed; the wait itself is not shortened."""

from __future__ import annotations

from dolisync.clock import FrozenClock
from dolisync.daemon.heartbeat import HeartbeatClock


def test_a_long_retry_wait_pings_every_second_and_lasts_as_long() -> None:
    clock = FrozenClock()
    beats: list[float] = []
    waiting = HeartbeatClock(clock, lambda: beats.append(clock.monotonic()))

    waiting.sleep(120.5)  # a Retry-After of two minutes

    assert clock.monotonic() == 120.5
    assert len(beats) == 121
    assert max(b - a for a, b in zip([0.0, *beats], beats, strict=False)) <= 1.0
    assert waiting.now() == clock.now()


def test_no_wait_no_ping() -> None:
    beats: list[int] = []
    HeartbeatClock(FrozenClock(), lambda: beats.append(1)).sleep(0)
    assert beats == []
