"""Evaluating a ruleset: which rules fire for one ticket and one trigger, in order.

``RuleSet`` compiles the specs once (predicates, a trigger index and an equality index that
skips rules that cannot match) and carries the ruleset hash. ``RuleRun`` is one run of the
service: it counts each rule's actions against ``max_actions_per_run`` and remembers what fired,
so a rule fires once per ticket (or once per trigger version with ``repeat = "on_change"``).

Order of evaluation, for each enabled rule listening to the trigger, in file order: the
conditions; if they hold the rule *matched*. A matched rule fires unless it already fired
(``fired`` and this run's memory) or its cap is reached (a ``rules.capped`` event). Either
way, a matched rule with ``stop = true`` ends the evaluation of this ticket. Triggers from
dolisync's own writes are never evaluated (``rules.own_write_ignored``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from dolisync.rules.compiled import SharedTests, compile_node
from dolisync.rules.conditions import Predicate, Test
from dolisync.rules.firing import Firing, FiringKey, RuleEvent
from dolisync.rules.index import RuleIndex, key_tests
from dolisync.rules.intents import Intend, compile_actions
from dolisync.rules.spec import RuleSpec
from dolisync.rules.triggers import Trigger
from dolisync.rules.view import TicketView

MAX_PLANS: Final = 1024


@dataclass(frozen=True, slots=True)
class CompiledRule:
    spec: RuleSpec
    predicate: Predicate  # true when the rule matches, given that its key tests hold
    key_tests: tuple[Test, ...]  # tests every match needs: the index files the rule by them
    intend: Intend  # the rule's actions for one ticket


class Evaluation(NamedTuple):
    """The outcome for one ticket and trigger: firings to record, events to log.

    A NamedTuple, like ``Firing``: one is built per evaluation.
    """

    source: str
    ticket_id: int
    trigger: Trigger
    firings: tuple[Firing, ...] = ()
    events: tuple[RuleEvent, ...] = ()
    matched: tuple[str, ...] = ()  # every rule whose conditions held, fired or not


class RuleSet:
    """Compiled rules, ready to evaluate. ``hash`` identifies this exact ruleset."""

    def __init__(self, specs: Sequence[RuleSpec]) -> None:
        self.specs = tuple(specs)
        self.hash = ruleset_hash(self.specs)
        self.by_name = {spec.name: spec for spec in self.specs}
        enabled = [spec for spec in self.specs if spec.enabled]
        shared = SharedTests(spec.when for spec in enabled)
        self._compiled = tuple(_compiled(spec, shared) for spec in enabled)
        # per trigger signature (``Trigger.names``): the rules listening to it, indexed
        self._plans: dict[frozenset[str], RuleIndex[CompiledRule]] = {}

    def candidates(self, view: TicketView, names: frozenset[str], now: float) -> list[CompiledRule]:
        """The rules listening to a trigger (``Trigger.names``) that the equality index
        keeps, in file order."""
        index = self._plans.get(names)
        if index is None:
            if len(self._plans) >= MAX_PLANS:  # many field combinations: rebuilding is cheap
                self._plans.clear()
            listening = [rule for rule in self._compiled if not names.isdisjoint(rule.spec.on)]
            index = self._plans[names] = RuleIndex([(rule, rule.key_tests) for rule in listening])
        return index.candidates(view, now)

    def start_run(self, *, fired: Container[FiringKey] = frozenset(), caps: bool = True) -> RuleRun:
        return RuleRun(self, fired=fired, caps=caps)


def ruleset_hash(specs: Sequence[RuleSpec]) -> str:
    """A short hash of the rules as written (order included): the audit log's ruleset version."""
    canonical = json.dumps([spec.raw for spec in specs], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _compiled(spec: RuleSpec, shared: SharedTests) -> CompiledRule:
    keys = key_tests(spec.when)
    # a candidate from the index has passed its key tests already: the predicate skips them
    predicate = compile_node(spec.when, known=keys, shared=shared)
    intend = compile_actions(spec.then, rule_name=spec.name, rule_description=spec.description)
    return CompiledRule(spec, predicate, keys, intend)


@dataclass(slots=True)
class RuleRun:
    """One run: per-rule action counts (caps) and the firings made so far."""

    ruleset: RuleSet
    fired: Container[FiringKey] = frozenset()
    caps: bool = True
    used: dict[str, int] = field(default_factory=dict)
    fired_now: set[tuple[str, str, int, str | None]] = field(default_factory=set)

    def evaluate(self, view: TicketView, trigger: Trigger, *, now: float) -> Evaluation:
        ticket = view.ticket
        if trigger.own_write:
            event = RuleEvent(
                "rules.own_write_ignored",
                ticket.source,
                ticket.id,
                detail={"trigger": trigger.describe()},
            )
            return Evaluation(ticket.source, ticket.id, trigger, events=(event,))
        firings: list[Firing] = []
        events: list[RuleEvent] = []
        matched: list[str] = []
        names = trigger.names
        for rule in self.ruleset.candidates(view, names, now):
            if not rule.predicate(view, now):
                continue
            spec = rule.spec
            matched.append(spec.name)
            outcome = self._fire(rule, view, trigger, now)
            if isinstance(outcome, Firing):
                firings.append(outcome)
            elif outcome is not None:
                events.append(outcome)
            if spec.stop:
                break
        return Evaluation(
            ticket.source, ticket.id, trigger, tuple(firings), tuple(events), tuple(matched)
        )

    def _fire(
        self,
        rule: CompiledRule,
        view: TicketView,
        trigger: Trigger,
        now: float,
    ) -> Firing | RuleEvent | None:
        spec, ticket = rule.spec, view.ticket
        version = trigger.version if spec.repeat == "on_change" else None
        # a plain tuple equals (and hashes like) the FiringKey the audit log holds
        key = (spec.name, ticket.source, ticket.id, version)
        if key in self.fired_now or key in self.fired:
            return None
        used = self.used.get(spec.name, 0)
        if self.caps and used + len(spec.then) > spec.max_actions_per_run:
            detail = {
                "limit": spec.max_actions_per_run,
                "used": used,
                "trigger": trigger.describe(),
            }
            return RuleEvent("rules.capped", ticket.source, ticket.id, spec.name, detail)
        self.used[spec.name] = used + len(spec.then)
        self.fired_now.add(key)
        return Firing(
            spec.name,
            self.ruleset.hash,
            ticket.id,
            ticket.source,
            trigger.matching(spec.on) or trigger.describe(),
            rule.intend(view),
            now,
            version,
            ticket.ref,
        )


def evaluate(
    ruleset: RuleSet,
    view: TicketView,
    trigger: Trigger,
    *,
    now: float,
    fired: Container[FiringKey] = frozenset(),
) -> Evaluation:
    """One evaluation in a run of its own (caps count from zero)."""
    return ruleset.start_run(fired=fired).evaluate(view, trigger, now=now)
