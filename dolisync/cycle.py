"""One cycle of dolisync's work: sync, evaluate rules, write back, verify.

``dolisync run --once`` runs one cycle; the daemon runs one every ``sync.interval``. In order:

1. sync: the mirror catches up with Dolibarr (``Service.sync``); if Dolibarr cannot even be
   probed, the cycle raises and nothing else runs (queued actions wait, nothing is lost);
2. evaluate: the rules read the change-log entries logged since their last evaluation (and,
   with ``schedule=True``, every ticket for the rules listening to ``schedule``); firings
   and actions are stored with the new cursor, atomically;
3. dispatch: due actions are sent (interrupted ones first looked for in Dolibarr), each
   re-read and verified, and the re-read applied to the mirror as dolisync's own write.

A dry run (``dry_run=True``, or ``[writeback] dry_run``) stops after step 2: it records what
would be done (actions in state ``planned``) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dolisync.logging import get_logger
from dolisync.outbox import ActionContext, Dispatcher, DispatchReport, RuleDriver, build_ruleset
from dolisync.outbox.driver import EvaluationReport
from dolisync.service import Service
from dolisync.sync import SyncProgress, SyncReport


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one cycle did; ``summary_line()`` is the one line the CLI and the daemon log."""

    sync: SyncReport
    seconds: float
    dry_run: bool = False
    fired: int = 0  # rule firings recorded
    enqueued: int = 0  # actions queued (planned, in a dry run)
    sent: int = 0  # actions that sent at least one write
    verified: int = 0
    failed: int = 0  # will be retried
    dead: int = 0
    capped: int = 0  # left queued by a cap
    obsolete: int = 0
    stopped: str | None = None  # why the dispatch ended early, if it did

    def summary_line(self) -> str:
        if self.dry_run:
            return (
                f"cycle done in {self.seconds:.1f} s (dry run): rules fired {self.fired}, "
                f"actions planned {self.enqueued}, nothing written"
            )
        line = (
            f"cycle done in {self.seconds:.1f} s: rules fired {self.fired}, "
            f"actions enqueued {self.enqueued}, verified {self.verified}, failed {self.failed}"
        )
        extras = [
            f"{count} {name}"
            for count, name in ((self.dead, "dead"), (self.obsolete, "obsolete"))
            if count
        ]
        if self.capped:
            extras.append(f"{self.capped} held back by a cap")
        return line + (f" ({', '.join(extras)})" if extras else "")


def run_cycle(
    service: Service,
    *,
    dry_run: bool | None = None,
    full: bool = False,
    progress: SyncProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
    schedule: bool = False,
) -> CycleReport:
    """Run one cycle. ``dry_run`` None means the config's setting; ``should_stop`` is polled
    between pages and between actions so SIGTERM can finish the current step and return.
    ``schedule``: also offer every ticket to the rules listening to ``schedule``."""
    stop = should_stop or _never
    start = service.clock.monotonic()
    settings = service.config.writeback
    dry = settings.dry_run if dry_run is None else dry_run
    log = get_logger("dolisync.cycle").bind(source=service.source)
    ruleset = build_ruleset(service.config)  # a bad rule stops the cycle before any write
    synced = service.sync(full=full, progress=progress)
    driver = RuleDriver(
        service.store,
        ruleset,
        source=service.source,
        clock=service.clock,
        log=log,
        dry_run=dry,
        act_on_existing=settings.act_on_existing,
    )
    evaluation = driver.evaluate_changes(stop)
    if schedule and not stop():
        evaluation = _merge(evaluation, driver.evaluate_schedule(stop))
    dispatch = DispatchReport()
    if not dry and not stop():
        context = ActionContext(
            client=service.client,
            store=service.store,
            source=service.source,
            clock=service.clock,
            log=log,
            ruleset=ruleset,
            settle=settings.retry_delay,
        )
        dispatch = Dispatcher(context, settings).run(stop)
    report = CycleReport(
        sync=synced,
        seconds=service.clock.monotonic() - start,
        dry_run=dry,
        fired=evaluation.fired,
        enqueued=evaluation.enqueued,
        sent=dispatch.sent,
        verified=dispatch.verified,
        failed=dispatch.failed,
        dead=dispatch.dead,
        capped=dispatch.capped,
        obsolete=dispatch.obsolete,
        stopped=dispatch.stopped,
    )
    log.info(
        "cycle.done",
        dry_run=dry,
        fired=report.fired,
        enqueued=report.enqueued,
        sent=report.sent,
        verified=report.verified,
        failed=report.failed,
        dead=report.dead,
        obsolete=report.obsolete,
        capped=report.capped,
        stopped=report.stopped,
        seconds=round(report.seconds, 3),
    )
    return report


def _never() -> bool:
    return False


def _merge(first: EvaluationReport, second: EvaluationReport) -> EvaluationReport:
    return EvaluationReport(
        changes=first.changes + second.changes,
        evaluations=first.evaluations + second.evaluations,
        fired=first.fired + second.fired,
        enqueued=first.enqueued + second.enqueued,
        own_writes_ignored=first.own_writes_ignored + second.own_writes_ignored,
        baseline=first.baseline,
    )
