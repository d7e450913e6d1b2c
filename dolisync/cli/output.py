"""How numbers, times and sync results read on a terminal.

What this module knows: wording and formatting only (thousands separators, local times,
the one-line sync summary). It computes nothing and talks to nothing.
"""

from __future__ import annotations

from datetime import datetime

from dolisync.store.results import Position
from dolisync.sync.report import SyncReport


def count(number: int) -> str:
    """``1234`` -> ``1,234``."""
    return f"{number:,}"


def plural(number: int, word: str) -> str:
    return f"{count(number)} {word}" if number == 1 else f"{count(number)} {word}s"


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 100 else f"{value:,.0f} s"


def local_time(epoch: float | None) -> str:
    """An epoch in this machine's time zone, e.g. ``2026-12-04 16:17:14 CET``; ``-`` for None."""
    if epoch is None:
        return "-"
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def cursor(position: Position | None) -> str:
    """A sync cursor: ``<time> #<id>`` for modification-time cursors, ``#<id>`` for id cursors."""
    if position is None or position == (None, None):
        return "-"
    modified_at, last_id = position
    if modified_at is None:
        return f"#{last_id}"
    return f"{local_time(modified_at)} #{last_id}"


def summary_line(report: SyncReport) -> str:
    """``synced 1,234 objects in 3.2 s: 12 created, 3 updated, 0 deleted, 1,219 unchanged;
    15 requests`` (``full sync:`` first for --full runs)."""
    head = "full sync: " if report.full else ""
    return (
        f"{head}synced {plural(report.seen, 'object')} in {seconds(report.seconds)}: "
        f"{count(report.created)} created, {count(report.updated)} updated, "
        f"{count(report.deleted)} deleted, {count(report.unchanged)} unchanged; "
        f"{plural(report.requests, 'request')}"
    )
