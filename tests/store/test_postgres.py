"""What only PostgreSQL stores do: the URL forms accepted, and one-line errors when the
server or the database cannot be reached (never showing the password)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dolisync.errors import StoreError
from dolisync.store import Store
from dolisync.store.migrations import MIGRATIONS
from tests.store.builders import SOURCE, ticket
from tests.store.conftest import wipe


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    wipe(postgres_url)
    yield postgres_url
    wipe(postgres_url)


def test_a_plain_postgresql_url_opens_with_psycopg_and_migrates(pg_url: str) -> None:
    plain = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)

    with Store.open(plain) as store:
        store.apply_page(SOURCE, "tickets", [ticket(1)], position=(5, 1), synced_at=1.0)

    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            applied = conn.scalars(text("SELECT name FROM schema_migrations ORDER BY name"))
            assert tuple(applied) == tuple(migration.name for migration in MIGRATIONS)
    finally:
        engine.dispose()
    with Store.open(pg_url) as reopened:
        assert reopened.get_ticket(SOURCE, 1) == ticket(1)
        assert reopened.get_position(SOURCE, "tickets") == (5, 1)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    url = f"postgresql+psycopg://sync:pa55word@127.0.0.1:{closed_port()}/mirror"

    with pytest.raises(StoreError, match="cannot open the store") as caught:
        Store.open(url)

    shown = f"{caught.value} {caught.value.hint}"
    assert "\n" not in str(caught.value)
    assert "pa55word" not in shown
    assert "sync:***@127.0.0.1" in str(caught.value)


def test_a_missing_database_is_reported(postgres_url: str) -> None:
    url = make_url(postgres_url).set(database="no_such_database")

    with pytest.raises(StoreError, match="no_such_database") as caught:
        Store.open(url.render_as_string(hide_password=False))

    assert caught.value.hint
    assert url.password is None or str(url.password) not in str(caught.value)
