"""When work is due: APScheduler's clock posting work to the daemon's main loop.

What this module knows: the daemon's jobs and their triggers. APScheduler (3.x,
``BackgroundScheduler``) only keeps time here: its jobs do not run cycles, they post "a cycle
is due" to ``Pending`` and wake the main loop, which runs the work itself. So the thread that
runs cycles is the main thread: it receives the signals (``should_stop`` turns true while a
cycle runs, between two pages), it pings the watchdog (a hung cycle stops the pings, as
systemd intends), and a reload swaps the ``Service`` between two cycles with no lock.

Never two at once: a job posts into a set, so a cycle due while one runs is remembered once
(coalesced) and runs right after; jobs also have ``coalesce=True`` and ``max_instances=1``.
A time-rules tick due at the same moment as a cycle joins it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final, Literal

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

# "cycle": a sync cycle; "full": a full resync cycle (SIGUSR1); "schedule": the time-based
# rules' tick. Whatever is due runs as ONE cycle (``run_cycle(full=..., schedule=...)``).
Work = Literal["cycle", "full", "schedule"]

CYCLE_JOB: Final = "cycle"
SCHEDULE_JOB: Final = "schedule"


class Pending:
    """Work that is due, each kind at most once. Thread-safe (never used by signal handlers)."""

    def __init__(self) -> None:
        self._due: set[Work] = set()
        self._lock = threading.Lock()

    def post(self, work: Work) -> None:
        with self._lock:
            self._due.add(work)

    def take(self) -> frozenset[Work]:
        """Everything due (and forget it)."""
        with self._lock:
            due, self._due = self._due, set()
        return frozenset(due)


class Schedule:
    """The daemon's timers: a sync cycle every ``interval``, a time-rules tick every ``tick``."""

    def __init__(self, pending: Pending, wake: Callable[[], None]) -> None:
        self._pending = pending
        self._wake = wake
        # APScheduler logs every job run at INFO: once a minute, forever, says nothing new.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def start(self, *, interval: float, tick: float) -> None:
        """Start the clock; the first cycle is due at once."""
        now = datetime.now(UTC)
        self._scheduler.add_job(
            self._post,
            IntervalTrigger(seconds=interval),
            args=["cycle"],
            id=CYCLE_JOB,
            next_run_time=now,
        )
        self._scheduler.add_job(
            self._post, IntervalTrigger(seconds=tick), args=["schedule"], id=SCHEDULE_JOB
        )
        self._scheduler.start()

    def change(self, *, interval: float, tick: float) -> None:
        """New periods after a reload (the next run counts from now)."""
        self._scheduler.reschedule_job(CYCLE_JOB, trigger=IntervalTrigger(seconds=interval))
        self._scheduler.reschedule_job(SCHEDULE_JOB, trigger=IntervalTrigger(seconds=tick))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def _post(self, work: Work) -> None:
        self._pending.post(work)
        self._wake()
