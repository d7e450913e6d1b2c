"""Which rules can possibly match a ticket, found with a few dictionary lookups per ticket.

Most rules start with tests on fields with few values: ``category_code = "ONSITE"``,
``severity_code = ["HIGH", "BLOCKING"]``, ``status = { not = ["closed"] }``. Such top-level
tests (a rule's *key tests*) must all hold for the rule to match. For each such field the
index keeps, per value, the set of rules (a bit mask, bit *i* = rule *i*) that the value
does not exclude; a ticket's candidates are the AND of its values' masks. The rest of each
candidate is then checked normally (``compile_node(known=...)`` leaves the key tests out).
Rules without key tests are always candidates.

The result is exactly what testing every rule would give: the index only skips rules
that cannot match, and keeps the rules' order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Generic, TypeVar

from dolisync.records import TICKET_STATUS_NAMES
from dolisync.rules.conditions import Group, Test
from dolisync.rules.fields import FieldDef, Reader
from dolisync.rules.view import TicketView

T = TypeVar("T")

# The status is read as its code, or OTHER for a code dolisync has no name for, so that
# ``status = { not = [...] }`` can be filed too: under every other code, and OTHER.
OTHER: Final = object()
_STATUS_KEYS: Final[frozenset[object]] = frozenset({*TICKET_STATUS_NAMES, OTHER})
_STATUS_KEY: Final[dict[object, object]] = {code: code for code in TICKET_STATUS_NAMES}


def key_values(test: Test) -> frozenset[object] | None:
    """The index values under which ``test`` holds; None when it cannot be filed."""
    if test.field.kind == "status" and test.op == "not":
        excluded = test.operand if isinstance(test.operand, frozenset) else frozenset()
        return _STATUS_KEYS - excluded
    if test.accepts and test.field.kind != "bool":
        return test.accepts
    return None


def key_tests(when: Group) -> tuple[Test, ...]:
    """The top-level tests of a rule the index can file it by."""
    return tuple(node for node in when.items if isinstance(node, Test) and key_values(node))


def _index_reader(field: FieldDef) -> Reader:
    if field.kind != "status":
        return field.read
    status_key = _STATUS_KEY.get
    return lambda view, _now: status_key(view.ticket.status, OTHER)


class RuleIndex(Generic[T]):
    """Items (rules), each with its key tests; ``candidates`` keeps the items' order."""

    def __init__(self, items: Sequence[tuple[T, tuple[Test, ...]]]) -> None:
        self._items = [entry for entry, _ in items]
        self._all = (1 << len(self._items)) - 1
        accepted: dict[str, dict[int, frozenset[object]]] = {}  # field -> rule -> values
        fields: dict[str, FieldDef] = {}
        for position, (_, tests) in enumerate(items):
            for test in tests:
                values = key_values(test) or frozenset()
                by_rule = accepted.setdefault(test.field.name, {})
                by_rule[position] = by_rule.get(position, values) & values
                fields[test.field.name] = test.field
        tables = [self._table(fields[name], by_rule) for name, by_rule in accepted.items()]
        # the field that excludes the most rules first: an empty mask ends the lookups early
        tables.sort(key=lambda table: bin(table[2]).count("1"))
        self._tables = tuple(tables)

    def _table(
        self, field: FieldDef, by_rule: dict[int, frozenset[object]]
    ) -> tuple[Reader, dict[object, int], int]:
        keyed = sum(1 << position for position in by_rule)
        default = self._all & ~keyed  # rules that do not test this field accept any value
        masks: dict[object, int] = {}
        for position, values in by_rule.items():
            for value in values:
                masks[value] = masks.get(value, default) | (1 << position)
        return _index_reader(field), masks, default

    def candidates(self, view: TicketView, now: float) -> list[T]:
        """The items whose key tests all hold for ``view``, in their original order."""
        mask = self._all
        for read, masks, default in self._tables:
            mask &= masks.get(read(view, now), default)
            if not mask:
                return []
        items = self._items
        found = []
        while mask:
            lowest = mask & -mask
            found.append(items[lowest.bit_length() - 1])
            mask ^= lowest
        return found
