"""Migration 0001: the first schema, frozen as it was released.

Deliberately not built from ``tables.py``: later migrations evolve the tables from THIS
shape, so it must never change. (A test checks that all migrations together give the
schema ``tables.py`` declares.)
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

NAME = "0001_initial"


def _key(name: str, kind: type[Text] | type[BigInteger] = BigInteger) -> Column[object]:
    return Column(name, kind, primary_key=True, autoincrement=False)


def _int(name: str, *, required: bool = False) -> Column[object]:
    return Column(name, BigInteger, nullable=not required)


def _text(name: str, *, required: bool = False) -> Column[object]:
    return Column(name, Text, nullable=not required)


def _mirror_tail(*, deletable: bool = True) -> list[Column[object]]:
    tail: list[Column[object]] = [
        Column("raw", Text, nullable=False),
        Column("synced_at", Float, nullable=False),
    ]
    if deletable:
        tail.append(Column("deleted_at", Float, nullable=True))
    return tail


def _tables(metadata: MetaData) -> None:
    Table(
        "tickets", metadata,
        _key("source", Text), _key("id"),
        _text("ref", required=True), _text("track_id", required=True),
        _text("subject", required=True), _text("message", required=True),
        _int("status", required=True),
        _text("type_code"), _text("category_code"), _text("severity_code"),
        _int("socid"), _int("project_id"), _int("assigned_user_id"), _int("author_user_id"),
        _int("progress"), _text("origin_email"),
        _int("created_at"), _int("read_at"), _int("closed_at"), _int("last_msg_at"),
        _int("modified_at"),
        *_mirror_tail(),
        Index("ix_tickets_status", "source", "status"),
        Index("ix_tickets_modified_at", "source", "modified_at"),
        Index("ix_tickets_socid", "source", "socid"),
        Index("ix_tickets_ref", "source", "ref"),
        Index("ix_tickets_track_id", "source", "track_id"),
    )  # fmt: skip
    Table(
        "ticket_messages", metadata,
        _key("source", Text), _key("id"),
        _int("ticket_id", required=True), _text("code", required=True),
        Column("private", Boolean, nullable=False),
        _text("text", required=True), _text("label", required=True),
        _int("author_user_id"), _int("created_at"),
        *_mirror_tail(),
        Index("ix_ticket_messages_ticket", "source", "ticket_id"),
    )  # fmt: skip
    Table(
        "interventions", metadata,
        _key("source", Text), _key("id"),
        _text("ref", required=True), _text("ref_client"),
        _int("socid"), _int("project_id"), _int("status", required=True),
        _text("description", required=True), _int("duration", required=True),
        _int("author_user_id"), _int("created_at"), _int("validated_at"), _int("modified_at"),
        Column("links_known", Boolean, nullable=False),
        *_mirror_tail(),
        Index("ix_interventions_modified_at", "source", "modified_at"),
        Index("ix_interventions_socid", "source", "socid"),
    )  # fmt: skip
    Table(
        "intervention_lines", metadata,
        _key("source", Text), _key("id"),
        _int("intervention_id", required=True), _text("description", required=True),
        _int("date"), _int("duration", required=True), _int("rank", required=True),
        *_mirror_tail(deletable=False),
        Index("ix_intervention_lines_intervention", "source", "intervention_id"),
        ForeignKeyConstraint(
            ["source", "intervention_id"], ["interventions.source", "interventions.id"],
            name="fk_intervention_lines_intervention", ondelete="CASCADE",
        ),
    )  # fmt: skip
    Table(
        "ticket_intervention_links", metadata,
        _key("source", Text), _key("ticket_id"), _key("intervention_id"),
        Index("ix_links_intervention", "source", "intervention_id", "ticket_id"),
    )  # fmt: skip
    Table(
        "thirdparties", metadata,
        _key("source", Text), _key("id"),
        _text("name", required=True), _text("name_alias"), _text("code_client"),
        _text("email"), _text("phone"), _text("town"), _text("country_code"),
        _int("status", required=True), _int("client", required=True), _int("modified_at"),
        *_mirror_tail(),
    )  # fmt: skip
    Table(
        "users", metadata,
        _key("source", Text), _key("id"),
        _text("login", required=True), _text("firstname"), _text("lastname"), _text("email"),
        Column("active", Boolean, nullable=False), Column("admin", Boolean, nullable=False),
        _int("modified_at"),
        *_mirror_tail(),
    )  # fmt: skip
    Table(
        "sync_state", metadata,
        _key("source", Text), _key("entity", Text),
        _int("cursor_modified_at"), _int("cursor_last_id"),
        Column("last_sync_at", Float), Column("last_full_sync_at", Float),
        _text("last_error"), Column("last_error_at", Float),
    )  # fmt: skip
    Table(
        "instances", metadata,
        _key("source", Text),
        _text("url"), _text("dolibarr_version"), _text("timezone"), _int("utc_offset"),
        Column("probed_at", Float),
    )  # fmt: skip
    Table(
        "change_log", metadata,
        Column(
            "seq", BigInteger().with_variant(Integer(), "sqlite"),
            primary_key=True, autoincrement=True,
        ),
        _text("source", required=True), _text("entity", required=True),
        _int("object_id", required=True), _text("kind", required=True),
        _text("changes", required=True), Column("at", Float, nullable=False),
        Index("ix_change_log_object", "source", "entity", "object_id"),
        sqlite_autoincrement=True,
    )  # fmt: skip


def apply(conn: Connection) -> None:
    """Create every table of the first schema."""
    metadata = MetaData()
    _tables(metadata)
    metadata.create_all(conn)
