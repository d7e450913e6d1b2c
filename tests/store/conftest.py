"""The store contract suite runs on every backend: SQLite file, SQLite in memory, and
PostgreSQL.

PostgreSQL is the database ``DOLISYNC_TEST_POSTGRES_URL`` names (one the tests may wipe), or
else a throwaway server started once per test session (``tests/pg.py``); when neither is
possible the PostgreSQL runs are skipped, with the reason. Every test starts on an empty
database: the fixtures drop every table of the PostgreSQL database before and after it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from dolisync.store import Store
from tests.pg import PostgresUnavailableError, throwaway_postgres

POSTGRES_ENV = "DOLISYNC_TEST_POSTGRES_URL"
BACKENDS = ("sqlite-file", "sqlite-memory", "postgresql")
PERSISTENT_BACKENDS = ("sqlite-file", "postgresql")
_WIPE_LOCK_TIMEOUT = "10s"  # a connection a test left open in a transaction fails, not hangs


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database URL for the whole session (the wipe is per test)."""
    configured = os.environ.get(POSTGRES_ENV)
    if configured:
        yield configured
        return
    try:
        with throwaway_postgres() as url:
            yield url
    except PostgresUnavailableError as exc:
        pytest.skip(f"no PostgreSQL for the store suite ({exc}); or set {POSTGRES_ENV}")


def backend_url(request: pytest.FixtureRequest, backend: str, directory: Path) -> str:
    if backend == "sqlite-file":
        return f"sqlite:///{directory / 'store.db'}"
    if backend == "sqlite-memory":
        return "sqlite://"
    url: str = request.getfixturevalue("postgres_url")  # started on first use only
    return url


def wipe(url: str) -> None:
    """Drop every table of a shared test database (PostgreSQL) so each test starts empty."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = '{_WIPE_LOCK_TIMEOUT}'"))
            names = conn.scalars(
                text(
                    "SELECT quote_ident(tablename) FROM pg_tables"
                    " WHERE schemaname = current_schema()"
                )
            ).all()
            if names:
                conn.execute(text(f"DROP TABLE {', '.join(names)} CASCADE"))
    finally:
        engine.dispose()


@contextmanager
def fresh_store(url: str, **options: Any) -> Iterator[Store]:
    """A store opened on ``url``, which a fixture below has just emptied."""
    store = Store.open(url, **options)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = backend_url(request, request.param, tmp_path)
    wipe(url)
    yield url
    wipe(url)


@pytest.fixture(params=PERSISTENT_BACKENDS)
def persistent_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL that can be closed and reopened (not SQLite in memory)."""
    url = backend_url(request, request.param, tmp_path)
    wipe(url)
    yield url
    wipe(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with fresh_store(store_url) as opened:
        yield opened
