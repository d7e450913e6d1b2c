"""The write-back state in the store: outbox items, rule firings and the rules' cursor.

What this module knows: how these rows are written and read, which items are due, and which
writes are atomic together. ``record_evaluation`` stores the firings, the new items and the
new cursor in ONE transaction, so a crash never loses an intent nor evaluates a change twice;
an item is inserted once (a duplicate key is dropped). Values go in and out as plain Python
(JSON columns are encoded here); the meaning of states belongs to ``dolisync.outbox``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from dolisync.store.codec import MESSAGES, USERS, dump_json, storable
from dolisync.store.dialect import chunks, upsert
from dolisync.store.outbox_tables import FiringRow, OutboxRow, RuleCursorRow
from dolisync.store.tables import ChangeLogRow, table

_OUTBOX = table(OutboxRow)
_FIRINGS = table(FiringRow)
_CURSOR = table(RuleCursorRow)
_LOG = table(ChangeLogRow)

# states an item may still move out of by itself (the dispatcher looks at these)
OPEN_STATES = ("pending", "sent", "failed")
JSON_COLUMNS = ("params", "request", "answer", "result")

Connect = Callable[[], AbstractContextManager[Connection]]


@dataclass(frozen=True, slots=True, kw_only=True)
class NewItem:
    """An intended action to queue."""

    key: str
    source: str
    ticket_id: int
    rule_name: str
    firing_key: str
    action_index: int
    kind: str
    params: Mapping[str, Any]
    evaluated_seq: int
    ticket_version: int | None
    dry_run: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FiringRecord:
    """A rule fired on a ticket, as the audit log keeps it."""

    key: str
    source: str
    ticket_id: int
    rule_name: str
    ruleset_hash: str
    trigger: str
    trigger_version: str | None
    actions: Sequence[Mapping[str, Any]]
    at: float
    message_id: int | None = None
    dry_run: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxItem:
    """One outbox row; JSON columns decoded (``None`` when never set)."""

    id: int
    key: str
    source: str
    ticket_id: int
    rule_name: str
    firing_key: str
    action_index: int
    kind: str
    params: Mapping[str, Any]
    state: str
    dry_run: bool
    attempts: int
    next_try_at: float | None
    last_error: str | None
    evaluated_seq: int
    ticket_version: int | None
    object_id: int | None
    request: Any
    answer: Any
    result: Any
    created_at: float
    updated_at: float
    sent_at: float | None
    done_at: float | None


class OutboxStore:
    """Write-back rows of one store; every method is one transaction."""

    def __init__(self, read: Connect, write: Connect) -> None:
        self._read = read
        self._write = write

    # -- the rules' cursor and firings -------------------------------------------------

    def cursor(self, source: str, mode: str) -> int | None:
        """The last change-log seq the rules evaluated, None before the first evaluation."""
        query = select(_CURSOR.c.last_seq).where(_CURSOR.c.source == source, _CURSOR.c.mode == mode)
        with self._read() as conn:
            value = conn.scalar(query)
        return None if value is None else int(value)

    def fired_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these firing keys are recorded."""
        wanted = sorted(set(keys))
        found: set[str] = set()
        with self._read() as conn:
            for part in chunks(wanted):  # type: ignore[arg-type]
                query = select(_FIRINGS.c.key).where(_FIRINGS.c.key.in_(part))
                found.update(conn.scalars(query))
        return found

    def record_evaluation(
        self,
        source: str,
        mode: str,
        *,
        firings: Sequence[FiringRecord],
        items: Sequence[NewItem],
        cursor: int | None,
        at: float,
    ) -> list[str]:
        """Store firings and items and move the cursor (unless None), atomically; the item
        keys inserted now (keys already queued are dropped, never updated)."""
        with self._write() as conn:
            if firings:
                upsert(conn, _FIRINGS, [_firing_row(firing) for firing in firings], ("key",))
            inserted = _insert_new(conn, items, at)
            if cursor is not None:
                row = {"source": source, "mode": mode, "last_seq": cursor, "updated_at": at}
                upsert(conn, _CURSOR, [row], ("source", "mode"))
        return inserted

    def firings(self, *, source: str | None = None, limit: int = 100) -> list[FiringRecord]:
        """The newest firings first."""
        query = select(_FIRINGS).order_by(_FIRINGS.c.at.desc()).limit(limit)
        if source is not None:
            query = query.where(_FIRINGS.c.source == source)
        with self._read() as conn:
            return [_firing(row._mapping) for row in conn.execute(query)]

    def firing(self, key: str) -> FiringRecord | None:
        with self._read() as conn:
            row = conn.execute(select(_FIRINGS).where(_FIRINGS.c.key == key)).first()
        return None if row is None else _firing(row._mapping)

    # -- items ---------------------------------------------------------------------------

    def due(self, source: str, *, now: float, limit: int = 1000) -> list[OutboxItem]:
        """Live items to work on, oldest first: pending, sent (an interrupted write to
        recover) and failed ones whose retry time has come."""
        columns = _OUTBOX.c
        ready = or_(columns.next_try_at.is_(None), columns.next_try_at <= now)
        query = (
            select(_OUTBOX)
            .where(
                columns.source == source,
                columns.dry_run.is_(False),
                columns.state.in_(OPEN_STATES),
                or_(columns.state == "sent", ready),
            )
            .order_by(columns.id)
            .limit(limit)
        )
        with self._read() as conn:
            return [_item(row._mapping) for row in conn.execute(query)]

    def get(self, item_id: int) -> OutboxItem | None:
        with self._read() as conn:
            row = conn.execute(select(_OUTBOX).where(_OUTBOX.c.id == item_id)).first()
        return None if row is None else _item(row._mapping)

    def of_firing(self, firing_key: str) -> list[OutboxItem]:
        """The items of one firing, in action order."""
        query = (
            select(_OUTBOX)
            .where(_OUTBOX.c.firing_key == firing_key)
            .order_by(_OUTBOX.c.action_index, _OUTBOX.c.id)
        )
        with self._read() as conn:
            return [_item(row._mapping) for row in conn.execute(query)]

    def items(
        self,
        *,
        states: Sequence[str] | None = None,
        source: str | None = None,
        ticket_id: int | None = None,
        limit: int = 100,
    ) -> list[OutboxItem]:
        """Items, newest first, optionally narrowed."""
        query = select(_OUTBOX).order_by(_OUTBOX.c.id.desc()).limit(limit)
        if states:
            query = query.where(_OUTBOX.c.state.in_(list(states)))
        if source is not None:
            query = query.where(_OUTBOX.c.source == source)
        if ticket_id is not None:
            query = query.where(_OUTBOX.c.ticket_id == ticket_id)
        with self._read() as conn:
            return [_item(row._mapping) for row in conn.execute(query)]

    def counts(self, source: str | None = None) -> dict[str, int]:
        """Items per state."""
        query = select(_OUTBOX.c.state, func.count()).group_by(_OUTBOX.c.state)
        if source is not None:
            query = query.where(_OUTBOX.c.source == source)
        with self._read() as conn:
            return {state: int(count) for state, count in conn.execute(query)}

    def update(
        self, item_id: int, *, at: float, only_from: Collection[str] | None = None, **values: Any
    ) -> bool:
        """Set columns of one item (JSON columns given as Python values). With ``only_from``,
        only while the item is in one of those states: False when it was not (someone else
        moved it first), so a check-then-write cannot overwrite another's decision."""
        with self._write() as conn:
            return _update(conn, item_id, at, values, only_from=only_from)

    def mark_sent(
        self, item_id: int, *, at: float, request: Any, seen_state: str, seen_attempts: int
    ) -> bool:
        """Committed BEFORE the write is sent: one more attempt, state ``sent``.

        Only if the item is still as the dispatcher read it (``seen_state``,
        ``seen_attempts``): False when it changed meanwhile (skipped by `dolisync actions
        skip`, or taken by another dispatcher), and then nothing may be sent. A crash between
        this and the recorded answer leaves the item ``sent``, which the next dispatch
        recovers by looking for the written object first.
        """
        columns = _OUTBOX.c
        with self._write() as conn:
            changed = conn.execute(
                update(_OUTBOX)
                .where(
                    columns.id == item_id,
                    columns.state == seen_state,
                    columns.attempts == seen_attempts,
                )
                .values(
                    state="sent",
                    attempts=columns.attempts + 1,
                    sent_at=at,
                    updated_at=at,
                    request=None if request is None else dump_json(request),
                )
            )
            return bool(changed.rowcount)

    def writes_since(self, source: str, ticket_id: int, since: float) -> int:
        """Items of this ticket sent (written or attempted) at or after ``since``."""
        columns = _OUTBOX.c
        query = select(func.count()).where(
            columns.source == source,
            columns.ticket_id == ticket_id,
            columns.dry_run.is_(False),
            columns.sent_at >= since,
        )
        with self._read() as conn:
            return int(conn.scalar(query) or 0)

    # -- what the conflict check and the rules' driver read from the mirror ------------------

    def changed_by_others(self, source: str, ticket_id: int, after_seq: int) -> bool:
        """Whether the change log holds a change of this ticket, read from Dolibarr (not the
        re-read of our own write), after ``after_seq``."""
        query = (
            select(_LOG.c.seq)
            .where(
                and_(
                    _LOG.c.seq > after_seq,
                    _LOG.c.source == source,
                    _LOG.c.entity == "tickets",
                    _LOG.c.object_id == ticket_id,
                    _LOG.c.origin != "dolisync",
                )
            )
            .limit(1)
        )
        with self._read() as conn:
            return conn.scalar(query) is not None

    def user_by_login(self, source: str, login: str) -> int | None:
        """The id of the mirrored, active user with this login (exact match), or None."""
        columns = USERS.table.c
        query = select(columns.id).where(
            columns.source == source, columns.login == login, columns.deleted_at.is_(None)
        )
        with self._read() as conn:
            value = conn.scalar(query.order_by(columns.id).limit(1))
        return None if value is None else int(value)

    def message_tickets(self, source: str, message_ids: Iterable[int]) -> dict[int, int]:
        """message id -> ticket id, for mirrored messages (deleted ones too)."""
        columns = MESSAGES.table.c
        found: dict[int, int] = {}
        with self._read() as conn:
            for part in chunks(sorted(set(message_ids))):
                query = select(columns.id, columns.ticket_id).where(
                    columns.source == source, columns.id.in_(part)
                )
                found.update((int(row[0]), int(row[1])) for row in conn.execute(query))
        return found


# -- rows <-> values ------------------------------------------------------------------------


def _insert_new(conn: Connection, items: Sequence[NewItem], at: float) -> list[str]:
    keys = [item.key for item in items]
    existing: set[str] = set()
    for part in chunks(keys):  # type: ignore[arg-type]
        existing.update(conn.scalars(select(_OUTBOX.c.key).where(_OUTBOX.c.key.in_(part))))
    fresh: dict[str, NewItem] = {}
    for item in items:
        if item.key not in existing:
            fresh.setdefault(item.key, item)
    if fresh:
        conn.execute(insert(_OUTBOX), [_item_row(item, at) for item in fresh.values()])
    return list(fresh)


def _item_row(item: NewItem, at: float) -> dict[str, Any]:
    return {
        "key": item.key,
        "source": item.source,
        "ticket_id": item.ticket_id,
        "rule_name": item.rule_name,
        "firing_key": item.firing_key,
        "action_index": item.action_index,
        "kind": item.kind,
        "params": dump_json(item.params),
        "state": "planned" if item.dry_run else "pending",
        "dry_run": item.dry_run,
        "attempts": 0,
        "evaluated_seq": item.evaluated_seq,
        "ticket_version": item.ticket_version,
        "created_at": at,
        "updated_at": at,
    }


def _update(
    conn: Connection,
    item_id: int,
    at: float,
    values: Mapping[str, Any],
    *,
    only_from: Collection[str] | None = None,
) -> bool:
    # text as every store column keeps it (a last_error may quote Dolibarr, NUL included)
    row = {name: storable(value) for name, value in values.items()}
    for name in JSON_COLUMNS:
        if name in values and values[name] is not None:
            row[name] = dump_json(values[name])  # JSON escapes what text could not hold
    row["updated_at"] = at
    query = update(_OUTBOX).where(_OUTBOX.c.id == item_id)
    if only_from is not None:
        query = query.where(_OUTBOX.c.state.in_(list(only_from)))
    return bool(conn.execute(query.values(**row)).rowcount)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _item(row: Mapping[Any, Any]) -> OutboxItem:
    values = dict(row)
    for name in JSON_COLUMNS:
        values[name] = _loads(values[name])
    values["params"] = values["params"] or {}
    values["dry_run"] = bool(values["dry_run"])
    return OutboxItem(**values)


def _firing_row(firing: FiringRecord) -> dict[str, Any]:
    return {
        "key": firing.key,
        "source": firing.source,
        "ticket_id": firing.ticket_id,
        "rule_name": firing.rule_name,
        "ruleset_hash": firing.ruleset_hash,
        "trigger": firing.trigger,
        "trigger_version": firing.trigger_version,
        "message_id": firing.message_id,
        "actions": dump_json(list(firing.actions)),
        "dry_run": firing.dry_run,
        "at": firing.at,
    }


def _firing(row: Mapping[Any, Any]) -> FiringRecord:
    return FiringRecord(
        key=row["key"],
        source=row["source"],
        ticket_id=row["ticket_id"],
        rule_name=row["rule_name"],
        ruleset_hash=row["ruleset_hash"],
        trigger=row["trigger"],
        trigger_version=row["trigger_version"],
        message_id=row["message_id"],
        actions=json.loads(row["actions"]),
        at=row["at"],
        dry_run=bool(row["dry_run"]),
    )
