"""SQLite SQL that answers one Dolibarr comparison the way MariaDB does.

What this module knows: how MariaDB compares by column type, and how to get the same rows
from SQLite with bound parameters only.

* text column vs quoted text: Dolibarr's ``utf8mb4_unicode_ci`` collation ignores case and
  trailing spaces. SQLite gets ``rtrim(col, ' ') op ? COLLATE NOCASE``: ASCII case only —
  accents and non-ASCII case are NOT folded here (MariaDB would fold them).
* text column vs number: compared as DOUBLE (``'ISSUE' = 0`` is true): ``CAST(col AS REAL)``
  takes the leading number like MariaDB.
* number column vs quoted text: the text's leading number (``'12abc'`` -> 12, ``'abc'`` -> 0).
* DATETIME column (stored as server-local ``YYYY-MM-DD HH:MM:SS`` text): the literal is
  converted to a DATETIME first (see ``_values``), unreadable ones to the zero date.
* ``x = NULL`` is never true; ``<=>`` is null-safe (SQLite ``IS``).
* LIKE: ASCII case-insensitive (SQLite's default LIKE), ``\\`` escapes the next character as
  in MariaDB; the pattern is rewritten for ``ESCAPE '\\'``.
* IN is an OR of ``=`` (same NULL logic as SQL IN); NOT IN is its negation.
"""

from __future__ import annotations

from enum import StrEnum

from dolisync.simulator.sqlfilters import _values as php
from dolisync.simulator.sqlfilters._criteria import Comparison, Literal, Text
from dolisync.simulator.sqlfilters._errors import SqlFiltersQueryError

Sql = tuple[str, list[object]]


class ColumnType(StrEnum):
    """How MariaDB types a column, which decides how a literal is compared with it."""

    INT = "int"
    REAL = "real"
    TEXT = "text"
    DATETIME = "datetime"


def comparison_sql(comparison: Comparison, column: str, kind: ColumnType) -> Sql:
    """SQL (``?`` placeholders) true for the rows MariaDB would keep."""
    operator = comparison.operator
    values = comparison.values
    if operator in ("IS", "IS NOT"):
        if values != (None,):
            raise SqlFiltersQueryError(f"{operator} takes only NULL here")
        return f"{column} {operator} NULL", []
    if operator in ("LIKE", "NOT LIKE"):
        (pattern,) = values
        assert isinstance(pattern, Text)  # _criteria always quotes LIKE values
        target = f"CAST({column} AS TEXT)" if kind is ColumnType.INT else column
        return f"{target} {operator} ? ESCAPE '\\'", [sqlite_like_pattern(pattern.value)]
    if operator in ("IN", "NOT IN"):
        sql, params = joined([_compare(column, kind, "=", value) for value in values], "OR")
        return (f"NOT ({sql})" if operator == "NOT IN" else sql), params
    return _compare(column, kind, operator, values[0])


def joined(parts: list[Sql], joiner: str) -> Sql:
    """``(a JOINER b ...)`` as a balanced tree, so SQLite's expression depth stays small."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    left_sql, left_params = joined(parts[:middle], joiner)
    right_sql, right_params = joined(parts[middle:], joiner)
    return f"({left_sql} {joiner} {right_sql})", left_params + right_params


def sqlite_like_pattern(pattern: str) -> str:
    """MariaDB's LIKE pattern (``\\`` escapes; a final ``\\`` is literal) for ESCAPE '\\'."""
    out: list[str] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            literal = pattern[position + 1] if position + 1 < len(pattern) else "\\"
            out.append("\\" + literal if literal in "%_\\" else literal)
            position += 2
        else:
            out.append(char)
            position += 1
    return "".join(out)


def _compare(column: str, kind: ColumnType, operator: str, value: Literal) -> Sql:
    sql_operator = "IS" if operator == "<=>" else operator
    if value is None:
        return (f"{column} IS NULL", []) if operator == "<=>" else ("NULL", [])
    if kind is ColumnType.TEXT:
        if isinstance(value, Text):
            trimmed = value.value.rstrip(" ")  # PAD SPACE: trailing spaces do not count
            return f"rtrim({column}, ' ') {sql_operator} ? COLLATE NOCASE", [trimmed]
        return f"CAST({column} AS REAL) {sql_operator} ?", [value.value]
    if kind is ColumnType.DATETIME:
        if isinstance(value, Text):
            return f"{column} {sql_operator} ?", [php.datetime_from_text(value.value)]
        return f"{column} {sql_operator} ?", [php.datetime_from_number(value.value)]
    number = php.mariadb_double(value.value) if isinstance(value, Text) else value.value
    return f"{column} {sql_operator} ?", [number]
