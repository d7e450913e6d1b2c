"""What a rule decided: intended actions, firings (for the audit log) and events for the logs.

Pure data: rules never call Dolibarr. The outbox executes each ``IntendedAction`` exactly once,
keyed by ``idempotency_key``; the audit log records each ``Firing``. A parameter that is still
a ``Template`` holds fields only the outbox knows (``{intervention.ref}``): it renders them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from dolisync.rules.templates import Template

KEY_PREFIX: Final = "dsr-"


def _digest(*parts: object) -> str:
    # \x1f cannot appear in a rule name, so distinct part lists never join to the same text
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def idempotency_key(
    rule_name: str,
    source: str,
    ticket_id: int,
    action_index: int,
    trigger_version: str | None,
) -> str:
    """The outbox's key for one action: the same inputs always give the same key.

    ``trigger_version`` is None for rules that fire once per ticket, and the trigger's version
    for ``repeat = "on_change"`` (so each new change may act again). Hex only, so it is safe
    inside Dolibarr fields and ``like`` filters.
    """
    return KEY_PREFIX + _digest(
        "action", rule_name, source, ticket_id, action_index, trigger_version
    )


class FiringKey(NamedTuple):
    """What makes a firing unique: "has this rule already fired here?" (the audit log's key)."""

    rule_name: str
    source: str
    ticket_id: int
    trigger_version: str | None  # None for rules that fire once per ticket


def firing_key(
    rule_name: str, source: str, ticket_id: int, trigger_version: str | None
) -> FiringKey:
    return FiringKey(rule_name, source, ticket_id, trigger_version)


@dataclass(frozen=True, slots=True)
class IntendedAction:
    """One action to perform: its ``kind``, its ``params`` and its place (``index``) in ``then``."""

    kind: str
    params: Mapping[str, Any]
    index: int

    @property
    def pending_fields(self) -> frozenset[str]:
        """Template fields the outbox must still fill in (``intervention.ref``...)."""
        return _pending(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "index": self.index, "params": to_data(self.params)}


class Firing(NamedTuple):
    """A rule matched a ticket and was allowed to act: what the audit log records.

    A NamedTuple rather than a frozen dataclass: one is built per firing on the evaluation's
    hot path, and a NamedTuple costs a third as much to build.
    """

    rule_name: str
    ruleset_hash: str
    ticket_id: int
    source: str
    trigger: str
    actions: tuple[IntendedAction, ...]
    at: float
    trigger_version: str | None = None  # set only for repeat = "on_change"
    ticket_ref: str = ""

    @property
    def key(self) -> FiringKey:
        return firing_key(self.rule_name, self.source, self.ticket_id, self.trigger_version)

    def idempotency_key(self, action: IntendedAction) -> str:
        return idempotency_key(
            self.rule_name, self.source, self.ticket_id, action.index, self.trigger_version
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_name,
            "ruleset": self.ruleset_hash,
            "source": self.source,
            "ticket_id": self.ticket_id,
            "ticket_ref": self.ticket_ref,
            "trigger": self.trigger,
            "trigger_version": self.trigger_version,
            "at": self.at,
            "actions": [
                {**action.to_dict(), "idempotency_key": self.idempotency_key(action)}
                for action in self.actions
            ],
        }


@dataclass(frozen=True, slots=True)
class RuleEvent:
    """Something the caller should log: ``rules.capped``, ``rules.own_write_ignored``."""

    event: str
    source: str
    ticket_id: int
    rule_name: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "rule": self.rule_name,
            "source": self.source,
            "ticket_id": self.ticket_id,
            **self.detail,
        }


def to_data(value: Any) -> Any:
    """A JSON-ready copy: templates as ``{"template": [...]}``, tuples as lists."""
    if isinstance(value, Template):
        return {"template": value.to_data()}
    if isinstance(value, Mapping):
        return {str(key): to_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    return value


def _pending(value: Any) -> frozenset[str]:
    if isinstance(value, Template):
        return value.fields
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return frozenset().union(*(_pending(item) for item in value))
    return frozenset()
