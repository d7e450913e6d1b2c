"""The next page is fetched while one is written: in order, one ahead at most, failures
where they happened, and nothing left running once the walk is over."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from dolisync.sync.prefetch import prefetched

NEVER = 0.3  # how long a test waits for something that must not happen


class Listing:
    """A page source that records how far it was pulled and whether it was closed."""

    def __init__(self, pages: int, *, fail_at: int | None = None) -> None:
        self.pages, self.fail_at = pages, fail_at
        self.produced: list[int] = []
        self.pulled = {n: threading.Event() for n in range(1, pages + 2)}
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[int]:
        try:
            for number in range(1, self.pages + 1):
                self.pulled[number].set()
                if number == self.fail_at:
                    raise ConnectionError(f"page {number} lost")
                self.produced.append(number)
                yield number
        finally:
            self.closed.set()


def test_pages_arrive_in_order_and_the_source_ends_closed() -> None:
    listing = Listing(5)

    with prefetched(iter(listing)) as pages:
        assert list(pages) == [1, 2, 3, 4, 5]

    assert listing.closed.is_set()
    assert not any(t.name == "dolisync-prefetch" for t in threading.enumerate())


def test_the_worker_stays_one_page_ahead_of_the_caller() -> None:
    listing = Listing(5)

    with prefetched(iter(listing)) as pages:
        assert next(pages) == 1
        assert listing.pulled[2].wait(5)  # page 2 comes while page 1 is worked on...
        assert not listing.pulled[3].wait(NEVER)  # ...but never page 3
        assert next(pages) == 2
        assert listing.pulled[3].wait(5)


def test_a_failure_surfaces_where_its_page_would_have_come() -> None:
    listing = Listing(5, fail_at=3)
    seen: list[int] = []

    def walk() -> None:
        with prefetched(iter(listing)) as pages:
            seen.extend(pages)

    with pytest.raises(ConnectionError, match="page 3 lost"):
        walk()

    assert seen == [1, 2]
    assert listing.closed.is_set()


def test_leaving_early_stops_the_worker_and_closes_the_source() -> None:
    listing = Listing(50)

    def walk() -> None:
        with prefetched(iter(listing)) as pages:
            for page in pages:
                if page == 2:
                    raise RuntimeError("store failed")

    with pytest.raises(RuntimeError, match="store failed"):
        walk()

    assert listing.closed.is_set()
    assert listing.produced[-1] <= 3  # at most the page in flight was fetched in vain
    assert not any(t.name == "dolisync-prefetch" for t in threading.enumerate())
