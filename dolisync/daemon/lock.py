"""One dolisync at a time per store: an advisory lock held while a command writes the store.

What this module knows: where the lock lives and what a refusal says. For a SQLite store it
is ``fcntl.flock`` on ``<database file>.lock`` next to the database (created 0600; the file
holds the holder's pid and command, for the message a second copy shows). The kernel drops
the lock when the holder exits, however it exits, so a crash never leaves a stale lock.
``dolisync run`` holds it for its whole life, ``sync`` and ``run --once`` for their run;
``status`` and ``doctor`` only read, and never take it.

For a PostgreSQL store it is a session-level advisory lock (``pg_try_advisory_lock``) held by
one dedicated connection for the command's life: the server drops it when that connection
ends, however the holder ends. Such locks are per database, like the stores.

The lock file is never deleted: removing it while another process waits on it would let
two processes hold "the" lock on two different files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Final

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from dolisync.errors import StoreError, StoreLocked
from dolisync.logging import get_logger
from dolisync.store.files import DIRECTORY_MODE, FILE_MODE, sqlite_path

log = get_logger(__name__)

LOCK_SUFFIX: Final = ".lock"


# "dolisync!" as an int: a different key from the writers' transaction lock (dialect.py)
INSTANCE_LOCK_KEY: Final = int.from_bytes(b"dolisync!"[-8:], "big", signed=True)


class StoreLock:
    """A held lock (or nothing to hold, for an in-memory store). Release it once."""

    def __init__(
        self, path: Path | None, descriptor: int | None, connection: Connection | None = None
    ) -> None:
        self.path = path
        self._descriptor = descriptor
        self._connection = connection

    def release(self) -> None:
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)
        connection, self._connection = self._connection, None
        if connection is not None:
            engine = connection.engine
            with contextlib.suppress(SQLAlchemyError):
                connection.close()  # ends the session: the server drops its advisory lock
            engine.dispose()

    def __enter__(self) -> StoreLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock_path_for(store_url: str) -> Path | None:
    """The lock file of a SQLite store; None for in-memory and server databases."""
    try:
        return _with_suffix(sqlite_path(make_url(store_url)))
    except ArgumentError:
        return None  # Store.open reports the bad URL properly


def acquire_store_lock(store_url: str, *, command: str) -> StoreLock:
    """Lock the store for ``command`` (e.g. ``"run"``), or raise ``StoreLocked`` at once."""
    if store_url.startswith("postgresql"):
        return _lock_postgres(store_url)
    path = lock_path_for(store_url)
    if path is None:
        return StoreLock(None, None)  # an in-memory store: nobody else can open it
    descriptor = _open(path)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(descriptor)
        os.close(descriptor)
        raise StoreLocked(
            f"the store {path.with_suffix('')} is in use by another dolisync ({holder})",
            hint="only one dolisync may write a store: stop the other one "
            "(`systemctl stop dolisync` for the service) or wait until it finishes; "
            "`dolisync status` works while it runs",
        ) from None
    except OSError as error:
        os.close(descriptor)
        raise StoreError(
            f"cannot lock the store with {path}: {error.strerror}",
            hint="the store's folder must be on a local file system that supports flock",
        ) from None
    _write_holder(descriptor, command)
    return StoreLock(path, descriptor)


def _lock_postgres(store_url: str) -> StoreLock:
    url = make_url(store_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, poolclass=NullPool)
    try:
        connection = engine.connect()
        held = connection.execute(select(func.pg_try_advisory_lock(INSTANCE_LOCK_KEY))).scalar()
        connection.commit()
    except SQLAlchemyError as error:
        engine.dispose()
        cause = getattr(error, "orig", None) or error
        raise StoreError(
            f"cannot lock the store {url.render_as_string(hide_password=True)}: "
            f"{type(cause).__name__}",
            hint="check that PostgreSQL answers (dolisync doctor)",
        ) from None
    if not held:
        connection.close()
        engine.dispose()
        raise StoreLocked(
            f"the store {url.render_as_string(hide_password=True)} is in use by another "
            "dolisync (PostgreSQL advisory lock)",
            hint="only one dolisync may write a store: stop the other one "
            "(`systemctl stop dolisync` for the service) or wait until it finishes; "
            "`dolisync status` works while it runs",
        )
    return StoreLock(None, None, connection)


def _with_suffix(path: Path | None) -> Path | None:
    return None if path is None else path.with_name(path.name + LOCK_SUFFIX)


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    except OSError as error:
        raise StoreError(
            f"cannot open the store's lock file {path}: {error.strerror}",
            hint="check the owner and permissions of the store's folder, or change store.url",
        ) from None


def _write_holder(descriptor: int, command: str) -> None:
    """Say who holds the lock, for the message a second copy shows (best effort)."""
    with contextlib.suppress(OSError):
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"pid {os.getpid()}, dolisync {command}\n".encode(), 0)


def _read_holder(descriptor: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(descriptor, 200, 0).decode("utf-8", errors="replace").strip()
        if text:
            return text
    return "holder unknown"
