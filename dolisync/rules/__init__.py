"""Support rules written in TOML: pure functions from a ticket and its change to intended actions.

Rules never call Dolibarr or the store. The flow::

    specs, problems = parse_rules(raw)        # spec.py: strict validation, every problem at once
    ruleset = RuleSet(specs)                  # engine.py: compiled once, with a hash
    run = ruleset.start_run(fired=...)        # one service run: caps and fires-once memory
    result = run.evaluate(view, trigger, now=...)   # -> Evaluation(firings, events)

``explain`` says why each rule fires or not; ``backtest`` replays the mirror's history.
The language is described in docs/rules.md.
"""

from __future__ import annotations

from dolisync.rules.engine import Evaluation, RuleRun, RuleSet, evaluate
from dolisync.rules.firing import (
    Firing,
    FiringKey,
    IntendedAction,
    RuleEvent,
    firing_key,
    idempotency_key,
)
from dolisync.rules.spec import RuleSpec, parse_rules
from dolisync.rules.templates import Template
from dolisync.rules.triggers import Trigger, trigger_for_change
from dolisync.rules.view import TicketView

__all__ = [
    "Evaluation",
    "Firing",
    "FiringKey",
    "IntendedAction",
    "RuleEvent",
    "RuleRun",
    "RuleSet",
    "RuleSpec",
    "Template",
    "TicketView",
    "Trigger",
    "evaluate",
    "firing_key",
    "idempotency_key",
    "parse_rules",
    "trigger_for_change",
]
