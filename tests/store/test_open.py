"""Opening a SQLite store: private files, URLs, and one-line errors with a hint."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from dolisync.errors import StoreError
from dolisync.store import Store
from tests.store.builders import SOURCE, ticket


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_file_and_its_directory_are_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "dolisync" / "store.db"

    with Store.open(f"sqlite:///{path}") as store:
        store.apply_page(SOURCE, "tickets", [ticket(1)], position=None, synced_at=1.0)
        companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(companion.exists() for companion in companions)  # WAL mode
        assert [mode(companion) for companion in companions] == [0o600, 0o600]

    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_an_existing_directory_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    with Store.open(f"sqlite:///{tmp_path / 'store.db'}"):
        pass
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "store.db") == 0o600


def test_the_store_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with Store.open(f"sqlite:///{path}"):
        pass
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_relative_url_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with Store.open("sqlite:///relative.db") as store:
        store.apply_page(SOURCE, "tickets", [ticket(1)], position=None, synced_at=1.0)

    with Store.open(f"sqlite:///{tmp_path / 'relative.db'}") as reopened:
        assert reopened.get_ticket(SOURCE, 1) == ticket(1)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)

    with pytest.raises(StoreError, match="not a database") as caught:
        Store.open(f"sqlite:///{path}")

    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.hint


def test_a_directory_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")

    with pytest.raises(StoreError, match="cannot create the store directory") as caught:
        Store.open(f"sqlite:///{blocker / 'sub' / 'store.db'}")

    assert caught.value.hint


def test_a_directory_as_the_store_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(f"sqlite:///{tmp_path}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_directory_is_reported(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="cannot create the store file"):
            Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    finally:
        tmp_path.chmod(0o700)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysql://user@localhost/dolisync", "unsupported store database"),
    ],
)
def test_urls_the_store_cannot_use_are_reported(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as caught:
        Store.open(url)
    assert caught.value.hint


def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    store.close()
    store.close()  # closing twice is harmless

    with pytest.raises(StoreError, match="closed"):
        store.get_ticket(SOURCE, 1)


def test_an_in_memory_store_is_shared_by_its_threads() -> None:
    import threading

    with Store.open("sqlite://") as store:
        worker = threading.Thread(
            target=store.apply_page,
            args=(SOURCE, "tickets", [ticket(1)]),
            kwargs={"position": None, "synced_at": 1.0},
        )
        worker.start()
        worker.join()
        assert store.get_ticket(SOURCE, 1) == ticket(1)
