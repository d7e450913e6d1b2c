"""The write-back tables as SQLModel classes: the outbox, the rule firings, the rules' cursor.

Created by migration 0002 (``migrations/m0002_outbox.py``); a test checks that the migrated
database matches these classes. JSON columns hold compact JSON text. Times are epochs (float).
Nothing here ever holds the API key: requests are stored as the method, the path and the body.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, Text
from sqlmodel import Field

from dolisync.store.tables import StoreModel


def _serial() -> Any:
    # AUTOINCREMENT: an action id shown by `dolisync actions` must never be reused
    return Field(
        default=None,
        primary_key=True,
        sa_type=BigInteger().with_variant(Integer(), "sqlite"),
        sa_column_kwargs={"autoincrement": True},
    )


def _key(kind: Any = Text) -> Any:
    return Field(primary_key=True, sa_type=kind, sa_column_kwargs={"autoincrement": False})


def _int(default: int | None = None) -> Any:
    return Field(default=default, sa_type=BigInteger, nullable=default is None)


def _text(default: str | None = None) -> Any:
    return Field(default=default, sa_type=Text, nullable=default is None)


def _time() -> Any:
    return Field(default=None, sa_type=Float, nullable=True)


class OutboxRow(StoreModel, table=True):
    """One intended action, from "pending" to "verified" (or "dead", "obsolete", "skipped").

    ``key`` is the action's idempotency key (dry-run rows: ``dry:<key>``), unique: the same
    action is never queued twice. ``evaluated_seq`` is the change-log position the intent was
    computed at; ``ticket_version`` the ticket's ``modified_at`` then (the conflict check).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_key", "key", unique=True),
        Index("ix_outbox_state", "state", "next_try_at"),
        Index("ix_outbox_ticket", "source", "ticket_id"),
        Index("ix_outbox_firing", "firing_key"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = _serial()
    key: str = Field(sa_type=Text)
    source: str = Field(sa_type=Text)
    ticket_id: int = Field(sa_type=BigInteger)
    rule_name: str = Field(sa_type=Text)
    firing_key: str = Field(sa_type=Text)
    action_index: int = _int(0)
    kind: str = Field(sa_type=Text)
    params: str = _text("{}")
    state: str = _text("pending")
    dry_run: bool = Field(default=False, sa_type=Boolean, nullable=False)
    attempts: int = _int(0)
    next_try_at: float | None = _time()
    last_error: str | None = _text()
    evaluated_seq: int = _int(0)
    ticket_version: int | None = _int()
    object_id: int | None = _int()
    request: str | None = _text()
    answer: str | None = _text()
    result: str | None = _text()
    created_at: float = Field(sa_type=Float)
    updated_at: float = Field(sa_type=Float)
    sent_at: float | None = _time()
    done_at: float | None = _time()


class FiringRow(StoreModel, table=True):
    """A rule fired on a ticket: the audit log, and "this rule already fired here"."""

    __tablename__ = "rule_firings"
    __table_args__ = (Index("ix_rule_firings_ticket", "source", "ticket_id"),)

    key: str = _key()  # the firing key (dry-run firings: dry:<key>)
    source: str = Field(sa_type=Text)
    ticket_id: int = Field(sa_type=BigInteger)
    rule_name: str = Field(sa_type=Text)
    ruleset_hash: str = Field(sa_type=Text)
    trigger: str = Field(sa_type=Text)
    trigger_version: str | None = _text()
    message_id: int | None = _int()  # the message behind a ticket.message trigger
    actions: str = _text("[]")
    dry_run: bool = Field(default=False, sa_type=Boolean, nullable=False)
    at: float = Field(sa_type=Float)


class RuleCursorRow(StoreModel, table=True):
    """How far the rules have read the change log, per source and mode ("live" or "dry")."""

    __tablename__ = "rule_cursor"

    source: str = _key()
    mode: str = _key()
    last_seq: int = _int(0)
    updated_at: float = Field(sa_type=Float)
