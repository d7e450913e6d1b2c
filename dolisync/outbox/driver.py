"""Evaluating the rules on what changed: the change log in, firings and outbox items out.

What this module knows: how change-log entries become rule triggers, and that the firings,
the queued actions and the new cursor of each batch are stored in ONE transaction (a crash
re-evaluates the batch, and duplicate keys are dropped). Rules are pure; this driver is the
only place that feeds them from the store.

* ``tickets`` created/updated and ``messages`` created are triggers; a change whose origin is
  ``dolisync`` (the re-read of our own write) is a trigger with ``own_write``, which the rules
  ignore (the loop guard);
* "fires once per ticket": the firings table is the memory (``rule_firings``);
* the first evaluation on a store starts at the end of the change log (what the first sync
  loaded is not news) unless ``act_on_existing``;
* a dry run has its own cursor, firings and items (``dry:`` keys): it never consumes what a
  live run has still to do;
* ``evaluate_schedule`` offers every mirrored ticket to the rules that listen to ``schedule``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from structlog.stdlib import BoundLogger

from dolisync.clock import Clock
from dolisync.config import Config
from dolisync.errors import ConfigError
from dolisync.outbox.keys import firing_text, item_key
from dolisync.outbox.params import encode
from dolisync.outbox.views import ticket_view
from dolisync.records import Ticket
from dolisync.rules.engine import RuleRun, RuleSet
from dolisync.rules.firing import Firing, FiringKey
from dolisync.rules.spec import parse_rules
from dolisync.rules.triggers import SCHEDULE, Trigger
from dolisync.store import Change, Store
from dolisync.store.outbox import FiringRecord, NewItem, OutboxStore

BATCH = 500
RULES_HINT = "fix the [[rules]] section (see docs/rules.md); `dolisync rules check` lists problems"


def build_ruleset(config: Config) -> RuleSet:
    """The configured rules, compiled; ``ConfigError`` lists every problem."""
    text: str | None
    try:
        text = config.path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = None  # line numbers are a comfort, not a need
    specs, problems = parse_rules(list(config.rules_raw), file=str(config.path), source_text=text)
    if problems:
        raise ConfigError(problems, hint=RULES_HINT, file=str(config.path))
    return RuleSet(specs)


@dataclass(slots=True)
class EvaluationReport:
    changes: int = 0  # change-log entries read
    evaluations: int = 0
    fired: int = 0
    enqueued: int = 0
    own_writes_ignored: int = 0
    baseline: bool = False  # the first evaluation only marked where to start


class FiredMemory:
    """ "Has this rule already fired here?", answered from the firings table (a Container)."""

    def __init__(self, outbox: OutboxStore, *, dry_run: bool) -> None:
        self._outbox = outbox
        self._dry_run = dry_run
        self._known: dict[str, bool] = {}

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 4:
            return False
        text = firing_text(FiringKey(*key), dry_run=self._dry_run)
        if text not in self._known:
            self._known[text] = bool(self._outbox.fired_keys([text]))
        return self._known[text]


@dataclass(slots=True)
class _Batch:
    firings: list[FiringRecord] = field(default_factory=list)
    items: list[NewItem] = field(default_factory=list)
    done: int | None = None  # the last change fully evaluated
    capped: bool = False  # a rule's cap withheld a firing: stop here for this run


class RuleDriver:
    """Feeds one source's changes to the rules and records what they decide."""

    def __init__(
        self,
        store: Store,
        ruleset: RuleSet,
        *,
        source: str,
        clock: Clock,
        log: BoundLogger,
        dry_run: bool = False,
        act_on_existing: bool = False,
    ) -> None:
        self._store = store
        self._outbox = store.outbox
        self._ruleset = ruleset
        self._source = source
        self._clock = clock
        self._log = log
        self._dry_run = dry_run
        self._act_on_existing = act_on_existing
        self._mode = "dry" if dry_run else "live"

    def evaluate_changes(self, should_stop: Callable[[], bool] = lambda: False) -> EvaluationReport:
        """Evaluate every change logged since the last evaluation."""
        report = EvaluationReport()
        head = self._store.last_change_seq()
        cursor = self._outbox.cursor(self._source, self._mode)
        if not any(spec.enabled for spec in self._ruleset.specs):
            self._record(_Batch(), cursor=head)  # nothing to ask: later rules start from here
            return report
        if cursor is None and not self._act_on_existing:
            self._record(_Batch(), cursor=head)
            self._log.info("rules.baseline", seq=head, mode=self._mode)
            report.baseline = True
            return report
        seq = cursor or 0
        run = self._ruleset.start_run(fired=FiredMemory(self._outbox, dry_run=self._dry_run))
        while not should_stop():
            changes = self._store.changes_since(seq, limit=BATCH, source=self._source)
            if not changes:
                break
            batch = self._evaluate(run, changes, max(head, changes[-1].seq), report)
            self._record(batch, cursor=batch.done)
            report.changes += len(changes)
            report.enqueued += len(batch.items)
            if batch.capped:
                # a capped firing is left for a later run: the next cycle (a new run, with
                # fresh caps) evaluates again from the change whose firing was withheld
                break
            seq = changes[-1].seq
            if len(changes) < BATCH:
                break
        return report

    def evaluate_schedule(
        self, should_stop: Callable[[], bool] = lambda: False
    ) -> EvaluationReport:
        """Offer every mirrored ticket to the rules listening to ``schedule``."""
        report = EvaluationReport()
        if not any(spec.enabled and SCHEDULE in spec.on for spec in self._ruleset.specs):
            return report
        head = self._store.last_change_seq()
        run = self._ruleset.start_run(fired=FiredMemory(self._outbox, dry_run=self._dry_run))
        for tickets in _chunked(self._store.iter_tickets(self._source), BATCH):
            if should_stop():
                break
            batch = _Batch()
            for ticket in tickets:
                trigger = Trigger.schedule(ticket)
                self._offer(run, ticket, trigger, seq=head, batch=batch, report=report)
            self._record(batch, cursor=None)
            report.enqueued += len(batch.items)
        return report

    # -- internals --------------------------------------------------------------------------

    def _evaluate(
        self, run: RuleRun, changes: Sequence[Change], seq: int, report: EvaluationReport
    ) -> _Batch:
        message_ids = [c.object_id for c in changes if c.entity == "messages"]
        tickets_of = self._outbox.message_tickets(self._source, message_ids)
        batch = _Batch(done=changes[0].seq - 1)
        for change in changes:
            found = _trigger(change, tickets_of)
            ticket = None if found is None else self._store.get_ticket(self._source, found[0])
            if found is not None and ticket is not None:
                offered = _Batch()
                self._offer(run, ticket, found[1], seq=seq, batch=offered, report=report)
                if offered.capped:
                    batch.capped = True
                    return batch
                batch.firings += offered.firings
                batch.items += offered.items
            batch.done = change.seq
        return batch

    def _offer(
        self,
        run: RuleRun,
        ticket: Ticket,
        trigger: Trigger,
        *,
        seq: int,
        batch: _Batch,
        report: EvaluationReport,
    ) -> None:
        view = ticket_view(self._store, self._source, ticket, trigger.message_id)
        evaluation = run.evaluate(view, trigger, now=self._clock.now())
        report.evaluations += 1
        for event in evaluation.events:
            if event.event == "rules.own_write_ignored":
                report.own_writes_ignored += 1
                self._log.debug(event.event, **_fields(event.to_dict()))
            else:
                batch.capped = batch.capped or event.event == "rules.capped"
                self._log.warning(event.event, **_fields(event.to_dict()))
        for firing in evaluation.firings:
            report.fired += 1
            self._add(batch, firing, trigger, ticket, seq)

    def _add(
        self, batch: _Batch, firing: Firing, trigger: Trigger, ticket: Ticket, seq: int
    ) -> None:
        key = firing_text(firing.key, dry_run=self._dry_run)
        batch.firings.append(
            FiringRecord(
                key=key,
                source=firing.source,
                ticket_id=firing.ticket_id,
                rule_name=firing.rule_name,
                ruleset_hash=firing.ruleset_hash,
                trigger=firing.trigger,
                trigger_version=firing.trigger_version,
                actions=firing.to_dict()["actions"],
                at=firing.at,
                message_id=trigger.message_id,
                dry_run=self._dry_run,
            )
        )
        for action in firing.actions:
            batch.items.append(
                NewItem(
                    key=item_key(firing.idempotency_key(action), dry_run=self._dry_run),
                    source=firing.source,
                    ticket_id=firing.ticket_id,
                    rule_name=firing.rule_name,
                    firing_key=key,
                    action_index=action.index,
                    kind=action.kind,
                    params=encode(action.params),
                    evaluated_seq=seq,
                    ticket_version=ticket.modified_at,
                    dry_run=self._dry_run,
                )
            )
        self._log.info(
            "rules.fired",
            rule=firing.rule_name,
            ticket_id=firing.ticket_id,
            ticket=firing.ticket_ref,
            trigger=firing.trigger,
            actions=[action.kind for action in firing.actions],
            dry_run=self._dry_run,
        )

    def _record(self, batch: _Batch, *, cursor: int | None) -> None:
        self._outbox.record_evaluation(
            self._source,
            self._mode,
            firings=batch.firings,
            items=batch.items,
            cursor=cursor,
            at=self._clock.now(),
        )


def _trigger(change: Change, tickets_of: dict[int, int]) -> tuple[int, Trigger] | None:
    """The ticket a change is about and the trigger it is, or None (not a rule trigger)."""
    own = change.origin == "dolisync"
    if change.entity == "tickets":
        if change.kind == "created":
            return change.object_id, Trigger.created(own_write=own)
        if change.kind == "updated":
            return change.object_id, Trigger.updated(
                change.changes.keys(), seq=change.seq, own_write=own
            )
        return None
    if change.entity == "messages" and change.kind == "created":
        ticket_id = tickets_of.get(change.object_id)
        if ticket_id is not None:
            return ticket_id, Trigger.message(change.object_id, own_write=own)
    return None


def _fields(data: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in data.items() if key != "event"}


def _chunked(tickets: Iterable[Ticket], size: int) -> Iterator[list[Ticket]]:
    chunk: list[Ticket] = []
    for ticket in tickets:
        chunk.append(ticket)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
