"""What a person may do to one queued action: look at it, retry it, skip it.

What this module knows: which states allow which move, and why the others are refused:

* retry: a ``failed``, ``dead``, ``obsolete`` or ``skipped`` action goes back to ``pending``
  with a fresh attempt count. Retrying is always safe: the dispatcher looks in Dolibarr for
  the object before any create;
* skip: a ``pending``, ``failed`` or ``dead`` action becomes ``skipped`` and is never sent.
  A ``sent`` one is refused: its write may have reached Dolibarr, and the next cycle will
  find out;
* ``verified`` is done and ``planned`` belongs to a dry run: neither moves.
"""

from __future__ import annotations

from typing import Any, Final

from dolisync.errors import UserError
from dolisync.outbox.keys import intervention_marker, message_marker
from dolisync.store import Store
from dolisync.store.outbox import OutboxItem

RETRYABLE: Final = frozenset({"failed", "dead", "obsolete", "skipped"})
SKIPPABLE: Final = frozenset({"pending", "failed", "dead"})
LIST_HINT: Final = "see `dolisync actions list`"


def find(store: Store, item_id: int) -> OutboxItem:
    item = store.outbox.get(item_id)
    if item is None:
        raise UserError(f"there is no action #{item_id}", hint=LIST_HINT)
    return item


def retry(store: Store, item_id: int, *, at: float) -> OutboxItem:
    """Queue the action again (``UserError`` when its state does not allow it)."""
    item = find(store, item_id)
    if item.state not in RETRYABLE:
        raise UserError(f"action #{item_id} is {item.state}: {_why_not(item.state)}")
    queued = store.outbox.update(
        item_id, at=at, only_from=RETRYABLE, state="pending", attempts=0, next_try_at=None,
        done_at=None,
    )  # fmt: skip
    return _moved(store, item_id, done=queued)


def skip(store: Store, item_id: int, *, at: float) -> OutboxItem:
    """Never send the action (``UserError`` when its state does not allow it)."""
    item = find(store, item_id)
    if item.state not in SKIPPABLE:
        raise UserError(f"action #{item_id} is {item.state}: {_why_not(item.state)}")
    skipped = store.outbox.update(
        item_id, at=at, only_from=SKIPPABLE, state="skipped", next_try_at=None, done_at=at
    )
    return _moved(store, item_id, done=skipped)


def _moved(store: Store, item_id: int, *, done: bool) -> OutboxItem:
    """The item after a change; when the service moved it first, say what it is now."""
    item = find(store, item_id)
    if not done:
        raise UserError(f"action #{item_id} became {item.state} meanwhile: {_why_not(item.state)}")
    return item


def _why_not(state: str) -> str:
    reasons = {
        "verified": "it is done and checked; nothing to change",
        "planned": "it was planned by a dry run and is never sent",
        "pending": "it is already queued",
        "sent": "its write may have reached Dolibarr; the next cycle looks for it and "
        "records the outcome, then it can be retried or skipped",
    }
    return reasons.get(state, "this cannot be done in that state")


def marker(item: OutboxItem) -> str | None:
    """The mark the action leaves in Dolibarr (how a person finds its object)."""
    if item.kind == "create_intervention":
        return intervention_marker(item.key)
    if item.kind == "post_message":
        return message_marker(item.key)
    return None


def item_to_dict(item: OutboxItem) -> dict[str, Any]:
    """Everything stored about an action, JSON-ready (no secret is ever stored)."""
    return {
        "id": item.id,
        "state": item.state,
        "kind": item.kind,
        "rule": item.rule_name,
        "source": item.source,
        "ticket_id": item.ticket_id,
        "action_index": item.action_index,
        "key": item.key,
        "marker": marker(item),
        "dry_run": item.dry_run,
        "attempts": item.attempts,
        "next_try_at": item.next_try_at,
        "last_error": item.last_error,
        "object_id": item.object_id,
        "params": item.params,
        "request": item.request,
        "answer": item.answer,
        "result": item.result,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "sent_at": item.sent_at,
        "done_at": item.done_at,
    }
