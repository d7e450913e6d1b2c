"""Rule conditions (``[rules.when]``): validated and parsed once into a tree of tests.

A ``when`` table is an AND of its keys. ``any = [ {...}, {...} ]`` is an OR of tables and
``all = [...]`` an AND of tables (to hold two OR groups); both nest. A key names a field
(``fields.CONDITION_FIELDS``; ``customer.name`` may be written as a dotted key or a table) and
its value is the test:

* a scalar means *equals*, a list means *one of*;
* a table holds operators, all of which must hold: ``equals``, ``one_of``, ``not`` (a value or
  a list), ``regex`` (searched anywhere, case-sensitive unless ``(?i)``), ``contains`` (a text or
  a list: any of them, case-insensitive), ``over`` / ``under`` (numbers; durations for ``age``
  and ``idle``), ``empty`` (true: the field has no value).

A missing value (no customer, no date) fails every operator except ``not`` and ``empty = true``.
Each ``Test`` carries its ``check`` (value -> bool); ``compiled`` turns a tree into one fast
predicate and ``index`` files rules by their equalities.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from dolisync.durations import parse_duration
from dolisync.records import TICKET_STATUS_CODES
from dolisync.rules.fields import CONDITION_FIELDS, NAMESPACES, FieldDef, FieldKind
from dolisync.rules.problems import Problems, child, did_you_mean, item, type_name
from dolisync.rules.view import TicketView

# Regexes see at most this much of a text: bounds the work a hostile message can cause.
REGEX_WINDOW: Final = 65_536
GROUP_KEYS: Final = ("any", "all")

_EQUALITY: Final = ("equals", "one_of", "not")
OPERATORS: Final[dict[FieldKind, tuple[str, ...]]] = {
    "text": (*_EQUALITY, "regex", "contains", "empty"),
    "int": (*_EQUALITY, "over", "under", "empty"),
    "bool": ("equals", "not"),
    "status": _EQUALITY,
    "duration": ("over", "under"),
}
ALL_OPERATORS: Final = frozenset(op for ops in OPERATORS.values() for op in ops)

Check = Callable[[object], bool]
Predicate = Callable[[TicketView, float], bool]


@dataclass(frozen=True, slots=True)
class Test:
    """One operator applied to one field. ``accepts`` is set for equals/one-of (rule index)."""

    path: str
    field: FieldDef
    op: str
    shown: str  # the operand as explain prints it
    check: Check = dataclasses.field(compare=False, repr=False)
    accepts: frozenset[object] | None = None
    # The operand, ready to use: a compiled pattern (regex), casefolded needles (contains),
    # a number (over/under), a bool (empty), the value set (equals/one_of/not).
    operand: object = dataclasses.field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Group:
    """``all``: every item holds (a when table); ``any``: at least one does."""

    path: str
    mode: Literal["all", "any"]
    items: tuple[Node, ...]


Node = Test | Group


def parse_when(raw: object, path: str, problems: Problems) -> Group:
    """The AND group of a ``when`` table; problems are added, never raised."""
    if raw is None:
        return Group(path, "all", ())
    if not isinstance(raw, Mapping):
        problems.add(path, f"must be a table of conditions, not {type_name(raw)}")
        return Group(path, "all", ())
    return Group(path, "all", tuple(_parse_table(raw, path, "", problems)))


def _parse_table(
    raw: Mapping[object, object], path: str, prefix: str, problems: Problems
) -> list[Node]:
    nodes: list[Node] = []
    for key, value in raw.items():
        key_path = child(path, key)
        if not isinstance(key, str):
            problems.add(key_path, "keys must be texts")
        elif not prefix and key in GROUP_KEYS:
            nodes.extend(_parse_group(key, value, key_path, problems))
        elif _is_namespace(prefix + key, value):
            assert isinstance(value, Mapping)
            nodes.extend(_parse_namespace(prefix + key, value, key_path, problems))
        elif (field_def := CONDITION_FIELDS.get(prefix + key)) is None:
            problems.add(key_path, _unknown_field(prefix + key))
        else:
            nodes.extend(_parse_test(field_def, value, key_path, problems))
    return nodes


def _is_namespace(name: str, value: object) -> bool:
    """``customer = { name = ... }`` opens a table; ``message = { contains = ... }`` does not."""
    if name not in NAMESPACES or not isinstance(value, Mapping):
        return False
    return name not in CONDITION_FIELDS or not set(value) <= ALL_OPERATORS


def _parse_namespace(
    name: str, raw: Mapping[object, object], path: str, problems: Problems
) -> list[Node]:
    """``customer = { name = ... }``; for ``message``, operators apply to the text and the
    other keys are its fields: ``message = { contains = "x", private = false }``."""
    own = CONDITION_FIELDS.get(name)
    operators = {key: value for key, value in raw.items() if own and key in ALL_OPERATORS}
    fields = {key: value for key, value in raw.items() if key not in operators}
    nodes = _parse_test(own, operators, path, problems) if own and operators else []
    return nodes + _parse_table(fields, path, f"{name}.", problems)


def _unknown_field(name: str) -> str:
    return (
        f"unknown field {name!r}{did_you_mean(name, CONDITION_FIELDS)}; conditions can use: "
        + ", ".join(CONDITION_FIELDS)
        + ", and the groups any / all"
    )


def _parse_group(mode: str, raw: object, path: str, problems: Problems) -> list[Node]:
    if not isinstance(raw, list) or not raw:
        problems.add(
            path, f"must be a non-empty list of condition tables, like {mode} = [{{...}}, {{...}}]"
        )
        return []
    members: list[Node] = []
    for index, member in enumerate(raw):
        member_path = item(path, index)
        if not isinstance(member, Mapping):
            problems.add(member_path, f"must be a table of conditions, not {type_name(member)}")
        elif not member:
            problems.add(member_path, "is an empty table: it would always hold")
        else:
            members.append(
                Group(member_path, "all", tuple(_parse_table(member, member_path, "", problems)))
            )
    return [Group(path, "any" if mode == "any" else "all", tuple(members))]


@dataclass(frozen=True, slots=True)
class _Site:
    """Where an operator is being parsed: the field, the operator and their paths."""

    field: FieldDef
    op: str
    path: str  # the field's path: what explain shows
    op_path: str  # the operator's path: where its problems are reported
    problems: Problems

    def problem(self, message: str) -> None:
        self.problems.add(self.op_path, message)

    def test(
        self,
        shown: str,
        check: Check,
        *,
        operand: object,
        accepts: frozenset[object] | None = None,
    ) -> Test:
        return Test(self.path, self.field, self.op, shown, check, accepts, operand)


def _parse_test(field_def: FieldDef, raw: object, path: str, problems: Problems) -> list[Node]:
    if isinstance(raw, Mapping):
        if not raw:
            allowed = ", ".join(OPERATORS[field_def.kind])
            problems.add(path, f"is an empty table; use one of: {allowed}")
        tests = [_operator(field_def, op, value, path, problems) for op, value in raw.items()]
        return [test for test in tests if test is not None]
    if field_def.kind == "duration":
        problems.add(path, 'compares with over / under, like { over = "4h" }')
        return []
    op = "one_of" if isinstance(raw, list) else "equals"
    test = _equality(_Site(field_def, op, path, path, problems), raw)
    return [] if test is None else [test]


def _operator(
    field_def: FieldDef, op: object, raw: object, path: str, problems: Problems
) -> Test | None:
    allowed = OPERATORS[field_def.kind]
    if not isinstance(op, str) or op not in allowed:
        hint = did_you_mean(op, allowed)
        problems.add(
            child(path, op),
            f"unknown operator for {field_def.name}{hint}; use one of: {', '.join(allowed)}",
        )
        return None
    return _BUILDERS[op](_Site(field_def, op, path, child(path, op), problems), raw)


def _equality(site: _Site, raw: object) -> Test | None:
    if site.op == "one_of" and not isinstance(raw, list):
        site.problem(f"must be a list, not {type_name(raw)}")
        return None
    if site.op == "equals" and isinstance(raw, list):
        site.problem("must be one value; a list means one of")
        return None
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        site.problem("must not be an empty list")
        return None
    count = len(site.problems)
    paths = [
        item(site.op_path, i) if isinstance(raw, list) else site.op_path for i in range(len(values))
    ]
    accepted = frozenset(
        _scalar(site, value, path) for value, path in zip(values, paths, strict=True)
    )
    if len(site.problems) > count:
        return None
    shown = _show_values(values)
    if site.op == "not":
        return site.test(shown, lambda value: value not in accepted, operand=accepted)
    return site.test(shown, lambda value: value in accepted, operand=accepted, accepts=accepted)


def _scalar(site: _Site, value: object, path: str) -> object:
    kind = site.field.kind
    if kind == "status":
        if isinstance(value, str) and value in TICKET_STATUS_CODES:
            return TICKET_STATUS_CODES[value]
        statuses = ", ".join(TICKET_STATUS_CODES)
        site.problems.add(path, f"unknown status {value!r}; statuses: {statuses}")
    elif kind == "text" and not isinstance(value, str):
        site.problems.add(path, f"must be a text, not {type_name(value)}")
    elif kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        site.problems.add(path, f"must be a whole number, not {type_name(value)}")
    elif kind == "bool" and not isinstance(value, bool):
        site.problems.add(path, f"must be true or false, not {type_name(value)}")
    return value if isinstance(value, str | int | float | bool) else repr(value)


def _regex(site: _Site, raw: object) -> Test | None:
    if not isinstance(raw, str) or not raw:
        site.problem("must be a non-empty regular expression text")
        return None
    try:
        pattern = re.compile(raw)
    except (re.error, OverflowError, RecursionError) as error:
        site.problem(f"is not a valid regular expression: {error}")
        return None
    search = pattern.search

    def check(value: object) -> bool:
        return isinstance(value, str) and search(value, 0, REGEX_WINDOW) is not None

    return site.test(repr(raw), check, operand=pattern)


def _contains(site: _Site, raw: object) -> Test | None:
    words = raw if isinstance(raw, list) else [raw]
    if not words or not all(isinstance(word, str) and word for word in words):
        site.problem("must be a non-empty text or a list of non-empty texts")
        return None
    needles = tuple(str(word).casefold() for word in words)

    def check(value: object) -> bool:
        if not isinstance(value, str):
            return False
        folded = value.casefold()
        return any(needle in folded for needle in needles)

    return site.test(_show_values(words), check, operand=needles)


def _bound(site: _Site, raw: object) -> Test | None:
    limit: float
    if site.field.kind == "duration":
        try:
            limit = parse_duration(raw, allow_zero=True)
        except ValueError as error:
            site.problem(str(error))
            return None
    elif isinstance(raw, bool) or not isinstance(raw, int | float):
        site.problem(f"must be a number, not {type_name(raw)}")
        return None
    else:
        limit = raw
    shown = repr(raw) if isinstance(raw, str) else str(raw)
    if site.op == "over":
        return site.test(shown, lambda value: _number(value) > limit, operand=limit)
    return site.test(shown, lambda value: _number(value) < limit, operand=limit)


def _number(value: object) -> float:
    """A comparable number; NaN (which compares false both ways) for a missing value."""
    return float(value) if isinstance(value, int | float) else float("nan")


def _empty(site: _Site, raw: object) -> Test | None:
    if not isinstance(raw, bool):
        site.problem(f"must be true or false, not {type_name(raw)}")
        return None
    wanted = raw
    return site.test(
        "true" if raw else "false",
        lambda value: (value is None or value == "") == wanted,
        operand=wanted,
    )


_BUILDERS: Final[dict[str, Callable[[_Site, object], Test | None]]] = {
    "equals": _equality,
    "one_of": _equality,
    "not": _equality,
    "regex": _regex,
    "contains": _contains,
    "over": _bound,
    "under": _bound,
    "empty": _empty,
}


def _show_values(values: Sequence[object]) -> str:
    shown = [repr(value) if isinstance(value, str) else str(value) for value in values]
    return shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]"
