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

from dolisync.rules.conditions import Predicate, Test, compile_node
from dolisync.rules.fields import FieldDef, template_values
from dolisync.rules.firing import Firing, RuleEvent, firing_key
from dolisync.rules.spec import RuleSpec
from dolisync.rules.triggers import Trigger
from dolisync.rules.view import TicketView


@dataclass(frozen=True, slots=True)
class CompiledRule:
    spec: RuleSpec
    predicate: Predicate
    key_test: Test | None  # an equality every match needs: the index files the rule under it


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome for one ticket and trigger: firings to record, events to log."""

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
        self._compiled = tuple(
            CompiledRule(spec, compile_node(spec.when), _key_test(spec))
            for spec in self.specs
            if spec.enabled
        )
        self._plans: dict[frozenset[str], _Plan] = {}

    def candidates(self, view: TicketView, trigger: Trigger, now: float) -> list[CompiledRule]:
        """The rules listening to ``trigger`` that the equality index keeps, in file order."""
        names = trigger.names()
        plan = self._plans.get(names)
        if plan is None:
            plan = self._plans[names] = _Plan.build(
                [rule for rule in self._compiled if not names.isdisjoint(rule.spec.on)]
            )
        return plan.candidates(view, now)

    def start_run(self, *, fired: Container[str] = frozenset(), caps: bool = True) -> RuleRun:
        return RuleRun(self, fired=fired, caps=caps)


def ruleset_hash(specs: Sequence[RuleSpec]) -> str:
    """A short hash of the rules as written (order included): the audit log's ruleset version."""
    canonical = json.dumps([spec.raw for spec in specs], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass(slots=True)
class _Plan:
    """For one trigger signature: rules filed by the value their key test needs."""

    always: list[int]
    index: list[tuple[FieldDef, dict[object, list[int]]]]
    rules: list[CompiledRule]

    @classmethod
    def build(cls, rules: list[CompiledRule]) -> _Plan:
        always: list[int] = []
        tables: dict[str, tuple[FieldDef, dict[object, list[int]]]] = {}
        for position, rule in enumerate(rules):
            test = rule.key_test
            if test is None or test.accepts is None:
                always.append(position)
                continue
            _, table = tables.setdefault(test.field.name, (test.field, {}))
            for value in test.accepts:
                table.setdefault(value, []).append(position)
        return cls(always, list(tables.values()), rules)

    def candidates(self, view: TicketView, now: float) -> list[CompiledRule]:
        positions = list(self.always)
        for field_def, table in self.index:
            found = table.get(field_def.read(view, now))
            if found:
                positions.extend(found)
        if len(self.index) > 0:
            positions.sort()
        rules = self.rules
        return [rules[position] for position in positions]


def _key_test(spec: RuleSpec) -> Test | None:
    """The top-level equality with the fewest accepted values (the most selective, likely)."""
    tests = [
        node
        for node in spec.when.items
        if isinstance(node, Test) and node.accepts is not None and node.field.kind != "bool"
    ]
    return min(tests, key=lambda test: len(test.accepts or ()), default=None)


@dataclass(slots=True)
class RuleRun:
    """One run: per-rule action counts (caps) and the firings made so far."""

    ruleset: RuleSet
    fired: Container[str] = frozenset()
    caps: bool = True
    used: dict[str, int] = field(default_factory=dict)
    fired_now: set[str] = field(default_factory=set)

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
        for rule in self.ruleset.candidates(view, trigger, now):
            if not rule.predicate(view, now):
                continue
            spec = rule.spec
            matched.append(spec.name)
            outcome = self._fire(spec, view, trigger, now)
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
        self, spec: RuleSpec, view: TicketView, trigger: Trigger, now: float
    ) -> Firing | RuleEvent | None:
        ticket = view.ticket
        version = trigger.version if spec.repeat == "on_change" else None
        key = firing_key(spec.name, ticket.source, ticket.id, version)
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
        values = template_values(view, rule_name=spec.name, rule_description=spec.description)
        return Firing(
            rule_name=spec.name,
            ruleset_hash=self.ruleset.hash,
            ticket_id=ticket.id,
            source=ticket.source,
            trigger=trigger.matching(spec.on) or trigger.describe(),
            actions=tuple(action.intend(view, values) for action in spec.then),
            at=now,
            trigger_version=version,
            ticket_ref=ticket.ref,
        )


def evaluate(
    ruleset: RuleSet,
    view: TicketView,
    trigger: Trigger,
    *,
    now: float,
    fired: Container[str] = frozenset(),
) -> Evaluation:
    """One evaluation in a run of its own (caps count from zero)."""
    return ruleset.start_run(fired=fired).evaluate(view, trigger, now=now)
