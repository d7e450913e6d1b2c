"""One cycle of dolisync's work: sync, evaluate rules, write back, verify.

``dolisync run --once`` runs one cycle; the daemon runs one every ``sync.interval``.
STUB: today a cycle is only the sync; the write-back work replaces the body of
``run_cycle`` (keep its signature: the daemon and the CLI call it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dolisync.service import Service
from dolisync.sync import SyncProgress, SyncReport


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one cycle did; ``summary_line()`` is the one line the CLI and the daemon log."""

    sync: SyncReport
    seconds: float
    dry_run: bool = False
    fired: int = 0
    enqueued: int = 0
    sent: int = 0
    verified: int = 0
    failed: int = 0
    dead: int = 0
    capped: int = 0

    def summary_line(self) -> str:
        return (
            f"cycle done in {self.seconds:.1f} s: rules fired {self.fired}, "
            f"actions enqueued {self.enqueued}, verified {self.verified}, failed {self.failed}"
        )


def run_cycle(
    service: Service,
    *,
    dry_run: bool | None = None,
    full: bool = False,
    progress: SyncProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> CycleReport:
    """Run one cycle. ``dry_run`` None means the config's setting; ``should_stop`` is polled
    between pages and between actions so SIGTERM can finish the current step and return."""
    start = service.clock.monotonic()
    report = service.sync(full=full, progress=progress)
    return CycleReport(
        sync=report,
        seconds=service.clock.monotonic() - start,
        dry_run=bool(dry_run),
    )
