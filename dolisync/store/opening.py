"""Opening a store: parse the URL, prepare the SQLite file, connect, migrate.

Every way this can fail becomes one ``StoreError`` line naming the store (never a
password) and a hint.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from dolisync.errors import StoreError
from dolisync.store.dialect import create_store_engine
from dolisync.store.files import prepare_sqlite_file, sqlite_path
from dolisync.store.migrations import Migration, migrate


def open_engine(url: str, migrations: Sequence[Migration]) -> Engine:
    """An engine on a migrated store, or ``StoreError``/``SchemaTooNew``."""
    parsed = _parse(url)
    path = sqlite_path(parsed)
    where = str(path) if path else parsed.render_as_string(hide_password=True)
    if path is not None:
        prepare_sqlite_file(path)
    try:
        engine = create_store_engine(parsed)
    except ImportError as exc:
        raise StoreError(
            f"cannot open the store {where}: the database driver is missing ({exc.name})",
            hint="for PostgreSQL install the psycopg driver: pip install 'dolisync[postgres]'",
        ) from None
    try:
        migrate(engine, migrations)
    except DBAPIError as exc:
        engine.dispose()
        raise _open_error(where, exc) from None
    except BaseException:
        engine.dispose()
        raise
    return engine


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise StoreError(
            f"store.url {url!r} is not a database URL",
            hint="use e.g. sqlite:///var/lib/dolisync/store.db or postgresql://user@host/db",
        ) from None


def _open_error(where: str, exc: DBAPIError) -> StoreError:
    detail = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
    if "not a database" in detail:
        return StoreError(
            f"cannot open the store {where}: the file is not a database",
            hint="point store.url at a new file name or an existing dolisync store",
        )
    return StoreError(
        f"cannot open the store {where}: {detail}",
        hint="check that the database exists and that this user may read and write it",
    )
