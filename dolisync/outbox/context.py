"""What every action executor works with: the client, the store, the clock, and one attempt.

What this module knows: how a write is recorded (``Attempt.write`` commits the item as
``sent`` BEFORE the first write leaves, then keeps the request and Dolibarr's answer for
``dolisync actions show``), how a re-read lands in the mirror tagged as dolisync's own
(``ActionContext.mirror``: the next sync then finds nothing new, and the rules' loop guard
knows the change came from us), and how views for re-evaluating a rule are built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from structlog.stdlib import BoundLogger

from dolisync.clock import Clock
from dolisync.dolibarr import DolibarrClient
from dolisync.outbox.outcomes import NotYetError, WithdrawnError
from dolisync.outbox.views import ticket_view
from dolisync.records import Entity, Record, Ticket
from dolisync.rules.engine import RuleSet
from dolisync.rules.view import TicketView
from dolisync.store import Store
from dolisync.store.outbox import OutboxItem
from dolisync.store.results import ChangeOrigin

T = TypeVar("T")


@dataclass(slots=True)
class ActionContext:
    """Shared by every action of one dispatch."""

    client: DolibarrClient
    store: Store
    source: str
    clock: Clock
    log: BoundLogger
    ruleset: RuleSet | None
    settle: float  # seconds an unanswered write may still be running in Dolibarr

    def now(self) -> float:
        return self.clock.now()

    def mirror(
        self, entity: Entity, records: Sequence[Record], *, origin: ChangeOrigin = "dolisync"
    ) -> None:
        """Apply re-read objects to the mirror at once (tagged as our own write by default)."""
        if records:
            self.store.apply_page(
                self.source, entity, records, position=None, synced_at=self.now(), origin=origin
            )

    def view(self, ticket: Ticket, message_id: int | None = None) -> TicketView:
        """The ticket with its customer, assignee and messages as the mirror has them."""
        return ticket_view(self.store, self.source, ticket, message_id)


@dataclass(slots=True)
class Attempt:
    """One try at one outbox item: its parameters, and every write it sends."""

    item: OutboxItem
    params: Mapping[str, Any]  # rendered: no template left
    mark_sent: Callable[[Mapping[str, Any]], bool]
    values: Mapping[str, str] = field(default_factory=dict)  # {intervention.*} of the firing
    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    marked: bool = False

    def write(
        self, method: str, path: str, body: Mapping[str, Any] | None, call: Callable[[], T]
    ) -> T:
        """Send one write: the item is committed ``sent`` before the first one leaves."""
        request = {"method": method, "path": path, "body": dict(body or {})}
        self.requests.append(request)
        if not self.marked:
            if not self.mark_sent(request):
                raise WithdrawnError(f"action #{self.item.id} changed before it was sent")
            self.marked = True
        answer = call()
        self.answers.append({"call": f"{method} {path}", "answer": _plain(answer)})
        return answer

    def note_duplicates(self, ctx: ActionContext, found: list[int], *, detail: str) -> list[int]:
        """The ids of ``found`` after the first (the one kept), logged as a warning when there
        are any: duplicates are reported and left alone, never deleted."""
        duplicates = found[1:]
        if duplicates:
            ctx.log.warning(
                "outbox.duplicates_found",
                item=self.item.id,
                kind=self.item.kind,
                kept=found[0],
                others=duplicates,
                detail=detail,
            )
        return duplicates

    def require_settled(self, ctx: ActionContext) -> None:
        """Before a create that found no trace of an earlier try: wait until that try can no
        longer be running in Dolibarr (a slow request may commit after our timeout)."""
        sent_at = self.item.sent_at
        if sent_at is not None and ctx.now() < sent_at + ctx.settle:
            raise NotYetError(
                "an earlier attempt may still be running in Dolibarr; looking again later",
                until=sent_at + ctx.settle,
            )


def _plain(answer: Any) -> Any:
    """An answer as the outbox keeps it: ids and flags as they are, objects trimmed."""
    if isinstance(answer, Mapping):
        keep = ("id", "ref", "ref_client", "status", "fk_statut", "statut", "track_id")
        return {key: answer[key] for key in keep if key in answer}
    return answer
