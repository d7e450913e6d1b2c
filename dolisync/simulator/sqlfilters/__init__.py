"""Dolibarr's ``sqlfilters`` language for the simulator: parse, check, translate to SQLite.

``translate`` gives the SQLite WHERE expression (``?`` placeholders, values always bound,
never interpolated) that selects the rows real Dolibarr 20.0.2 / 22.0.4 would return, or
raises what Dolibarr answers:

* :class:`SqlFiltersSyntaxError` -> ``400 Bad Request: Error when validating parameter
  sqlfilters -> <reason>`` (``reason`` is Dolibarr's exact text);
* :class:`SqlFiltersQueryError` (its subclass :class:`UnknownColumn` for unknown columns) ->
  ``503 Error when retrieve <object> list``: Dolibarr accepted the string but the database
  rejected the SQL it forged.

Known differences from MariaDB (documented inferences, no capture covers them): text compares
with ASCII-only case folding (no accent or non-ASCII case folding); a value that MariaDB would
read as another column, a keyword (TRUE, CURRENT_TIMESTAMP), a hex literal or an arithmetic
expression answers 503 here; ``IS`` accepts only NULL; nesting deeper than 100 parentheses
answers 503; a column-less operand such as ``(1:=:1)`` is an unknown column here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

from dolisync.simulator.sqlfilters._criteria import Context, read
from dolisync.simulator.sqlfilters._errors import (
    SqlFiltersError,
    SqlFiltersQueryError,
    SqlFiltersSyntaxError,
    UnknownColumn,
)
from dolisync.simulator.sqlfilters._syntax import Criterion, Node, parse
from dolisync.simulator.sqlfilters._where import ColumnType, Sql, comparison_sql, joined

__all__ = [
    "ColumnType",
    "SqlFiltersError",
    "SqlFiltersQueryError",
    "SqlFiltersSyntaxError",
    "UnknownColumn",
    "translate",
]

_FIRST_V22_RULES = (22,)  # 21.x is unverified: it is treated like 20.0.2
_COLUMN_KEY = re.compile(r"(?:([A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)\Z", re.ASCII)


def translate(
    sqlfilters: str,
    *,
    columns: Mapping[str, ColumnType | str],
    version: tuple[int, ...] | str,
    now: str | None = None,
    user_id: int = 1,
) -> tuple[str, list[object]]:
    """The SQLite WHERE expression and its parameters for ``sqlfilters``.

    ``columns`` maps the table's columns to their type: ``"rowid"`` (alias ``t``) or
    ``"alias.column"`` -> ``ColumnType`` (or its value, e.g. ``"datetime"``). The SQL names
    them ``t.<column>``, so query the table ``AS t``. ``version`` is Dolibarr's, e.g.
    ``(22, 0, 4)`` or ``"20.0.2"``. ``now`` is the server-local time ``YYYY-MM-DD HH:MM:SS``
    that ``__NOW__`` stands for (default: this machine's local time); ``user_id`` is the API
    user's id for ``__USER_ID__``. An empty string or ``"0"`` (false in PHP) filters nothing.
    """
    if sqlfilters in ("", "0"):
        return "1", []
    modern = _version(version) >= _FIRST_V22_RULES
    tree = parse(sqlfilters, modern=modern)
    context = Context(modern, now or time.strftime("%Y-%m-%d %H:%M:%S"), user_id)
    return _sql(tree, context, _column_index(columns))


_Index = dict[tuple[str, str], tuple[str, ColumnType]]


def _sql(node: Node, context: Context, index: _Index) -> Sql:
    if isinstance(node, Criterion):
        comparison = read(node, context)
        column, kind = _resolve(comparison.operand, index)
        sql, params = comparison_sql(comparison, column, kind)
        return f"({sql})", params
    return joined([_sql(part, context, index) for part in node.parts], node.joiner)


def _column_index(columns: Mapping[str, ColumnType | str]) -> _Index:
    index: _Index = {}
    for key, kind in columns.items():
        match = _COLUMN_KEY.match(key)
        if match is None:
            raise ValueError(f"column {key!r} is not 'name' or 'alias.name'")
        alias, name = match.group(1) or "t", match.group(2)
        index[(alias, name.lower())] = (f"{alias}.{name}", ColumnType(kind))
    return index


def _resolve(operand: str, index: _Index) -> tuple[str, ColumnType]:
    """MariaDB's column lookup: alias as written, column name in any case."""
    alias, _, name = operand.rpartition(".")
    if alias:
        found = index.get((alias, name.lower()))
    else:
        matches = [value for (_, column), value in index.items() if column == name.lower()]
        found = matches[0] if len(matches) == 1 else None
    if found is None or "." in alias:
        raise UnknownColumn(operand)
    return found


def _version(version: tuple[int, ...] | str) -> tuple[int, ...]:
    if isinstance(version, str):
        parsed = tuple(int(part) for part in re.findall(r"\d+", version))
        if not parsed:
            raise ValueError(f"version {version!r} has no number")
        return parsed
    return version
