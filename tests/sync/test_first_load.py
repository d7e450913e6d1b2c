"""The first load walks by id (Dolibarr sorts nothing per page), and the cursor it leaves
misses no change made while it ran, however long it ran and however often it was cut."""

from __future__ import annotations

import pytest

from dolisync.sync import NoProgress, PageProgress
from tests.sync.conftest import Mirror

LONGER_THAN_THE_OVERLAP = 1200.0  # the engine's overlap window is 600 s


class AfterPage(NoProgress):
    """Runs ``action`` once, right after page ``page`` of the tickets was committed."""

    def __init__(self, page: int, action: object) -> None:
        self.page, self.action, self.done = page, action, False

    def page_committed(self, page: PageProgress) -> None:
        if page.entity == "tickets" and page.page == self.page and not self.done:
            self.done = True
            self.action()  # type: ignore[operator]


def ticket_listings(mirror: Mirror) -> list[dict[str, str]]:
    return [e["query"] for e in mirror.sim.control.requests() if e["path"] == "/tickets"]


def test_the_first_load_pages_by_id_after_one_look_at_the_newest_change(make_mirror) -> None:
    mirror = make_mirror(page_size=10)  # 30 tickets: 3 full pages and an empty one
    mirror.clear_calls()

    report = mirror.sync(["tickets"])

    assert report.ok, report.errors
    listings = ticket_listings(mirror)
    newest, *pages = listings
    assert (newest["sortfield"], newest["sortorder"], newest["limit"]) == ("t.tms", "DESC", "1")
    assert [page["sortfield"] for page in pages] == ["t.rowid"] * 4
    assert [page.get("sqlfilters") for page in pages] == [
        None,
        "(t.rowid:>:10)",
        "(t.rowid:>:20)",
        "(t.rowid:>:30)",
    ]
    assert mirror.mirrored().tickets == mirror.truth().tickets
    mirror.later()
    mirror.clear_calls()
    quiet = mirror.sync(["tickets"])
    assert (quiet.created, quiet.updated, len(mirror.api_calls())) == (0, 0, 2)


def test_a_change_behind_a_long_first_load_reaches_the_next_poll(make_mirror) -> None:
    mirror = make_mirror(page_size=10)

    def meanwhile() -> None:
        mirror.later(10)
        mirror.sim.control.touch(ids=[5], field="subject", value="changed behind the walk")
        mirror.later(LONGER_THAN_THE_OVERLAP)
        mirror.sim.control.touch(ids=[25], field="subject", value="changed ahead of it")

    first = mirror.sync(["tickets"], progress=AfterPage(1, meanwhile))
    mirror.later()
    second = mirror.sync(["tickets"])

    assert first.ok, first.errors
    assert second.ok, second.errors
    assert mirror.truth().tickets[5][2] == "changed behind the walk"
    assert mirror.mirrored().tickets == mirror.truth().tickets


def test_an_interrupted_first_load_resumes_and_still_misses_nothing(make_mirror) -> None:
    mirror = make_mirror(page_size=10)

    def crash() -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        mirror.sync(["tickets"], progress=AfterPage(1, crash))
    mirror.later(10)
    mirror.sim.control.touch(ids=[5], field="subject", value="changed behind the walk")
    mirror.later(LONGER_THAN_THE_OVERLAP)
    mirror.sim.control.touch(ids=[15], field="subject", value="changed ahead of it")
    mirror.later(60)  # that change is settled when the load resumes: it may carry a cursor
    mirror.clear_calls()

    resumed = mirror.sync(["tickets"])

    assert resumed.ok, resumed.errors
    pages = ticket_listings(mirror)[1:]
    assert pages[0]["sqlfilters"] == "(t.rowid:>:10)"  # after the page committed before
    assert resumed.created == 20
    mirror.later()
    assert mirror.sync(["tickets"]).ok
    assert mirror.mirrored().tickets == mirror.truth().tickets


def test_a_first_load_of_an_empty_dolibarr_then_follows_new_tickets(make_mirror) -> None:
    mirror = make_mirror(tickets=0)
    assert mirror.sync(["tickets"]).ok
    mirror.later()
    mirror.sim.control.create_ticket(subject="The very first")
    mirror.later()

    report = mirror.sync(["tickets"])

    assert report.created == 1
    assert mirror.mirrored().tickets == mirror.truth().tickets
