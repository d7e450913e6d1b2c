"""The daemon's view of a cycle in progress: a heartbeat per committed page, and the stop point.

What this module knows: that a committed page is the finest safe point of a sync (the sync
engine reports a page only after the store committed it and its cursor, and allows the
callback to raise). So after each page the daemon pings the watchdog (a long, healthy full
sync keeps pinging; a hung request does not) and, once a stop was asked, raises
``StopRequested`` to leave the cycle there; the next start resumes from that page.
"""

from __future__ import annotations

from collections.abc import Callable

from dolisync.records import Entity
from dolisync.sync import EntityReport, PageProgress


class StopRequested(Exception):
    """Raised between two committed pages when the daemon was asked to stop."""


class CycleProgress:
    """A ``SyncProgress`` that beats at every page and stops the cycle when asked to."""

    def __init__(self, *, heartbeat: Callable[[], None], should_stop: Callable[[], bool]) -> None:
        self._heartbeat = heartbeat
        self._should_stop = should_stop
        self.pages = 0

    def entity_started(self, entity: Entity) -> None:
        self._beat()

    def page_committed(self, page: PageProgress) -> None:
        self.pages += 1
        self._beat()

    def entity_finished(self, report: EntityReport) -> None:
        self._beat()

    def _beat(self) -> None:
        self._heartbeat()
        if self._should_stop():
            raise StopRequested("stop requested: leaving the cycle after a committed step")
