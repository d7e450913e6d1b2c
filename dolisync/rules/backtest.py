"""Replaying the mirror's history: what a ruleset would have done, without doing anything.

Each ticket's past states are rebuilt by walking its change log backwards from the current
row (an update carries ``{field: [old, new]}``). Then its events are replayed in order —
created, updated (with the changed fields), new messages, and schedule ticks every ``tick``
seconds when some rule listens to ``schedule`` — each evaluated at the moment it happened.
"Fires once per ticket" holds across the whole replay; caps do not apply (a backtest is not
one run). Only firings from ``since`` on are reported.

Approximations (said in the guide): customers and assignees are read as they are now;
changes that came from dolisync's own writes are not told apart yet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from dolisync.durations import format_duration
from dolisync.records import Message, ThirdParty, Ticket, User
from dolisync.rules.engine import RuleSet
from dolisync.rules.firing import Firing
from dolisync.rules.triggers import SCHEDULE, ChangeEntry, Trigger, trigger_for_change
from dolisync.rules.view import TicketView, pick_message

TICKET_FIELDS: Final = frozenset(field.name for field in dataclasses.fields(Ticket)) - {
    "source",
    "id",
    "raw",
}
PAGE: Final = 5000


class History(Protocol):
    """The reads a backtest needs (``dolisync.store.Store`` provides them)."""

    def changes_since(
        self, seq: int, *, limit: int = ..., source: str | None = ...
    ) -> Sequence[ChangeEntry]: ...
    def get_ticket(self, source: str, id: int, *, include_deleted: bool = ...) -> Ticket | None: ...
    def messages_for(self, source: str, ticket_id: int) -> list[Message]: ...
    def get_thirdparty(self, source: str, id: int) -> ThirdParty | None: ...
    def get_user(self, source: str, id: int) -> User | None: ...


@dataclass(frozen=True, slots=True)
class Step:
    """One replayed event: the ticket as it was just after it, and the trigger."""

    at: float
    state: Ticket
    trigger: Trigger | None  # None: the ticket was deleted from the mirror


@dataclass(slots=True)
class Timeline:
    """One ticket's history, oldest first, with everything its views need."""

    steps: list[Step]
    messages: list[Message] = field(default_factory=list)
    customers: Mapping[int, ThirdParty] = field(default_factory=dict)
    users: Mapping[int, User] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BacktestReport:
    since: float
    until: float
    ruleset_hash: str
    firings: tuple[Firing, ...]
    counts: Mapping[str, int]
    tickets: int
    evaluations: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "ruleset": self.ruleset_hash,
            "tickets": self.tickets,
            "evaluations": self.evaluations,
            "counts": dict(self.counts),
            "firings": [firing.to_dict() for firing in self.firings],
        }


def replay(
    ruleset: RuleSet,
    timelines: Iterable[Timeline],
    *,
    since: float,
    until: float,
    tick: float = 3600.0,
) -> BacktestReport:
    """Evaluate every event of every timeline; report the firings at or after ``since``."""
    run = ruleset.start_run(caps=False)
    scheduled = any(spec.enabled and SCHEDULE in spec.on for spec in ruleset.specs)
    firings: list[Firing] = []
    tickets = evaluations = 0
    for timeline in timelines:
        tickets += 1
        for at, view, trigger in _events(timeline, since, until, tick if scheduled else None):
            evaluations += 1
            result = run.evaluate(view, trigger, now=at)
            firings.extend(firing for firing in result.firings if firing.at >= since)
    firings.sort(key=lambda firing: (firing.at, firing.ticket_id))
    counts = {spec.name: 0 for spec in ruleset.specs}
    for firing in firings:
        counts[firing.rule_name] += 1
    return BacktestReport(since, until, ruleset.hash, tuple(firings), counts, tickets, evaluations)


def _events(
    timeline: Timeline, since: float, until: float, tick: float | None
) -> Iterator[tuple[float, TicketView, Trigger]]:
    steps = timeline.steps
    for position, step in enumerate(steps):
        if step.trigger is None or step.at > until:
            continue  # deleted from the mirror: nothing to evaluate until it comes back
        yield step.at, _view(timeline, step.state, step.at, step.trigger), step.trigger
        if tick is None:
            continue
        last = position + 1 == len(steps)
        end = until if last else min(steps[position + 1].at, until)
        for moment in _ticks(step.at, end, since=since, tick=tick, include_end=last):
            schedule = Trigger.schedule(step.state)
            yield moment, _view(timeline, step.state, moment, schedule), schedule


def _ticks(
    start: float, end: float, *, since: float, tick: float, include_end: bool
) -> Iterator[float]:
    """Tick moments ``since + k * tick`` from ``start`` on, before ``end`` (or at it)."""
    count = math.ceil((max(start, since) - since) / tick)
    while (moment := since + count * tick) < end or (include_end and moment == end):
        yield moment
        count += 1


def _view(timeline: Timeline, state: Ticket, at: float, trigger: Trigger) -> TicketView:
    known = [message for message in timeline.messages if (message.created_at or 0) <= at]
    if trigger.message_id is not None:
        known = timeline.messages
    return TicketView(
        ticket=state,
        customer=timeline.customers.get(state.socid) if state.socid else None,
        assignee=timeline.users.get(state.assigned_user_id) if state.assigned_user_id else None,
        message=pick_message(known, trigger.message_id),
    )


def rebuild(
    current: Ticket, changes: Sequence[ChangeEntry], messages: Sequence[Message]
) -> list[Step]:
    """The ticket after each of its changes (oldest first), from its current row backwards."""
    by_id = {message.id: message for message in messages}
    steps: list[Step] = []
    state = current
    for change in reversed(changes):
        if change.entity == "messages":
            trigger = trigger_for_change(change)
            if trigger is not None and change.object_id in by_id:
                steps.append(Step(change.at, state, trigger))
            continue
        steps.append(Step(change.at, state, trigger_for_change(change)))
        if change.kind == "updated":
            state = dataclasses.replace(state, **_olds(change.changes))
    steps.reverse()
    return steps


def _olds(changes: Mapping[str, Any]) -> dict[str, Any]:
    olds = {}
    for name, pair in changes.items():
        if name in TICKET_FIELDS and isinstance(pair, list | tuple) and len(pair) == 2:
            olds[name] = pair[0]
    return olds


def timelines(history: History, source: str) -> Iterator[Timeline]:
    """Every ticket of ``source`` that has a change-log entry, as a timeline."""
    ticket_changes: dict[int, list[ChangeEntry]] = {}
    message_changes: dict[int, list[ChangeEntry]] = {}
    for change in _all_changes(history, source):
        if change.entity == "tickets":
            ticket_changes.setdefault(change.object_id, []).append(change)
        elif change.entity == "messages":
            message_changes.setdefault(change.object_id, []).append(change)
    customers: dict[int, ThirdParty] = {}
    users: dict[int, User] = {}
    for ticket_id, changes in ticket_changes.items():
        current = history.get_ticket(source, ticket_id, include_deleted=True)
        if current is None:
            continue
        messages = history.messages_for(source, ticket_id)
        about_messages = [c for message in messages for c in message_changes.get(message.id, ())]
        merged = sorted([*changes, *about_messages], key=lambda change: change.seq)
        _remember(history, source, current, customers, users)
        yield Timeline(rebuild(current, merged, messages), messages, customers, users)


def _remember(
    history: History,
    source: str,
    ticket: Ticket,
    customers: dict[int, ThirdParty],
    users: dict[int, User],
) -> None:
    # Related records as they are now: the log does not keep their past.
    if ticket.socid and ticket.socid not in customers:
        customer = history.get_thirdparty(source, ticket.socid)
        if customer is not None:
            customers[ticket.socid] = customer
    if ticket.assigned_user_id and ticket.assigned_user_id not in users:
        user = history.get_user(source, ticket.assigned_user_id)
        if user is not None:
            users[ticket.assigned_user_id] = user


def _all_changes(history: History, source: str) -> Iterator[ChangeEntry]:
    seq = 0
    while True:
        page = history.changes_since(seq, limit=PAGE, source=source)
        yield from page
        if len(page) < PAGE:
            return
        seq = page[-1].seq


def format_report(report: BacktestReport) -> list[str]:
    """The report as the CLI prints it."""
    span = format_duration(max(0, round(report.until - report.since)))
    lines = [
        f"ruleset {report.ruleset_hash}: {len(report.firings)} firings over the last {span} "
        f"({report.tickets} tickets, {report.evaluations} evaluations)",
        "",
    ]
    width = max((len(name) for name in report.counts), default=4)
    lines += [f"  {name:<{width}}  {count}" for name, count in report.counts.items()]
    if report.firings:
        lines.append("")
    for firing in report.firings:
        kinds = ", ".join(action.kind for action in firing.actions)
        ticket = firing.ticket_ref or firing.ticket_id
        lines.append(
            f"  {_moment(firing.at)}  {ticket}  {firing.rule_name} ({firing.trigger}): {kinds}"
        )
    return lines


def _moment(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d %H:%M")
