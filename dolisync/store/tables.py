"""The current schema as SQLModel table classes: what the code reads and writes.

Migrations create and evolve the real tables (``migrations/``); a test checks that the
migrated database matches these classes. Rows are written through SQLAlchemy Core on
``table(Model)``, never one ORM object per row.

Mirror tables carry one column per typed field of the matching record in
``dolisync.records``, keyed by ``(source, id)``, plus ``raw`` (the object's JSON text),
``synced_at`` (when the row's content was last written) and ``deleted_at`` (set when a full
resync no longer finds the object; the row is kept). Times are epochs: ints as Dolibarr
gives them, floats where dolisync measures them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKeyConstraint, Index, Integer, Table, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class StoreModel(SQLModel, registry=registry()):
    """Base of the store's tables: their own metadata, apart from any other SQLModel user."""


def table(model: type[SQLModel]) -> Table:
    """The Core table of a table model (SQLModel does not declare ``__table__`` for typing)."""
    found: Table = model.__table__  # type: ignore[attr-defined]
    return found


def _key(kind: Any = BigInteger) -> Any:
    return Field(primary_key=True, sa_type=kind, sa_column_kwargs={"autoincrement": False})


def _int(default: int | None = None) -> Any:
    return Field(default=default, sa_type=BigInteger, nullable=default is None)


def _text(default: str | None = None) -> Any:
    return Field(default=default, sa_type=Text, nullable=default is None)


def _flag(default: bool) -> Any:
    return Field(default=default, sa_type=Boolean, nullable=False)


def _time() -> Any:
    return Field(default=None, sa_type=Float, nullable=True)


class TicketRow(StoreModel, table=True):
    __tablename__ = "tickets"
    # by ref only (find_ticket): every other read goes by id or through the whole table, and
    # an index on a scattered key (track_id, socid...) makes every bulk load slower (0003)
    __table_args__ = (Index("ix_tickets_ref", "source", "ref"),)

    source: str = _key(Text)
    id: int = _key()
    ref: str = Field(sa_type=Text)
    track_id: str = Field(sa_type=Text)
    subject: str = Field(sa_type=Text)
    message: str = _text("")
    status: int = _int(0)
    type_code: str | None = _text()
    category_code: str | None = _text()
    severity_code: str | None = _text()
    socid: int | None = _int()
    project_id: int | None = _int()
    assigned_user_id: int | None = _int()
    author_user_id: int | None = _int()
    progress: int | None = _int()
    origin_email: str | None = _text()
    created_at: int | None = _int()
    read_at: int | None = _int()
    closed_at: int | None = _int()
    last_msg_at: int | None = _int()
    modified_at: int | None = _int()
    raw: str = Field(sa_type=Text)
    synced_at: float = Field(sa_type=Float)
    deleted_at: float | None = _time()


class MessageRow(StoreModel, table=True):
    __tablename__ = "ticket_messages"
    __table_args__ = (Index("ix_ticket_messages_ticket", "source", "ticket_id"),)

    source: str = _key(Text)
    id: int = _key()
    ticket_id: int = Field(sa_type=BigInteger)
    code: str = Field(sa_type=Text)
    private: bool = Field(sa_type=Boolean)
    text: str = _text("")
    label: str = _text("")
    author_user_id: int | None = _int()
    created_at: int | None = _int()
    raw: str = Field(sa_type=Text)
    synced_at: float = Field(sa_type=Float)
    deleted_at: float | None = _time()


class InterventionRow(StoreModel, table=True):
    __tablename__ = "interventions"
    __table_args__ = (
        Index("ix_interventions_modified_at", "source", "modified_at"),
        Index("ix_interventions_socid", "source", "socid"),
    )

    source: str = _key(Text)
    id: int = _key()
    ref: str = Field(sa_type=Text)
    ref_client: str | None = _text()
    socid: int | None = _int()
    project_id: int | None = _int()
    status: int = _int(0)
    description: str = _text("")
    duration: int = _int(0)
    author_user_id: int | None = _int()
    created_at: int | None = _int()
    validated_at: int | None = _int()
    modified_at: int | None = _int()
    # False until a page carried the intervention's ticket links (list items never do)
    links_known: bool = _flag(False)
    raw: str = Field(sa_type=Text)
    synced_at: float = Field(sa_type=Float)
    deleted_at: float | None = _time()


class InterventionLineRow(StoreModel, table=True):
    """Lines are replaced with their intervention, never marked deleted."""

    __tablename__ = "intervention_lines"
    __table_args__ = (
        Index("ix_intervention_lines_intervention", "source", "intervention_id"),
        ForeignKeyConstraint(
            ["source", "intervention_id"],
            ["interventions.source", "interventions.id"],
            name="fk_intervention_lines_intervention",
            ondelete="CASCADE",
        ),
    )

    source: str = _key(Text)
    id: int = _key()
    intervention_id: int = Field(sa_type=BigInteger)
    description: str = _text("")
    date: int | None = _int()
    duration: int = _int(0)
    rank: int = _int(0)
    raw: str = Field(sa_type=Text)
    synced_at: float = Field(sa_type=Float)


class TicketInterventionLink(StoreModel, table=True):
    """No foreign keys: a link may name a ticket the mirror has not fetched yet."""

    __tablename__ = "ticket_intervention_links"
    __table_args__ = (Index("ix_links_intervention", "source", "intervention_id", "ticket_id"),)

    source: str = _key(Text)
    ticket_id: int = _key()
    intervention_id: int = _key()


class ThirdPartyRow(StoreModel, table=True):
    __tablename__ = "thirdparties"

    source: str = _key(Text)
    id: int = _key()
    name: str = Field(sa_type=Text)
    name_alias: str | None = _text()
    code_client: str | None = _text()
    email: str | None = _text()
    phone: str | None = _text()
    town: str | None = _text()
    country_code: str | None = _text()
    status: int = _int(1)
    client: int = _int(0)
    modified_at: int | None = _int()
    raw: str = Field(sa_type=Text)
    synced_at: float = Field(sa_type=Float)
    deleted_at: float | None = _time()


class UserRow(StoreModel, table=True):
    __tablename__ = "users"

    source: str = _key(Text)
    id: int = _key()
    login: str = Field(sa_type=Text)
    firstname: str | None = _text()
    lastname: str | None = _text()
    email: str | None = _text()
    active: bool = _flag(True)
    admin: bool = _flag(False)
    modified_at: int | None = _int()
    raw: str = Field(sa_type=Text)
    synced_at: float = Field(sa_type=Float)
    deleted_at: float | None = _time()


class SyncStateRow(StoreModel, table=True):
    """Per (source, entity): the cursor and the outcome of the last runs."""

    __tablename__ = "sync_state"

    source: str = _key(Text)
    entity: str = _key(Text)
    cursor_modified_at: int | None = _int()
    cursor_last_id: int | None = _int()
    last_sync_at: float | None = _time()
    last_full_sync_at: float | None = _time()
    last_error: str | None = _text()
    last_error_at: float | None = _time()
    # set while a first load (a walk by id) is unfinished: its final cursor stays below this
    # row epoch, taken when its first attempt started (added by migration 0003)
    first_load_bound: int | None = _int()


class InstanceRow(StoreModel, table=True):
    """What probing a Dolibarr instance taught us. There is no column for the API key."""

    __tablename__ = "instances"

    source: str = _key(Text)
    url: str | None = _text()
    dolibarr_version: str | None = _text()
    timezone: str | None = _text()
    utc_offset: int | None = _int()
    probed_at: float | None = _time()


class ChangeLogRow(StoreModel, table=True):
    """Append-only; rules read it by ``seq``. ``changes`` is JSON ``{field: [old, new]}``."""

    __tablename__ = "change_log"
    # AUTOINCREMENT: SQLite must never reuse a seq, even after the log is pruned
    __table_args__ = (
        Index("ix_change_log_object", "source", "entity", "object_id"),
        {"sqlite_autoincrement": True},
    )

    seq: int | None = Field(
        default=None,
        primary_key=True,
        sa_type=BigInteger().with_variant(Integer(), "sqlite"),
        sa_column_kwargs={"autoincrement": True},
    )
    source: str = Field(sa_type=Text)
    entity: str = Field(sa_type=Text)
    object_id: int = Field(sa_type=BigInteger)
    kind: str = Field(sa_type=Text)
    changes: str = _text("{}")
    at: float = Field(sa_type=Float)
    # who caused it: "sync" (read from Dolibarr) or "dolisync" (the re-read of our own write,
    # which the rules' loop guard ignores); added by migration 0002
    origin: str = _text("sync")


class SchemaMigrationRow(StoreModel, table=True):
    """One row per applied migration, written in the migration's own transaction."""

    __tablename__ = "schema_migrations"

    name: str = _key(Text)
    applied_at: float = Field(sa_type=Float)


METADATA = StoreModel.metadata
