"""Rule actions (``[[rules.then]]``): validated once, turned into ``IntendedAction`` on a match.

Kinds and their keys (``action`` names the kind):

* ``create_intervention``: ``description`` (template, default ``"{ticket.ref}: {ticket.subject}"``),
  ``project`` (``"ticket"``: the ticket's project, the default; ``"none"``; or a project id),
  ``lines`` (list of ``{ description = template, duration = "1h" }``);
* ``post_message``: ``text`` (template), ``private`` (default true: an internal note);
* ``set_status``: ``status`` (a status name); ``assign``: ``user`` (login or id);
* ``set_severity`` / ``set_category`` / ``set_type``: ``severity`` / ``category`` / ``type``
  (a dictionary code).

Templates may use ``{intervention.*}`` only after a ``create_intervention`` of the same rule;
those fields stay unrendered for the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from dolisync.durations import parse_duration
from dolisync.records import TICKET_STATUS_CODES
from dolisync.rules.fields import DEFERRED_TEMPLATE_FIELDS, TEMPLATE_FIELDS
from dolisync.rules.firing import IntendedAction
from dolisync.rules.problems import Problems, child, did_you_mean, item, type_name
from dolisync.rules.templates import Template
from dolisync.rules.view import TicketView

DEFAULT_INTERVENTION_DESCRIPTION: Final = "{ticket.ref}: {ticket.subject}"
MAX_CODE_LENGTH: Final = 64

# kind -> (required keys, optional keys)
ACTION_KEYS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "create_intervention": ((), ("description", "project", "lines")),
    "post_message": (("text",), ("private",)),
    "set_status": (("status",), ()),
    "assign": (("user",), ()),
    "set_severity": (("severity",), ()),
    "set_category": (("category",), ()),
    "set_type": (("type",), ()),
}
_CODE_PARAMS: Final = {
    "severity": "severity_code",
    "category": "category_code",
    "type": "type_code",
}
_LINE_KEYS: Final = ("description", "duration")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One validated ``then`` entry; ``settings`` hold templates already parsed."""

    kind: str
    index: int
    path: str
    settings: Mapping[str, Any]
    # Derived once from ``settings`` so that ``intend`` only fills in what varies per ticket.
    _fixed: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    _templated: tuple[tuple[str, Template], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fixed: dict[str, Any] = {}
        templated: list[tuple[str, Template]] = []
        for key, value in self.settings.items():
            if isinstance(value, Template):
                templated.append((key, value))
            elif key in _CODE_PARAMS:
                fixed[_CODE_PARAMS[key]] = value
            elif key == "project":
                fixed["project_id"] = value  # "ticket" is replaced per ticket
            elif key != "lines":
                fixed[key] = value
        object.__setattr__(self, "_fixed", fixed)
        object.__setattr__(self, "_templated", tuple(templated))

    @property
    def fixed_params(self) -> Mapping[str, Any]:
        """The parameters that are the same for every ticket (do not modify)."""
        return self._fixed

    @property
    def template_fields(self) -> frozenset[str]:
        """Every field the action's templates name."""
        return frozenset().union(*(template.fields for template in self.templates))

    @property
    def templates(self) -> tuple[Template, ...]:
        found = [value for value in self.settings.values() if isinstance(value, Template)]
        for line in self.settings.get("lines", ()):
            found.append(line["description"])
        return tuple(found)

    def intend(self, view: TicketView, values: Mapping[str, str]) -> IntendedAction:
        """The action for one ticket; ``values`` fill every template field known now."""
        params = dict(self._fixed)
        for key, template in self._templated:
            params[key] = _bound(template, values)
        if self.kind == "create_intervention":
            params["socid"] = view.ticket.socid
            if params["project_id"] == "ticket":
                params["project_id"] = view.ticket.project_id
            params["lines"] = tuple(
                {"description": _bound(line["description"], values), "duration": line["duration"]}
                for line in self.settings.get("lines", ())
            )
        return IntendedAction(self.kind, params, self.index)


def _bound(template: Template, values: Mapping[str, str]) -> str | Template:
    if template.fields <= values.keys():
        return template.render(values)
    return template.bind(values)


def parse_actions(raw: object, path: str, problems: Problems) -> tuple[ActionSpec, ...]:
    """The validated ``then`` list of one rule; problems are added, never raised."""
    if not isinstance(raw, list) or not raw:
        problems.add(path, 'must list at least one action: [[rules.then]] with action = "..."')
        return ()
    specs: list[ActionSpec] = []
    intervention_created = False
    for index, entry in enumerate(raw):
        entry_path = item(path, index)
        spec = _parse_action(entry, index, entry_path, problems, intervention_created)
        if spec is not None:
            specs.append(spec)
            intervention_created = intervention_created or spec.kind == "create_intervention"
    return tuple(specs)


def _parse_action(
    raw: object, index: int, path: str, problems: Problems, after_intervention: bool
) -> ActionSpec | None:
    if not isinstance(raw, Mapping):
        problems.add(path, f"must be a table with action = ..., not {type_name(raw)}")
        return None
    kind = raw.get("action")
    if not isinstance(kind, str) or kind not in ACTION_KEYS:
        hint = did_you_mean(kind, ACTION_KEYS)
        problems.add(
            child(path, "action"), f"must be one of {', '.join(ACTION_KEYS)}{hint}, not {kind!r}"
        )
        return None
    required, optional = ACTION_KEYS[kind]
    count = len(problems)
    for key in raw:
        if key != "action" and key not in required + optional:
            allowed = ", ".join(("action", *required, *optional))
            hint = did_you_mean(key, required + optional)
            problems.add(child(path, key), f"is not a setting of {kind}{hint}; settings: {allowed}")
    for key in required:
        if key not in raw:
            problems.add(child(path, key), f"is required for {kind}")
    allowed_fields = _template_fields(after_intervention and kind != "create_intervention")
    settings = {
        key: _setting(key, value, child(path, key), problems, allowed_fields)
        for key, value in raw.items()
        if key != "action" and key in required + optional
    }
    if kind == "create_intervention":
        settings.setdefault(
            "description", Template.parse(DEFAULT_INTERVENTION_DESCRIPTION, TEMPLATE_FIELDS)
        )
        settings.setdefault("project", "ticket")
    if kind == "post_message":
        settings.setdefault("private", True)
    return None if len(problems) > count else ActionSpec(kind, index, path, settings)


def _template_fields(with_intervention: bool) -> frozenset[str]:
    if with_intervention:
        return frozenset(TEMPLATE_FIELDS)
    return frozenset(TEMPLATE_FIELDS) - set(DEFERRED_TEMPLATE_FIELDS)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_code(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= MAX_CODE_LENGTH


# setting -> (is the value acceptable, what to say when it is not)
_CHECKS: Final[dict[str, tuple[Callable[[object], bool], str]]] = {
    "private": (lambda value: isinstance(value, bool), "must be true or false"),
    "status": (
        lambda value: isinstance(value, str) and value in TICKET_STATUS_CODES,
        f"must be a status: {', '.join(TICKET_STATUS_CODES)}",
    ),
    "user": (
        lambda value: (isinstance(value, str) and bool(value.strip())) or _is_id(value),
        "must be a user login (text) or a user id (number)",
    ),
    "severity": (_is_code, 'must be a severity code, like "HIGH"'),
    "category": (_is_code, 'must be a category code, like "ONSITE"'),
    "type": (_is_code, 'must be a type code, like "ISSUE"'),
    "project": (
        lambda value: value in ("ticket", "none") or _is_id(value),
        'must be "ticket", "none" or a project id',
    ),
}


def _setting(key: str, value: object, path: str, problems: Problems, fields: frozenset[str]) -> Any:
    if key in ("description", "text"):
        return _template(value, path, problems, fields)
    if key == "lines":
        return _lines(value, path, problems, fields)
    accepts, message = _CHECKS[key]
    if not accepts(value):
        shown = type_name(value) if isinstance(value, Mapping | list) else repr(value)
        problems.add(path, f"{message}, not {shown}")
    return None if key == "project" and value == "none" else value


def _template(
    value: object, path: str, problems: Problems, fields: frozenset[str]
) -> Template | None:
    if not isinstance(value, str):
        problems.add(path, f"must be a text, not {type_name(value)}")
        return None
    try:
        return Template.parse(value, fields)
    except ValueError as error:
        hint = ""
        if any(name in value for name in DEFERRED_TEMPLATE_FIELDS) and fields.isdisjoint(
            DEFERRED_TEMPLATE_FIELDS
        ):
            hint = " ({intervention.*} is known only in actions after a create_intervention)"
        problems.add(path, f"{error}{hint}")
        return None


def _lines(
    value: object, path: str, problems: Problems, fields: frozenset[str]
) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list):
        problems.add(
            path,
            f"must be a list of {{ description = ..., duration = ... }}, not {type_name(value)}",
        )
        return ()
    lines = []
    for index, line in enumerate(value):
        line_path = item(path, index)
        if not isinstance(line, Mapping):
            problems.add(
                line_path,
                f"must be a table {{ description = ..., duration = ... }}, not {type_name(line)}",
            )
            continue
        for key in line:
            if key not in _LINE_KEYS:
                problems.add(
                    child(line_path, key),
                    f"is not a line setting; settings: {', '.join(_LINE_KEYS)}",
                )
        for key in _LINE_KEYS:
            if key not in line:
                problems.add(child(line_path, key), "is required for an intervention line")
        if any(key not in line for key in _LINE_KEYS):
            continue
        description = _template(
            line["description"], child(line_path, "description"), problems, fields
        )
        try:
            duration = int(parse_duration(line["duration"]))
        except ValueError as error:
            problems.add(child(line_path, "duration"), str(error))
            continue
        lines.append({"description": description, "duration": duration})
    return tuple(lines)
