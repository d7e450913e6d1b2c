"""Sending the outbox: the only code that calls Dolibarr's write endpoints.

What this module knows: the order and the safety valves of one dispatch.

* Items are taken oldest first: ``pending``, ``sent`` (a write interrupted by a crash: its
  executor looks for the object before anything else) and ``failed`` ones whose time came.
* The actions of one firing run in order: an action waits while an earlier one is open; an
  action that uses ``{intervention.*}`` takes them from the verified intervention of its
  firing, and ends like it when that one is dead, obsolete or skipped.
* Caps: at most ``max_writes_per_cycle`` items per dispatch, at most
  ``max_writes_per_ticket`` items sent per ticket within 24 hours; a cap leaves the rest
  queued and logs ``outbox.capped`` (the runaway-rule alarm).
* ``writes = false`` (the kill switch) sends nothing and keeps everything queued.
* Failures (see ``outcomes.classify``): retried with jittered exponential backoff, dead after
  ``max_attempts`` (``max_attempts_rejected`` for answers that will never succeed). A refused
  key or right (401/403), or Dolibarr unreachable three times in a row, ends the dispatch.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from dolisync.config import WritebackConfig
from dolisync.errors import DolibarrError, TransportError
from dolisync.outbox.context import ActionContext, Attempt
from dolisync.outbox.interventions import create_intervention
from dolisync.outbox.messages import post_message
from dolisync.outbox.outcomes import (
    OPEN,
    ActionError,
    GiveUpError,
    NotYetError,
    ObsoleteError,
    Outcome,
    RejectedError,
    WithdrawnError,
    classify,
    describe,
)
from dolisync.outbox.params import decode, needs_intervention, render
from dolisync.outbox.ticket_updates import FIELDS, update_ticket_field
from dolisync.store.outbox import OutboxItem

Executor = Callable[[ActionContext, Attempt], Outcome]
EXECUTORS: Final[dict[str, Executor]] = {
    "create_intervention": create_intervention,
    "post_message": post_message,
    **dict.fromkeys(FIELDS, update_ticket_field),
}
TICKET_WINDOW: Final = 86_400.0  # max_writes_per_ticket counts within this many seconds
TRANSPORT_STOP: Final = 3  # consecutive "no answer" failures that end a dispatch


@dataclass(slots=True)
class DispatchReport:
    attempted: int = 0  # items worked on
    sent: int = 0  # items that sent at least one write
    verified: int = 0
    failed: int = 0
    dead: int = 0
    obsolete: int = 0
    waiting: int = 0
    capped: int = 0
    stopped: str | None = None  # why the dispatch ended early


@dataclass(frozen=True, slots=True)
class _Blocked:
    """An item that cannot run now: ``state`` None means "wait", else end it so."""

    state: str | None = None
    reason: str = ""


class Dispatcher:
    """Works through the due items of one source."""

    def __init__(
        self,
        ctx: ActionContext,
        settings: WritebackConfig,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._ctx = ctx
        self._settings = settings
        self._rng = rng or random.Random()
        self._outbox = ctx.store.outbox

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> DispatchReport:
        report = DispatchReport()
        log = self._ctx.log
        if not self._settings.writes:
            queued = sum(self._outbox.counts(self._ctx.source).get(state, 0) for state in OPEN)
            log.warning(
                "outbox.writes_disabled",
                queued=queued,
                detail="[writeback] writes = false: nothing is sent, actions stay queued",
            )
            report.stopped = "writes are disabled"
            return report
        items = self._outbox.due(self._ctx.source, now=self._ctx.now())
        capped_tickets: set[int] = set()
        no_answer = 0
        for position, item in enumerate(items):
            if should_stop():
                report.stopped = "stop requested"
                break
            if report.attempted >= self._settings.max_writes_per_cycle:
                self._cycle_capped(report, items[position:])
                break
            if item.ticket_id in capped_tickets or self._ticket_capped(item):
                capped_tickets.add(item.ticket_id)
                report.capped += 1
                continue
            kind = self._one(item, report)
            if kind == "blocked":
                report.stopped = "Dolibarr refused the API key or its rights"
                break
            no_answer = no_answer + 1 if kind == "no answer" else 0
            if no_answer >= TRANSPORT_STOP:
                report.stopped = "Dolibarr does not answer"
                break
        return report

    # -- one item ---------------------------------------------------------------------------

    def _one(self, item: OutboxItem, report: DispatchReport) -> str | None:
        """Work on one item; how a failure should weigh on the rest of the dispatch."""
        blocked = self._blocked(item)
        if isinstance(blocked, _Blocked):
            if blocked.state is not None:
                self._finish(item, None, blocked.state, ActionError(blocked.reason), report)
            return None
        try:
            params = render(decode(item.params), blocked)
        except KeyError as missing:
            self._finish(item, None, "dead", ActionError(f"template: {missing}"), report)
            return None
        attempt = Attempt(item, params, self._marker(item), values=blocked)
        report.attempted += 1
        try:
            return self._execute(item, attempt, report)
        finally:
            if attempt.marked:
                report.sent += 1

    def _execute(self, item: OutboxItem, attempt: Attempt, report: DispatchReport) -> str | None:
        executor = EXECUTORS.get(item.kind)
        try:
            if executor is None:
                raise GiveUpError(f"unknown action kind {item.kind!r}")
            outcome = executor(self._ctx, attempt)
        except WithdrawnError:
            self._ctx.log.info("outbox.withdrawn", item=item.id, kind=item.kind)
            return None
        except NotYetError as waiting:
            self._outbox.update(item.id, at=self._ctx.now(), next_try_at=waiting.until)
            report.waiting += 1
            return None
        except ObsoleteError as problem:
            self._finish(item, attempt, "obsolete", problem, report)
        except GiveUpError as problem:
            self._finish(item, attempt, "dead", problem, report)
        except RejectedError as problem:
            self._failed(item, attempt, problem, rejected=True, report=report)
        except DolibarrError as error:
            kind = classify(error)
            self._failed(item, attempt, error, rejected=kind == "rejected", report=report)
            if isinstance(error, TransportError):
                return "no answer"
            return kind
        else:
            self._verified(item, attempt, outcome, report)
        return None

    def _blocked(self, item: OutboxItem) -> _Blocked | dict[str, str]:
        """Why the item cannot run now, or the ``{intervention.*}`` values it may use."""
        earlier = [
            sibling
            for sibling in self._outbox.of_firing(item.firing_key)
            if sibling.action_index < item.action_index
        ]
        if any(sibling.state in OPEN for sibling in earlier):
            return _Blocked()
        if not needs_intervention(item.params):
            return {}
        creates = [sibling for sibling in earlier if sibling.kind == "create_intervention"]
        if not creates:
            return _Blocked("dead", "uses {intervention.*} but no intervention is created before")
        source = creates[-1]
        if source.state != "verified" or source.object_id is None:
            state = source.state if source.state in ("obsolete", "skipped") else "dead"
            return _Blocked(
                state, f"needs the intervention of action #{source.id} ({source.state})"
            )
        result: Mapping[str, Any] = source.result or {}
        return {
            "intervention.id": str(source.object_id),
            "intervention.ref": str(result.get("ref", "")),
        }

    def _marker(self, item: OutboxItem) -> Callable[[Mapping[str, Any]], bool]:
        def mark_sent(request: Mapping[str, Any]) -> bool:
            return self._outbox.mark_sent(
                item.id,
                at=self._ctx.now(),
                request=request,
                seen_state=item.state,
                seen_attempts=item.attempts,
            )

        return mark_sent

    # -- endings ----------------------------------------------------------------------------

    def _verified(
        self, item: OutboxItem, attempt: Attempt, outcome: Outcome, report: DispatchReport
    ) -> None:
        now = self._ctx.now()
        self._outbox.update(
            item.id,
            at=now,
            state="verified",
            object_id=outcome.object_id,
            result=dict(outcome.result),
            last_error=None,
            next_try_at=None,
            done_at=now,
            attempts=item.attempts + 1,
            **_exchange(item, attempt),
        )
        report.verified += 1
        self._ctx.log.info(
            "outbox.verified",
            **_log_fields(item),
            object_id=outcome.object_id,
            wrote=attempt.marked,
        )

    def _finish(
        self,
        item: OutboxItem,
        attempt: Attempt | None,
        state: str,
        problem: ActionError,
        report: DispatchReport,
    ) -> None:
        now = self._ctx.now()
        values: dict[str, Any] = {
            "state": state,
            "last_error": problem.reason,
            "next_try_at": None,
            "done_at": now,
        }
        if problem.object_id is not None:
            values["object_id"] = problem.object_id
        if problem.result:
            values["result"] = problem.result
        if attempt is not None:
            values.update(_exchange(item, attempt), attempts=item.attempts + 1)
        self._outbox.update(item.id, at=now, **values)
        if state == "obsolete":
            report.obsolete += 1
        elif state == "dead":
            report.dead += 1
        log = self._ctx.log.warning if state == "dead" else self._ctx.log.info
        log(
            f"outbox.{state}",
            **_log_fields(item),
            reason=problem.reason,
        )

    def _failed(
        self,
        item: OutboxItem,
        attempt: Attempt,
        error: Exception,
        *,
        rejected: bool,
        report: DispatchReport,
    ) -> None:
        now = self._ctx.now()
        attempts = item.attempts + 1
        limit = self._settings.max_attempts_rejected if rejected else self._settings.max_attempts
        reason = describe(error)
        values: dict[str, Any] = {"attempts": attempts, "last_error": reason}
        values.update(_exchange(item, attempt))
        if isinstance(error, ActionError) and error.object_id is not None:
            values["object_id"] = error.object_id
        if attempts >= limit:
            values.update(state="dead", next_try_at=None, done_at=now)
            report.dead += 1
        else:
            values.update(state="failed", next_try_at=now + self._backoff(attempts))
            report.failed += 1
        self._outbox.update(item.id, at=now, **values)
        self._ctx.log.warning(
            "outbox.dead" if attempts >= limit else "outbox.failed",
            **_log_fields(item),
            attempts=attempts,
            next_try_at=values["next_try_at"],
            error=reason,
        )

    def _backoff(self, attempts: int) -> float:
        """Exponential from ``retry_delay``, capped at ``retry_delay_max``, jittered to [½, 1]."""
        settings = self._settings
        ceiling = min(settings.retry_delay_max, settings.retry_delay * 2 ** (attempts - 1))
        return self._rng.uniform(ceiling / 2, ceiling)

    # -- caps -------------------------------------------------------------------------------

    def _ticket_capped(self, item: OutboxItem) -> bool:
        limit = self._settings.max_writes_per_ticket
        since = self._ctx.now() - TICKET_WINDOW
        used = self._outbox.writes_since(self._ctx.source, item.ticket_id, since)
        if used < limit:
            return False
        self._ctx.log.warning(
            "outbox.capped",
            scope="ticket",
            ticket_id=item.ticket_id,
            rule=item.rule_name,
            limit=limit,
            used=used,
            detail=f"max_writes_per_ticket reached ({limit} in 24 h): a rule may be running "
            "away; its actions stay queued (see `dolisync actions list`)",
        )
        return True

    def _cycle_capped(self, report: DispatchReport, left: list[OutboxItem]) -> None:
        report.capped += len(left)
        rules = sorted({item.rule_name for item in left})
        self._ctx.log.warning(
            "outbox.capped",
            scope="cycle",
            limit=self._settings.max_writes_per_cycle,
            left=len(left),
            rules=rules,
            detail="max_writes_per_cycle reached: the rest waits for the next cycle",
        )


def _log_fields(item: OutboxItem) -> dict[str, Any]:
    """The item as every ending's log line names it (the same keys: one item can be followed)."""
    return {
        "item": item.id,
        "kind": item.kind,
        "ticket_id": item.ticket_id,
        "rule": item.rule_name,
    }


def _exchange(item: OutboxItem, attempt: Attempt) -> dict[str, Any]:
    """The requests and answers to keep: this attempt's, or the earlier ones if it sent none."""
    if not attempt.requests:
        return {}
    return {"request": attempt.requests, "answer": attempt.answers}
