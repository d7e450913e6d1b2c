"""``Daemon``: dolisync as a long-running service; its life from start to a clean stop.

What this module knows: the order of things. Start: take the store lock (a second copy is
refused), open the service, serve metrics if enabled, reach Dolibarr (READY=1 only then),
start the clock. Then the main loop, in the main thread: ping the watchdog, apply a
requested reload, run the work that is due (a cycle, a full cycle, a time-rules tick), sleep
until woken. Stop (SIGTERM/SIGINT): the step in progress finishes, STOPPING=1, everything is
closed, exit 0; after ``[daemon] stop_timeout`` the stop is forced (still exit 0: the store
is consistent, each page being one transaction).

A failing cycle never stops the daemon: it is logged, and retried at the next interval;
errors that need an admin (refused key, bug...) are logged as errors and back off
(``policy.py``). Time-based rules have their own clock: every ``[daemon] schedule_tick`` a
cycle runs with ``schedule=True`` (the rules listening to ``schedule`` see every ticket).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from dolisync.clock import Clock, SystemClock
from dolisync.config import Config, load_config
from dolisync.cycle import CycleReport, run_cycle
from dolisync.daemon.heartbeat import HeartbeatClock
from dolisync.daemon.lock import acquire_store_lock
from dolisync.daemon.metrics import DaemonMetrics
from dolisync.daemon.monitor import Monitor
from dolisync.daemon.notify import Notifier
from dolisync.daemon.policy import Backoff, severity
from dolisync.daemon.progress import CycleProgress, StopRequested
from dolisync.daemon.reload import reload_refusal, restart_only_changes
from dolisync.daemon.schedule import Pending, Schedule, Work
from dolisync.daemon.signals import Lifecycle, StopTimeout
from dolisync.errors import ConfigError, DolisyncError
from dolisync.logging import get_logger, redact_text
from dolisync.service import Service
from dolisync.sync import RUN_STOPPERS, describe_error

log = get_logger("dolisync.daemon")

IDLE_WAKE = 60.0  # without a watchdog, the loop still looks around once a minute
HEARTBEAT_EVERY = 1.0  # watchdog pings at most this often (pages can be very quick)


class Daemon:
    """Run with ``run()`` in the main thread (signals are delivered there)."""

    def __init__(
        self,
        config: Config,
        *,
        dry_run: bool | None = None,
        notifier: Notifier | None = None,
        clock: Clock | None = None,
        on_reload: Callable[[Config], None] | None = None,
    ) -> None:
        self.config = config
        self.dry_run = dry_run
        self.notifier = notifier or Notifier.from_environment()
        self.clock = clock or SystemClock()
        self.on_reload = on_reload
        self.metrics = DaemonMetrics()
        self.lifecycle = Lifecycle(grace=config.daemon.stop_timeout)
        self.pending = Pending()
        self.schedule = Schedule(self.pending, self.lifecycle.wake)
        self.backoff = Backoff(config.sync.interval)
        self.cycles = 0
        self.monitor = Monitor(self.metrics, config=lambda: self.config, clock=self.clock)
        self._service: Service | None = None
        self._last_beat = float("-inf")
        self._started = False  # READY sent and the clock running

    @property
    def service(self) -> Service:
        assert self._service is not None, "the daemon is not running"
        return self._service

    # -- life -------------------------------------------------------------------------------

    def run(self) -> None:
        """Serve until stopped; returns normally after a stop (the exit code is then 0)."""
        with self.lifecycle.installed():
            try:
                with acquire_store_lock(self.config.store.url, command="run"):
                    try:
                        self._serve()
                    finally:
                        self._close()
            except StopTimeout as reason:
                log.warning("daemon.stop_forced", reason=str(reason), cycles=self.cycles)
        log.info("daemon.stopped", signal=self.lifecycle.stop_signal, cycles=self.cycles)

    def _serve(self) -> None:
        log.info("daemon.starting", config=str(self.config.path), dry_run=self.dry_run)
        self._use(Service(self.config, clock=self._service_clock()))
        self.service.store  # noqa: B018 -- open (and migrate) now: a bad store fails the start
        self.monitor.start()
        if not self._reach_dolibarr():
            return
        self.metrics.ready.set(1)
        self.notifier.ready("connected to Dolibarr; first cycle starting")
        settings = self.config
        self.schedule.start(interval=settings.sync.interval, tick=settings.daemon.schedule_tick)
        self._started = True
        self._loop()

    def _loop(self) -> None:
        while not self.lifecycle.stop_requested:
            self.heartbeat(force=True)
            if self.lifecycle.take_reload():
                self._reload()
            if self.lifecycle.take_full():
                self.pending.post("full")
            due = self.pending.take()
            if due and not self.lifecycle.should_stop():
                self._do(due)
            self.lifecycle.wait(self._idle_timeout())

    def _close(self) -> None:
        self.notifier.stopping(f"stopping after {self.cycles} cycles")
        self.schedule.shutdown()
        for close in (self.monitor.stop, self._close_service, self.notifier.close):
            with contextlib.suppress(DolisyncError, OSError):
                close()

    # -- reaching Dolibarr ------------------------------------------------------------------

    def _reach_dolibarr(self) -> bool:
        """Probe ``/status`` until it answers (backing off); False when a stop came first."""
        backoff = Backoff(min(self.config.sync.interval, 10.0), cap=300.0)
        while not self.lifecycle.stop_requested:
            if self.lifecycle.take_reload():
                self._reload()
            try:
                info = self.service.client.status()
            except DolisyncError as error:
                delay = backoff.failed(self.clock.monotonic())
                self._log_failure("daemon.unreachable", error, retry_in=delay)
                self.notifier.status(f"waiting for Dolibarr: {redact_text(error.message)}")
                self.lifecycle.wait(delay)
                continue
            log.info("daemon.ready", dolibarr_version=info.dolibarr_version)
            return True
        return False

    # -- work -------------------------------------------------------------------------------

    def _do(self, due: frozenset[Work]) -> None:
        """One cycle for everything due; a full resync (asked by a person) skips the backoff."""
        full = "full" in due
        now = self.clock.monotonic()
        if not full and not self.backoff.allows(now):
            log.debug("daemon.cycle_skipped", backoff_s=round(self.backoff.remaining(now), 1))
            return
        self._cycle(full=full, schedule="schedule" in due)

    def _cycle(self, *, full: bool, schedule: bool) -> None:
        self.notifier.status("full resync running" if full else "cycle running")
        progress = CycleProgress(heartbeat=self.heartbeat, should_stop=self.lifecycle.should_stop)
        try:
            report = run_cycle(
                self.service,
                dry_run=self.dry_run,
                full=full,
                progress=progress,
                should_stop=self.lifecycle.should_stop,
                schedule=schedule,
            )
        except StopRequested:
            log.info("daemon.cycle_interrupted", pages=progress.pages)
            self.metrics.cycle_ended("interrupted", at=self.clock.now())
            return
        except Exception as error:  # noqa: BLE001 -- a failed cycle must never kill the daemon
            self._cycle_failed(error)
            return
        self._cycle_done(report)

    def _cycle_done(self, report: CycleReport) -> None:
        self.cycles += 1
        self.metrics.cycle_done(report, at=self.clock.now())
        summary = report.summary_line()
        self.notifier.status(summary)
        stopper = next((e for _, e in report.sync.errors if isinstance(e, RUN_STOPPERS)), None)
        if stopper is not None and severity(stopper) == "needs_admin":
            delay = self.backoff.failed(self.clock.monotonic())
            self._log_failure("daemon.cycle_failed", stopper, retry_in=delay)
            return
        self.backoff.succeeded()
        # dolisync.cycle logs the numbers of every cycle; this line adds what failed, if any
        event = log.debug if report.sync.ok else log.warning
        event("daemon.cycle_done", summary=summary, full=report.sync.full, failed=_failed(report))

    def _cycle_failed(self, error: Exception) -> None:
        self.cycles += 1
        self.metrics.cycle_ended("failed", at=self.clock.now())
        if severity(error) == "needs_admin":
            delay = self.backoff.failed(self.clock.monotonic())
            self._log_failure("daemon.cycle_failed", error, retry_in=delay)
        else:
            self._log_failure("daemon.cycle_failed", error, retry_in=self.config.sync.interval)
        if isinstance(error, DolisyncError):
            self.notifier.status(f"last cycle failed: {redact_text(error.message)}")
        else:
            self.notifier.status(f"last cycle failed: internal error {type(error).__name__}")

    # -- reload -----------------------------------------------------------------------------

    def _reload(self) -> None:
        self.notifier.reloading()
        try:
            new = load_config(self.config.path)
            refusal = reload_refusal(self.config, new)
            if refusal is not None:
                raise refusal
        except ConfigError as error:
            self.metrics.reloads.labels("refused").inc()
            log.error(
                "config.reload_refused",
                error=error.message,
                problems=[str(problem) for problem in error.problems],
                hint=error.hint,
                kept=str(self.config.path),
            )
            self.notifier.ready(f"reload refused, old configuration kept: {error.message}")
            return
        for section in restart_only_changes(self.config, new):
            log.warning("config.needs_restart", section=section)
        self._use(Service(new, clock=self._service_clock()))
        self.config = new
        self.lifecycle.grace = new.daemon.stop_timeout
        self.backoff = Backoff(new.sync.interval)  # the admin may have fixed what failed
        if self._started:
            self.schedule.change(interval=new.sync.interval, tick=new.daemon.schedule_tick)
            self.pending.post("cycle")  # show the effect now, not an interval later
        if self.on_reload is not None:
            self.on_reload(new)
        self.metrics.reloads.labels("ok").inc()
        log.info("config.reloaded", config=str(new.path), rules=len(new.rules_raw))
        self.notifier.ready("configuration reloaded")

    # -- parts ------------------------------------------------------------------------------

    def _use(self, service: Service) -> None:
        """Make ``service`` the current one; the previous one is closed after the swap."""
        old, self._service = self._service, service
        self.metrics.requests.follow(service.client.stats)
        if old is not None:
            old.close()

    def _close_service(self) -> None:
        service, self._service = self._service, None
        if service is not None:
            service.close()

    def _service_clock(self) -> Clock:
        """The clock the service's retries wait on: waiting for a retry is being alive (a
        read may retry for longer than WatchdogSec), a request stuck forever is not."""
        return HeartbeatClock(self.clock, self.heartbeat)

    def heartbeat(self, *, force: bool = False) -> None:
        """Tell the watchdog we are alive: called only from the loop that runs cycles."""
        now = self.clock.monotonic()
        if force or now - self._last_beat >= HEARTBEAT_EVERY:
            self._last_beat = now
            self.notifier.watchdog()

    def _idle_timeout(self) -> float:
        interval = self.notifier.watchdog_interval
        return min(interval, IDLE_WAKE) if interval else IDLE_WAKE

    def _log_failure(self, event: str, error: BaseException, *, retry_in: float) -> None:
        fields: dict[str, Any] = {"retry_in_s": round(retry_in, 1)}
        if isinstance(error, DolisyncError):
            fields.update(error=describe_error(error), hint=error.hint)
            loud = severity(error) == "needs_admin"
            (log.error if loud else log.warning)(event, **fields)
        else:
            log.error(event, error=f"{type(error).__name__}: {error}", exc_info=error, **fields)


def _failed(report: CycleReport) -> list[str]:
    return [entity for entity, _ in report.sync.errors]
