"""``--full``: re-list everything by id, mark what Dolibarr lost as deleted (kept, never
removed), and never mark anything deleted from an incomplete listing."""

from __future__ import annotations

from dolisync.errors import SyncError, TransportError
from dolisync.sync import NoProgress, PageProgress
from tests.sync.conftest import Mirror


class BreakAfterFirstPage(NoProgress):
    def __init__(self, mirror: Mirror) -> None:
        self.mirror = mirror

    def page_committed(self, page: PageProgress) -> None:
        if page.entity == "tickets" and page.page == 1:
            self.mirror.sim.control.set_faults("reset=1,path=/tickets")


def test_full_sync_marks_a_ticket_deleted_in_dolibarr_as_deleted(mirror: Mirror) -> None:
    mirror.sync()
    mirror.sim.control.add_message(9, "Before the ticket goes")
    mirror.later()
    mirror.sync()
    message_ids = {m.id for m in mirror.store.messages_for("default", 9)}
    mirror.sim.control.delete_ticket(9)
    mirror.later()

    quiet = mirror.sync()
    assert quiet.deleted == 0  # an incremental poll cannot see deletions
    report = mirror.sync(full=True)

    assert report.ok, report.errors
    deleted = {entry.entity: entry.deleted for entry in report.entities}
    assert deleted["tickets"] == 1
    assert deleted["messages"] == len(message_ids) >= 1
    assert mirror.store.get_ticket("default", 9) is None
    kept = mirror.store.get_ticket("default", 9, include_deleted=True)
    assert kept is not None
    assert kept.id == 9
    assert mirror.mirrored() == mirror.truth()


def test_full_sync_as_the_first_sync_leaves_a_cursor_for_cheap_polls(mirror: Mirror) -> None:
    first = mirror.sync(full=True)
    mirror.later()
    mirror.clear_calls()

    second = mirror.sync()

    assert first.ok, first.errors
    assert second.ok, second.errors
    assert (second.created, second.updated) == (0, 0)
    assert len(mirror.api_calls()) == 6
    assert mirror.mirrored() == mirror.truth()


def test_a_full_listing_that_fails_midway_marks_nothing_deleted(make_mirror) -> None:
    mirror = make_mirror(page_size=10)
    mirror.sync()
    mirror.sim.control.delete_ticket(25)
    mirror.later()

    report = mirror.sync(["tickets"], full=True, progress=BreakAfterFirstPage(mirror))

    assert isinstance(report.first_error, TransportError)
    assert report.deleted == 0
    assert mirror.store.get_ticket("default", 25) is not None
    mirror.sim.control.clear_faults()
    assert mirror.sync(["tickets"], full=True).deleted == 1


def test_an_empty_full_listing_never_empties_a_populated_mirror(mirror: Mirror) -> None:
    """Lost rights or a disabled module look like "everything was deleted"."""
    mirror.sync()
    for ticket_id in list(mirror.truth().tickets):
        mirror.sim.control.delete_ticket(ticket_id)
    mirror.later()

    report = mirror.sync(["tickets"], full=True)

    assert isinstance(report.first_error, SyncError)
    assert len(mirror.mirrored().tickets) == 30
