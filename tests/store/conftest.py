"""The store contract suite runs on every backend: SQLite file, SQLite in memory, and
PostgreSQL when ``DOLISYNC_TEST_POSTGRES_URL`` names a database the tests may wipe."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine

from dolisync.store import Store

POSTGRES_ENV = "DOLISYNC_TEST_POSTGRES_URL"
BACKENDS = ("sqlite-file", "sqlite-memory", "postgresql")
PERSISTENT_BACKENDS = ("sqlite-file", "postgresql")


def backend_url(backend: str, directory: Path) -> str:
    if backend == "sqlite-file":
        return f"sqlite:///{directory / 'store.db'}"
    if backend == "sqlite-memory":
        return "sqlite://"
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"set {POSTGRES_ENV} to run the store contract suite on PostgreSQL")
    return url


def wipe(url: str) -> None:
    """Drop every table of a shared test database (PostgreSQL) so each test starts empty."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
    finally:
        engine.dispose()


@contextmanager
def fresh_store(url: str, **options: Any) -> Iterator[Store]:
    wipe(url)
    store = Store.open(url, **options)
    try:
        yield store
    finally:
        store.close()
        wipe(url)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = backend_url(request.param, tmp_path)
    yield url
    wipe(url)


@pytest.fixture(params=PERSISTENT_BACKENDS)
def persistent_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL that can be closed and reopened (not SQLite in memory)."""
    url = backend_url(request.param, tmp_path)
    wipe(url)
    yield url
    wipe(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with fresh_store(store_url) as opened:
        yield opened
