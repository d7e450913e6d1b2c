"""Small readings of sync results shared by the live tests.

What this module knows: a live Dolibarr may be shared, so "nothing changed" is judged on the
run's own objects, and the cost of a quiet sync is compared with what other people changed
meanwhile (on a quiet server: zero).
"""

from __future__ import annotations

from collections.abc import Collection

from dolisync.store import Store
from dolisync.sync import EntityReport, SyncReport
from tests.live.mirror import SOURCE


def entity_report(report: SyncReport, entity: str) -> EntityReport:
    for entry in report.entities:
        if entry.entity == entity:
            return entry
    raise AssertionError(f"the sync report has no {entity!r} entry: {report}")


def assert_ok(report: SyncReport) -> None:
    failed = [(entity, error.message) for entity, error in report.errors]
    assert report.ok, f"sync failed: {failed}"


def assert_quiet(
    store: Store, report: SyncReport, since_seq: int, ours: dict[str, Collection[int]]
) -> None:
    """After a sync with nothing of ours changed: none of our objects was written, and every
    object fetched was one somebody else changed (on a server nobody else uses: none)."""
    assert_ok(report)
    changes = store.changes_since(since_seq, source=SOURCE, limit=100_000)
    touched = [
        (change.entity, change.object_id, change.kind)
        for change in changes
        if change.object_id in ours.get(change.entity, ())
    ]
    assert touched == [], f"a sync with nothing changed wrote our objects again: {touched}"
    for entity in ours:
        if entity == "messages":
            continue  # its listing also returns automatic agenda events, never stored
        foreign = {change.object_id for change in changes if change.entity == entity}
        fetched = entity_report(report, entity).fetched
        assert fetched == len(foreign), (
            f"{entity}: a quiet sync fetched {fetched} objects, "
            f"but only {len(foreign)} changed (ids {sorted(foreign)[:10]})"
        )
