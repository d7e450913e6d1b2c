"""Why each rule did or did not fire for one ticket: every condition, the value seen, true/false.

The verdicts come from the engine itself (``RuleRun.evaluate``), so ``explain`` can never
disagree with what the service would do; the condition details are computed beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

from dolisync.rules.conditions import Group, Node, Test
from dolisync.rules.engine import Evaluation, RuleSet
from dolisync.rules.fields import show
from dolisync.rules.firing import FiringKey, IntendedAction
from dolisync.rules.spec import RuleSpec
from dolisync.rules.templates import Template
from dolisync.rules.triggers import Trigger
from dolisync.rules.view import TicketView


@dataclass(frozen=True, slots=True)
class ConditionResult:
    path: str
    label: str
    seen: str | None  # None for groups
    holds: bool
    children: tuple[ConditionResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "condition": self.label, "result": self.holds}
        if self.seen is not None:
            data["seen"] = self.seen
        if self.children:
            data["children"] = [part.to_dict() for part in self.children]
        return data


@dataclass(frozen=True, slots=True)
class RuleExplanation:
    name: str
    verdict: str  # fires, already fired, capped, conditions false, not listening, disabled, ...
    listening: str | None  # the ``on`` entry the trigger satisfied
    conditions: tuple[ConditionResult, ...]
    actions: tuple[IntendedAction, ...] = ()

    @property
    def fires(self) -> bool:
        return self.verdict == "fires"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.name,
            "verdict": self.verdict,
            "listening": self.listening,
            "conditions": [part.to_dict() for part in self.conditions],
            "actions": [action.to_dict() for action in self.actions],
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    view: TicketView
    trigger: Trigger
    now: float
    ruleset_hash: str
    rules: tuple[RuleExplanation, ...]
    evaluation: Evaluation

    def to_dict(self) -> dict[str, Any]:
        ticket = self.view.ticket
        return {
            "ticket": {"source": ticket.source, "id": ticket.id, "ref": ticket.ref},
            "trigger": self.trigger.describe(),
            "own_write": self.trigger.own_write,
            "now": self.now,
            "ruleset": self.ruleset_hash,
            "rules": [rule.to_dict() for rule in self.rules],
            "firings": [firing.to_dict() for firing in self.evaluation.firings],
        }


def explain(
    ruleset: RuleSet,
    view: TicketView,
    trigger: Trigger,
    *,
    now: float,
    fired: Container[FiringKey] = frozenset(),
) -> Explanation:
    """Evaluate like the service would, and say for every rule why it fires or not."""
    evaluation = ruleset.start_run(fired=fired).evaluate(view, trigger, now=now)
    outcomes = _outcomes(ruleset, evaluation)
    firings = {firing.rule_name: firing for firing in evaluation.firings}
    stopped_by: str | None = None
    rules: list[RuleExplanation] = []
    for spec in ruleset.specs:
        listening = trigger.matching(spec.on)
        conditions = tuple(_explain(node, view, now) for node in spec.when.items)
        verdict = _verdict(spec, trigger, listening, stopped_by, outcomes)
        actions = firings[spec.name].actions if spec.name in firings else ()
        rules.append(RuleExplanation(spec.name, verdict, listening, conditions, actions))
        if spec.stop and spec.name in evaluation.matched and stopped_by is None:
            stopped_by = spec.name
    return Explanation(view, trigger, now, ruleset.hash, tuple(rules), evaluation)


def _outcomes(ruleset: RuleSet, evaluation: Evaluation) -> dict[str, str]:
    """What happened to each rule whose conditions held."""
    outcomes: dict[str, str] = {}
    for name in evaluation.matched:
        spec = ruleset.by_name[name]
        what = "trigger version" if spec.repeat == "on_change" else "ticket"
        outcomes[name] = f"matched, but already fired for this {what}"
    for event in evaluation.events:
        if event.event == "rules.capped" and event.rule_name in ruleset.by_name:
            limit = ruleset.by_name[event.rule_name].max_actions_per_run
            outcomes[event.rule_name] = f"matched, but capped by max_actions_per_run = {limit}"
    outcomes.update((firing.rule_name, "fires") for firing in evaluation.firings)
    return outcomes


def _verdict(
    spec: RuleSpec,
    trigger: Trigger,
    listening: str | None,
    stopped_by: str | None,
    outcomes: dict[str, str],
) -> str:
    reasons = (
        (not spec.enabled, "disabled"),
        (trigger.own_write, "not evaluated: the change came from dolisync's own write"),
        (listening is None, f"not listening to {trigger.describe()}"),
        (stopped_by is not None, f"not evaluated: rule {stopped_by!r} matched first (stop = true)"),
    )
    for applies, reason in reasons:
        if applies:
            return reason
    return outcomes.get(spec.name, "conditions false")


def _explain(node: Node, view: TicketView, now: float) -> ConditionResult:
    if isinstance(node, Test):
        value = node.field.read(view, now)
        label = f"{node.field.name} {node.op.replace('_', ' ')} {node.shown}"
        return ConditionResult(node.path, label, show(node.field, value), node.check(value))
    return _explain_group(node, view, now)


def _explain_group(group: Group, view: TicketView, now: float) -> ConditionResult:
    children = tuple(_explain(part, view, now) for part in group.items)
    if group.mode == "all" and len(children) == 1:
        return children[0]  # a one-test table inside any = [...] reads better flat
    results = [part.holds for part in children]
    holds = any(results) if group.mode == "any" else all(results)
    return ConditionResult(group.path, f"{group.mode} of", None, holds, children)


def format_explanation(explanation: Explanation) -> list[str]:
    """The explanation as the CLI prints it, one line per entry."""
    ticket = explanation.view.ticket
    moment = dt.datetime.fromtimestamp(explanation.now, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    trigger = explanation.trigger
    own = " (own write)" if trigger.own_write else ""
    lines = [
        f"ticket {ticket.ref} (id {ticket.id}, source {ticket.source}, "
        f"status {ticket.status_name})",
        f"trigger {trigger.describe()}{own}, at {moment}",
        f"ruleset {explanation.ruleset_hash} ({_count(len(explanation.rules), 'rule')})",
    ]
    for number, rule in enumerate(explanation.rules, start=1):
        lines.append("")
        lines.append(f"{number}. {rule.name}: {rule.verdict}")
        for condition in rule.conditions:
            lines.extend(_condition_lines(condition, depth=1))
        for action in rule.actions:
            lines.append(f"   -> {action.kind} {_params(action)}")
    return lines


def _condition_lines(result: ConditionResult, depth: int) -> list[str]:
    pad = "   " * depth
    verdict = "true " if result.holds else "false"
    if result.seen is None:
        lines = [f"{pad}{verdict} {result.label}:"]
        for child in result.children:
            lines.extend(_condition_lines(child, depth + 1))
        return lines
    return [f"{pad}{verdict} {result.label}  (seen: {result.seen})"]


def _params(action: IntendedAction) -> str:
    return ", ".join(f"{key}={_shown(value)}" for key, value in action.params.items())


def _shown(value: object) -> str:
    """Parameters as a person reads them: a template still waiting for the outbox as its text."""
    if isinstance(value, Template):
        return repr(str(value))
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_shown(item)}" for key, item in value.items()) + "}"
    return repr(value)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
