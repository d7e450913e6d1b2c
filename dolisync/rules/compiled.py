"""Turning a condition tree into one fast predicate over ``(TicketView, now)``.

Evaluation is the hot path (100 rules over 100,000 tickets), so each test becomes as few
Python calls as possible: the common tests on plain ticket attributes and on ``age`` read
the value and apply the operator in one closure; other fields go through their reader and
the test's ``check``. ANDs test their cheapest members first (the order of an AND does not
change its result). The result always equals ``Test.check(field.read(view, now))``
combined by the groups: ``explain`` computes it that way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any, Final

from dolisync.rules.conditions import REGEX_WINDOW, Node, Predicate, Test
from dolisync.rules.view import TicketView

# Cheap tests first. Within a cost, the order written is kept (sorted() is stable).
_COST: Final = {"regex": 2, "contains": 1}


class SharedTests:
    """Costly tests that several rules repeat (the same regex on the same field...) are run
    once per ticket: each rule gets the same predicate, which remembers its last answer."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self._counts = Counter(_share_key(test) for test in _tests(nodes) if test.op in _SHARED)
        self._made: dict[tuple[str, str, str], Predicate] = {}

    def predicate(self, test: Test) -> Predicate:
        key = _share_key(test)
        if self._counts.get(key, 0) < 2:
            return _compile_test(test)
        if key not in self._made:
            self._made[key] = _remember_last(_compile_test(test))
        return self._made[key]


_SHARED: Final = frozenset({"regex", "contains"})  # never time-based: ``now`` plays no part


def _share_key(test: Test) -> tuple[str, str, str]:
    return (test.field.name, test.op, test.shown)


def _tests(nodes: Iterable[Node]) -> Iterator[Test]:
    for node in nodes:
        if isinstance(node, Test):
            yield node
        else:
            yield from _tests(node.items)


def _remember_last(predicate: Predicate) -> Predicate:
    # (view, answer) in one tuple: replaced in one step, so threads never mix two views
    last: list[tuple[object, bool]] = [(None, False)]

    def remembered(view: TicketView, now: float) -> bool:
        seen, answer = last[0]
        if seen is view:
            return answer
        answer = predicate(view, now)
        last[0] = (view, answer)
        return answer

    return remembered


def compile_node(
    node: Node, *, known: Sequence[Test] = (), shared: SharedTests | None = None
) -> Predicate:
    """A fast predicate for ``node``.

    ``known``: tests of the top-level AND that the caller has already checked (the rule
    index did), left out. ``shared``: the ruleset's shared tests.
    """
    if isinstance(node, Test):
        return _compile_test(node) if shared is None else shared.predicate(node)
    items = [part for part in node.items if all(part is not test for test in known)]
    predicates = tuple(compile_node(part, shared=shared) for part in sorted(items, key=cost))
    return _any_of(predicates) if node.mode == "any" else _all_of(predicates)


def cost(node: Node) -> int:
    if isinstance(node, Test):
        return _COST.get(node.op, 0) + (1 if node.field.kind == "duration" else 0)
    return 3 + max((cost(part) for part in node.items), default=0)


def _compile_test(test: Test) -> Predicate:
    attribute = test.field.ticket_attribute
    if attribute is not None:
        maker = _ON_ATTRIBUTE.get(test.op)
        if maker is not None:
            return maker(attrgetter(attribute), test.operand)
    if test.field.name == "age" and test.op in ("over", "under"):
        return _age(test.op, float(test.operand))  # type: ignore[arg-type]
    read, check = test.field.read, test.check
    return lambda view, now: check(read(view, now))


# -- one closure per test on a plain ticket attribute -------------------------------------

Getter = Callable[[Any], Any]


def _in(get: Getter, values: Any) -> Predicate:
    return lambda view, _now: get(view.ticket) in values


def _not_in(get: Getter, values: Any) -> Predicate:
    return lambda view, _now: get(view.ticket) not in values


def _regex(get: Getter, pattern: Any) -> Predicate:
    search = pattern.search if isinstance(pattern, re.Pattern) else None
    assert search is not None

    def test(view: TicketView, _now: float) -> bool:
        value = get(view.ticket)
        return value.__class__ is str and search(value, 0, REGEX_WINDOW) is not None

    return test


def _contains(get: Getter, needles: Any) -> Predicate:
    def test(view: TicketView, _now: float) -> bool:
        value = get(view.ticket)
        if value.__class__ is not str:
            return False
        folded = value.casefold()
        for needle in needles:  # noqa: SIM110  (see _all_of)
            if needle in folded:
                return True
        return False

    return test


def _over(get: Getter, limit: Any) -> Predicate:
    def test(view: TicketView, _now: float) -> bool:
        value = get(view.ticket)
        return value.__class__ in (int, float) and value > limit

    return test


def _under(get: Getter, limit: Any) -> Predicate:
    def test(view: TicketView, _now: float) -> bool:
        value = get(view.ticket)
        return value.__class__ in (int, float) and value < limit

    return test


def _empty(get: Getter, wanted: Any) -> Predicate:
    def test(view: TicketView, _now: float) -> bool:
        value = get(view.ticket)
        return bool((value is None or value == "") == wanted)

    return test


_ON_ATTRIBUTE: Final[dict[str, Callable[[Getter, Any], Predicate]]] = {
    "equals": _in,
    "one_of": _in,
    "not": _not_in,
    "regex": _regex,
    "contains": _contains,
    "over": _over,
    "under": _under,
    "empty": _empty,
}


def _age(op: str, limit: float) -> Predicate:
    if op == "over":

        def over(view: TicketView, now: float) -> bool:
            created = view.ticket.created_at
            return created is not None and now - created > limit

        return over

    def under(view: TicketView, now: float) -> bool:
        created = view.ticket.created_at
        return created is not None and now - created < limit

    return under


# -- groups --------------------------------------------------------------------------------


def _all_of(predicates: tuple[Predicate, ...]) -> Predicate:
    if not predicates:
        return lambda _view, _now: True
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda view, now: first(view, now) and second(view, now)

    # plain loops, not all()/any() over a generator: this is the hot path, and a generator
    # costs more than most tests it would run
    def every(view: TicketView, now: float) -> bool:
        for predicate in predicates:  # noqa: SIM110
            if not predicate(view, now):
                return False
        return True

    return every


def _any_of(predicates: tuple[Predicate, ...]) -> Predicate:
    def some(view: TicketView, now: float) -> bool:
        for predicate in predicates:  # noqa: SIM110
            if predicate(view, now):
                return True
        return False

    return some
