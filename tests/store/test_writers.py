"""Writers of one store take turns, on every persistent backend: pages written at the same
time are classified as if written one after the other, a new store opened by two processes
at once is migrated once, a writer kept waiting too long gets ``StoreLocked``, and a read
sees one state of the store however many statements it runs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dolisync.errors import StoreLocked
from dolisync.store import PageResult, Store, dialect
from dolisync.store.migrations import MIGRATIONS
from tests.store.builders import SOURCE, ticket
from tests.store.conftest import fresh_store

RELEASED = tuple(migration.name for migration in MIGRATIONS)


def test_the_same_new_page_written_twice_at_once_is_created_once(persistent_url: str) -> None:
    page = [ticket(i) for i in range(1, 41)]
    together = threading.Barrier(2)

    with fresh_store(persistent_url) as first, fresh_store(persistent_url) as second:

        def write(store: Store) -> PageResult:
            together.wait()
            return store.apply_page(SOURCE, "tickets", page, position=(1, 40), synced_at=1.0)

        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(write, store) for store in (first, second)]
            results = [future.result() for future in futures]

        assert sorted((r.created, r.unchanged) for r in results) == [(0, 40), (40, 0)]
        logged = first.changes_since(0)
        assert [c.kind for c in logged] == ["created"] * 40
        assert [c.seq for c in logged] == sorted(c.seq for c in logged)


def test_two_processes_opening_a_new_store_at_once_both_succeed(persistent_url: str) -> None:
    together = threading.Barrier(2)

    def open_store() -> tuple[str, ...]:
        together.wait()
        with Store.open(persistent_url) as store:
            return store.status().migrations

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(open_store) for _ in range(2)]
        opened = [future.result() for future in futures]

    assert opened == [RELEASED, RELEASED]


def test_a_writer_kept_waiting_too_long_gets_store_locked(
    persistent_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dialect, "BUSY_TIMEOUT_MS", 200)  # the wait limit, shortened
    with fresh_store(persistent_url) as store:
        store.apply_page(SOURCE, "tickets", [ticket(1)], position=None, synced_at=1.0)
        other = dialect.create_store_engine(make_url(persistent_url))
        try:
            with dialect.write_transaction(other):  # another dolisync, in the middle of a page
                with pytest.raises(StoreLocked) as caught:
                    store.apply_page(SOURCE, "tickets", [ticket(2)], position=None, synced_at=2.0)
                assert store.get_ticket(SOURCE, 1) == ticket(1)  # readers do not wait
        finally:
            other.dispose()

        assert caught.value.hint
        after = store.apply_page(SOURCE, "tickets", [ticket(2)], position=None, synced_at=3.0)
        assert after.created == 1


def test_a_read_sees_one_state_while_a_writer_commits(persistent_url: str) -> None:
    with fresh_store(persistent_url) as store:
        store.apply_page(SOURCE, "tickets", [ticket(1)], position=None, synced_at=1.0)
        reader = dialect.create_store_engine(make_url(persistent_url))
        try:
            with dialect.read_transaction(reader) as conn:
                before = conn.scalar(text("SELECT count(*) FROM tickets"))
                store.apply_page(SOURCE, "tickets", [ticket(2)], position=None, synced_at=2.0)
                during = conn.scalar(text("SELECT count(*) FROM tickets"))
            with dialect.read_transaction(reader) as conn:
                after = conn.scalar(text("SELECT count(*) FROM tickets"))
        finally:
            reader.dispose()

    assert (before, during, after) == (1, 1, 2)
