"""Action parameters as the outbox stores them, and the late rendering of deferred templates.

What this module knows: a rule's ``IntendedAction.params`` may still hold ``Template`` values
whose fields only the outbox can fill (``{intervention.ref}``, ``{intervention.id}``: known once
the intervention of the same firing exists). They are stored as ``{"template": [...]}`` JSON
and rendered just before the write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from dolisync.rules.firing import to_data
from dolisync.rules.templates import Template

INTERVENTION_FIELDS: Final = ("intervention.id", "intervention.ref")


def encode(params: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready parameters (templates kept apart from text)."""
    data = to_data(params)
    assert isinstance(data, dict)
    return data


def decode(data: Any) -> Any:
    """Stored parameters back, with their templates."""
    if isinstance(data, Mapping):
        if set(data) == {"template"} and isinstance(data["template"], list):
            return Template.from_data(data["template"])
        return {str(key): decode(value) for key, value in data.items()}
    if isinstance(data, list):
        return [decode(item) for item in data]
    return data


def needed_fields(data: Any) -> frozenset[str]:
    """The template fields stored parameters still need."""
    value = decode(data)
    return _fields(value)


def _fields(value: Any) -> frozenset[str]:
    if isinstance(value, Template):
        return value.fields
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        return frozenset().union(*(_fields(item) for item in value))
    return frozenset()


def render(value: Any, values: Mapping[str, str]) -> Any:
    """``value`` with every template rendered (``KeyError`` names a missing field)."""
    if isinstance(value, Template):
        return value.render(values)
    if isinstance(value, Mapping):
        return {key: render(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, values) for item in value]
    return value


def needs_intervention(data: Any) -> bool:
    """Whether the parameters name ``{intervention.*}`` (the action waits for it)."""
    return not needed_fields(data).isdisjoint(INTERVENTION_FIELDS)
