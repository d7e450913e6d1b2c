"""Schema migrations: an ordered list of named steps, each applied once, atomically.

A store records every applied step in ``schema_migrations`` (name, applied_at), in the same
transaction as the step itself, so a crash leaves either both or neither. Opening a store
applies the pending steps in order. A store that lists a step this code does not know was
written by a newer dolisync: ``SchemaTooNew``.

Add a step by appending ``Migration("000N_what", apply)``; never edit or reorder released
steps (``m0001_initial`` is frozen).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select

from dolisync.errors import SchemaTooNew
from dolisync.store.dialect import write_transaction
from dolisync.store.migrations import m0001_initial, m0002_outbox, m0003_bulk_load
from dolisync.store.tables import SchemaMigrationRow, table


@dataclass(frozen=True, slots=True)
class Migration:
    """One named schema step; ``apply`` runs inside the step's transaction."""

    name: str
    apply: Callable[[Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(m0001_initial.NAME, m0001_initial.apply),
    Migration(m0002_outbox.NAME, m0002_outbox.apply),
    Migration(m0003_bulk_load.NAME, m0003_bulk_load.apply),
)

_RECORDS = table(SchemaMigrationRow)


def applied_migrations(conn: Connection) -> list[str]:
    """The names of the steps applied to the store, oldest first."""
    query = select(_RECORDS.c.name).order_by(_RECORDS.c.applied_at, _RECORDS.c.name)
    return list(conn.scalars(query))


def migrate(
    engine: Engine,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    now: Callable[[], float] = time.time,
) -> list[str]:
    """Apply the pending steps in order; return the names applied now."""
    with write_transaction(engine) as conn:
        _RECORDS.create(conn, checkfirst=True)
        _refuse_unknown(applied_migrations(conn), migrations)
    applied_now: list[str] = []
    for migration in migrations:
        with write_transaction(engine) as conn:
            # re-read inside the lock: another process may have applied it meanwhile
            if migration.name in applied_migrations(conn):
                continue
            migration.apply(conn)
            conn.execute(insert(_RECORDS).values(name=migration.name, applied_at=now()))
        applied_now.append(migration.name)
    return applied_now


def _refuse_unknown(applied: Sequence[str], migrations: Sequence[Migration]) -> None:
    known = {migration.name for migration in migrations}
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise SchemaTooNew(
            "the store was written by a newer dolisync "
            f"(unknown schema migrations: {', '.join(unknown)})",
            hint="upgrade dolisync, or point store.url at another database",
        )
