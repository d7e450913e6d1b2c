"""Migration 0002: write-back. The outbox, the rule firings, the rules' change-log cursor, and
``change_log.origin`` (which tells the re-read of dolisync's own write from Dolibarr's news).

Frozen as released, like 0001: built here, never from ``outbox_tables.py``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)

NAME = "0002_outbox"


def _int(name: str, *, required: bool = False) -> Column[object]:
    return Column(name, BigInteger, nullable=not required)


def _text(name: str, *, required: bool = False) -> Column[object]:
    return Column(name, Text, nullable=not required)


def _tables(metadata: MetaData) -> None:
    Table(
        "outbox", metadata,
        Column(
            "id", BigInteger().with_variant(Integer(), "sqlite"),
            primary_key=True, autoincrement=True,
        ),
        _text("key", required=True), _text("source", required=True),
        _int("ticket_id", required=True), _text("rule_name", required=True),
        _text("firing_key", required=True), _int("action_index", required=True),
        _text("kind", required=True), _text("params", required=True),
        _text("state", required=True), Column("dry_run", Boolean, nullable=False),
        _int("attempts", required=True), Column("next_try_at", Float, nullable=True),
        _text("last_error"), _int("evaluated_seq", required=True), _int("ticket_version"),
        _int("object_id"), _text("request"), _text("answer"), _text("result"),
        Column("created_at", Float, nullable=False), Column("updated_at", Float, nullable=False),
        Column("sent_at", Float, nullable=True), Column("done_at", Float, nullable=True),
        Index("ix_outbox_key", "key", unique=True),
        Index("ix_outbox_state", "state", "next_try_at"),
        Index("ix_outbox_ticket", "source", "ticket_id"),
        Index("ix_outbox_firing", "firing_key"),
        sqlite_autoincrement=True,
    )  # fmt: skip
    Table(
        "rule_firings", metadata,
        Column("key", Text, primary_key=True, autoincrement=False),
        _text("source", required=True), _int("ticket_id", required=True),
        _text("rule_name", required=True), _text("ruleset_hash", required=True),
        _text("trigger", required=True), _text("trigger_version"), _int("message_id"),
        _text("actions", required=True), Column("dry_run", Boolean, nullable=False),
        Column("at", Float, nullable=False),
        Index("ix_rule_firings_ticket", "source", "ticket_id"),
    )  # fmt: skip
    Table(
        "rule_cursor", metadata,
        Column("source", Text, primary_key=True, autoincrement=False),
        Column("mode", Text, primary_key=True, autoincrement=False),
        _int("last_seq", required=True), Column("updated_at", Float, nullable=False),
    )  # fmt: skip


def apply(conn: Connection) -> None:
    """Create the write-back tables and tag every existing change as read from Dolibarr."""
    metadata = MetaData()
    _tables(metadata)
    metadata.create_all(conn)
    conn.execute(text("ALTER TABLE change_log ADD COLUMN origin TEXT NOT NULL DEFAULT 'sync'"))
