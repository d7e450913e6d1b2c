"""The ``[[rules]]`` section: strict validation into ``RuleSpec`` values.

``parse_rules`` reports every problem at once, each with its dotted path
(``rules[2].when.status``) and, when the TOML text is given, its line: unknown keys, wrong
types, bad regexes, unknown statuses and fields, templates naming unknown fields, duplicate
names. It never raises on bad input, whatever its shape.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from dolisync.errors import Problem
from dolisync.rules.actions import ActionSpec, parse_actions
from dolisync.rules.conditions import Group, parse_when
from dolisync.rules.problems import Problems, child, did_you_mean, item, type_name
from dolisync.rules.triggers import parse_on
from dolisync.tomlpaths import LineIndex

Repeat = Literal["once", "on_change"]

RULE_KEYS: Final = (
    "name",
    "description",
    "enabled",
    "on",
    "stop",
    "max_actions_per_run",
    "repeat",
    "when",
    "then",
)
REPEATS: Final = ("once", "on_change")
NAME_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DEFAULT_MAX_ACTIONS: Final = 50
MAX_ACTIONS_LIMIT: Final = 10_000
_SETTINGS: Final = ", ".join(RULE_KEYS)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One validated rule, in file order (``position``)."""

    name: str
    on: tuple[str, ...]
    when: Group
    then: tuple[ActionSpec, ...]
    description: str = ""
    enabled: bool = True
    stop: bool = False
    max_actions_per_run: int = DEFAULT_MAX_ACTIONS
    repeat: Repeat = "once"
    position: int = 0
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def path(self) -> str:
        return item("rules", self.position)


def parse_rules(
    raw: object, *, file: str | None = None, source_text: str | None = None
) -> tuple[tuple[RuleSpec, ...], list[Problem]]:
    """Validate the raw ``[[rules]]`` list: the specs when all is well, else every problem.

    ``raw`` is what tomllib gave for the ``rules`` key (None when absent). Problems carry
    ``file`` and, when ``source_text`` is given, the line of their path.
    """
    problems = Problems()
    specs = _parse_list(raw, problems)
    if not problems.found:
        return specs, []
    lines = LineIndex(source_text) if source_text is not None else None
    return (), [
        Problem(path=path, message=message, file=file, line=lines.line_of(path) if lines else None)
        for path, message in problems.found
    ]


def parse_rules_text(
    text: str, *, file: str | None = None
) -> tuple[tuple[RuleSpec, ...], list[Problem]]:
    """The ``[[rules]]`` of a TOML text (a rules-only file or a whole config file)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return (), [Problem(path="", message=f"invalid TOML: {error}", file=file)]
    if "rules" not in document:
        return (), [Problem(path="rules", message="no [[rules]] in this file", file=file)]
    return parse_rules(document["rules"], file=file, source_text=text)


def _parse_list(raw: object, problems: Problems) -> tuple[RuleSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add("rules", f"must be a list of [[rules]] tables, not {type_name(raw)}")
        return ()
    specs: list[RuleSpec] = []
    first_seen: dict[str, int] = {}
    for position, entry in enumerate(raw):
        spec = _parse_rule(entry, position, problems)
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if isinstance(name, str) and name in first_seen:
            problems.add(
                child(item("rules", position), "name"),
                f"duplicate rule name {name!r} (also rules[{first_seen[name]}])",
            )
        elif isinstance(name, str):
            first_seen[name] = position
        if spec is not None:
            specs.append(spec)
    return tuple(specs)


def _parse_rule(raw: object, position: int, problems: Problems) -> RuleSpec | None:
    path = item("rules", position)
    if not isinstance(raw, Mapping):
        problems.add(path, f"must be a table ([[rules]]), not {type_name(raw)}")
        return None
    count = len(problems)
    for key in raw:
        if key not in RULE_KEYS:
            hint = did_you_mean(key, RULE_KEYS)
            problems.add(child(path, key), f"is not a rule setting{hint}; settings: {_SETTINGS}")
    name = _name(raw.get("name"), child(path, "name"), problems)
    for key in ("on", "then"):
        if key not in raw:
            problems.add(child(path, key), "is required")
    on = parse_on(raw["on"], child(path, "on"), problems) if "on" in raw else ()
    when = parse_when(raw.get("when"), child(path, "when"), problems)
    then = parse_actions(raw["then"], child(path, "then"), problems) if "then" in raw else ()
    description = _plain(raw, "description", path, problems)
    enabled = _plain(raw, "enabled", path, problems)
    stop = _plain(raw, "stop", path, problems)
    cap = _cap(
        raw.get("max_actions_per_run", DEFAULT_MAX_ACTIONS),
        child(path, "max_actions_per_run"),
        problems,
    )
    if "max_actions_per_run" in raw and len(then) > cap:
        problems.add(
            child(path, "max_actions_per_run"),
            f"is {cap}, fewer than the rule's {len(then)} actions: it could never fire",
        )
    repeat = raw.get("repeat", "once")
    if repeat not in REPEATS:
        problems.add(
            child(path, "repeat"), f'must be "once" (the default) or "on_change", not {repeat!r}'
        )
    if len(problems) > count:
        return None
    return RuleSpec(
        name=name,
        on=on,
        when=when,
        then=then,
        description=description,
        enabled=enabled,
        stop=stop,
        max_actions_per_run=cap,
        repeat="on_change" if repeat == "on_change" else "once",
        position=position,
        raw=raw,
    )


def _name(value: object, path: str, problems: Problems) -> str:
    if value is None:
        problems.add(path, 'is required: a unique name like "onsite-needs-intervention"')
        return ""
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        rule = "1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit"
        problems.add(path, f"must be {rule}, not {value!r}")
        return ""
    return value


# setting -> (type, default, what to say when the type is wrong)
_PLAIN: Final[dict[str, tuple[type, object, str]]] = {
    "description": (str, "", "a text"),
    "enabled": (bool, True, "true or false"),
    "stop": (bool, False, "true or false"),
}


def _plain(raw: Mapping[Any, Any], key: str, path: str, problems: Problems) -> Any:
    kind, default, what = _PLAIN[key]
    value = raw.get(key, default)
    if not isinstance(value, kind):
        problems.add(child(path, key), f"must be {what}, not {type_name(value)}")
        return default
    return value


def _cap(value: object, path: str, problems: Problems) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ACTIONS_LIMIT:
        problems.add(path, f"must be a whole number from 1 to {MAX_ACTIONS_LIMIT}, not {value!r}")
        return DEFAULT_MAX_ACTIONS
    return value
