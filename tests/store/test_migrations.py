"""Schema migrations: recorded, applied once in order, atomic, and refused when too new."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Connection, create_engine, inspect, text

from dolisync.errors import SchemaTooNew, StoreError
from dolisync.records import (
    Intervention,
    InterventionLine,
    Message,
    Record,
    ThirdParty,
    Ticket,
    User,
)
from dolisync.store import Store
from dolisync.store.migrations import MIGRATIONS, Migration
from dolisync.store.tables import METADATA
from tests.store.builders import SOURCE, ticket
from tests.store.conftest import fresh_store


def add_note_column(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE tickets ADD COLUMN note TEXT"))


def create_then_fail(conn: Connection) -> None:
    conn.execute(text("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"))
    raise RuntimeError("migration failed halfway")


NEWER = (*MIGRATIONS, Migration("0002_test_ticket_note", add_note_column))
RELEASED = tuple(migration.name for migration in MIGRATIONS)


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_new_store_records_its_migrations(store: Store) -> None:
    assert store.status().migrations == tuple(migration.name for migration in MIGRATIONS)
    assert store.status().migrations[0] == "0001_initial"


def test_an_older_store_is_upgraded_when_opened(persistent_url: str) -> None:
    # written by "an older dolisync": the first migration set only
    with Store.open(persistent_url, migrations=MIGRATIONS) as old:
        old.apply_page(SOURCE, "tickets", [ticket(1)], position=(7, 1), synced_at=1.0)

    with Store.open(persistent_url, migrations=NEWER) as upgraded:
        assert upgraded.status().migrations == (*RELEASED, "0002_test_ticket_note")
        assert upgraded.get_ticket(SOURCE, 1) == ticket(1)
        assert upgraded.get_position(SOURCE, "tickets") == (7, 1)

    engine = create_engine(persistent_url)
    try:
        columns = {column["name"] for column in inspect(engine).get_columns("tickets")}
    finally:
        engine.dispose()
    assert "note" in columns

    with Store.open(persistent_url, migrations=NEWER) as again:  # nothing left to apply
        assert again.status().migrations == (*RELEASED, "0002_test_ticket_note")


def test_a_store_from_a_newer_dolisync_is_refused(persistent_url: str) -> None:
    with Store.open(persistent_url, migrations=NEWER):
        pass

    with pytest.raises(SchemaTooNew, match="0002_test_ticket_note") as caught:
        Store.open(persistent_url)

    assert caught.value.hint is not None
    assert "upgrade dolisync" in caught.value.hint
    assert isinstance(caught.value, StoreError)


def test_a_failing_migration_leaves_no_trace(persistent_url: str) -> None:
    broken = (*MIGRATIONS, Migration("0002_test_broken", create_then_fail))

    with pytest.raises(RuntimeError, match="halfway"):
        Store.open(persistent_url, migrations=broken)

    assert "half_done" not in table_names(persistent_url)
    with Store.open(persistent_url) as store:  # the released steps stayed applied
        assert store.status().migrations == RELEASED


def test_migrations_build_the_schema_the_code_declares(persistent_url: str) -> None:
    with fresh_store(persistent_url):
        engine = create_engine(persistent_url)
        try:
            inspector = inspect(engine)
            assert set(inspector.get_table_names()) == set(METADATA.tables)
            for name, declared in METADATA.tables.items():
                columns = {c["name"]: c for c in inspector.get_columns(name)}
                assert list(columns) == [c.name for c in declared.columns], name
                for column in declared.columns:
                    found = columns[column.name]
                    assert found["nullable"] == column.nullable, (name, column.name)
                    assert found["type"]._type_affinity is column.type._type_affinity, (
                        name,
                        column.name,
                    )
                primary = inspector.get_pk_constraint(name)["constrained_columns"]
                assert primary == [c.name for c in declared.primary_key], name
                indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(name)}
                assert indexes == {i.name: [c.name for c in i.columns] for i in declared.indexes}, (
                    name
                )
                keys = {k["name"] for k in inspector.get_foreign_keys(name)}
                assert keys == {k.name for k in declared.foreign_key_constraints}, name
        finally:
            engine.dispose()


@pytest.mark.parametrize(
    ("record_type", "table_name"),
    [
        (Ticket, "tickets"),
        (Message, "ticket_messages"),
        (Intervention, "interventions"),
        (InterventionLine, "intervention_lines"),
        (ThirdParty, "thirdparties"),
        (User, "users"),
    ],
)
def test_every_record_field_has_a_column(record_type: type[Record], table_name: str) -> None:
    fields = {f.name for f in dataclasses.fields(record_type)} - {"raw"}
    # an intervention's lines and links live in their own tables
    fields -= {"lines", "linked_ticket_ids"}
    columns = set(METADATA.tables[table_name].columns.keys())
    assert fields <= columns
    assert columns - fields <= {"raw", "synced_at", "deleted_at", "links_known"}
