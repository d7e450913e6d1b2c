"""The SQLite store file on disk: created private (file 0600, new directory 0700).

SQLite gives its ``-wal`` and ``-shm`` files the database file's mode, so creating the
database file ourselves, before SQLAlchemy opens it, keeps all three private.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL

from dolisync.errors import StoreError
from dolisync.store.dialect import is_sqlite_memory

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL (relative to the working directory); None otherwise."""
    if url.get_backend_name() != "sqlite" or is_sqlite_memory(url):
        return None
    return Path(str(url.database))


def prepare_sqlite_file(path: Path) -> None:
    """Create the store's directory and empty file with private modes, if they are missing."""
    directory = path.parent
    if not directory.is_dir():
        try:
            directory.mkdir(parents=True, mode=DIRECTORY_MODE)
        except OSError as exc:
            raise StoreError(
                f"cannot create the store directory {directory}: {exc.strerror}",
                hint="create the directory yourself or change store.url",
            ) from None
    if path.is_dir():
        raise StoreError(
            f"the store path {path} is a directory",
            hint="point store.url at a file, e.g. sqlite:///var/lib/dolisync/store.db",
        )
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(
            f"cannot create the store file {path}: {exc.strerror}",
            hint="check the directory's owner and permissions, or change store.url",
        ) from None
    os.close(descriptor)
