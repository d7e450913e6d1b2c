"""Build Dolibarr ``sqlfilters`` strings that Dolibarr 20.0.2 and 22.0.4 read the way we mean.

What this module knows (Dolibarr's ``forgeSQLFromUniversalSearchCriteria`` and the captures,
dolibarr-api.md §6):

* A criterion is ``(alias.column:operator:value)``; criteria are joined with `` and `` /
  `` or `` and grouped with parentheses. MariaDB gives ``and`` precedence over ``or``; we
  always parenthesise nested groups, and a top-level ``or`` group too, so the string can be
  joined with ``and`` to another filter without changing its meaning.
* Dolibarr finds criteria with the regex ``\\(([a-zA-Z0-9_.]+:[<>!=insotlke]+:[^()]+)\\)``
  after a parenthesis balance check: a value can never contain ``(`` or ``)`` (capture 318
  -> 400), quoted or not. Text is always sent quoted: unquoted text compares as 0 on 20.0.2
  (matches every row) and is a column name on 22.0.4 (503).
* A quoted value is read with ``^'(.*)'$`` (greedy, ``.`` stops at a line break), then escaped
  by the database driver: a single quote inside is fine for ``=``/``<``/..., a line break
  (``\\n``; ``\\r`` to be safe) is not (the value would be read unquoted). ``like`` reads
  ``^'([^']*)'$``: no quote inside.
* ``like`` keeps ``%`` and ``_`` as wildcards and MariaDB's default LIKE escape ``\\``
  (Dolibarr escapes the backslash for the SQL string, so it reaches LIKE intact):
  :func:`like_escape` / :func:`contains` rely on that.
* ``in`` splits its value on ``,`` and strips each element to ``[0-9a-z_.,=' -]`` (20.0.2;
  22.0.4 also keeps non-ASCII letters): string elements must use only those characters.
* Dolibarr substitutes ``__NOW__`` and ``__USER_ID__`` anywhere in the forged SQL, even inside
  quoted values: values containing them are refused.
* Bare numbers become PHP floats printed with 14 significant digits on 20.0.2: numbers that
  would not survive that are refused.
* Dates are compared with the raw server-local wall-clock value. This module never converts
  time zones: pass a :class:`DateTimeLiteral` (or its text) already in server-local time.

Every refusal is a ``ValueError`` naming the column and the offending character.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "DateTimeLiteral",
    "Filter",
    "Value",
    "and_",
    "contains",
    "eq",
    "ge",
    "gt",
    "in_",
    "is_not_null",
    "is_null",
    "le",
    "like",
    "like_escape",
    "lt",
    "ne",
    "not_in",
    "not_like",
    "or_",
]

_COLUMN = re.compile(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\Z")
_DATETIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\Z", re.ASCII)
_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_MARKERS = ("__NOW__", "__USER_ID__")  # Dolibarr replaces them anywhere in the SQL
_NEVER_IN_VALUES = {
    "(": "Dolibarr refuses parentheses inside a value, even quoted",
    ")": "Dolibarr refuses parentheses inside a value, even quoted",
    "\n": "Dolibarr reads a quoted value with a line break as unquoted text",
    "\r": "Dolibarr may read a quoted value with a line break as unquoted text",
    "\x00": "a NUL byte cannot be sent in a query string reliably",
}
# What both versions keep of an in() string element (20.0.2: ASCII letters only).
_IN_ELEMENT_CHARS = frozenset(string.ascii_letters + string.digits + "_.=' -")
_MAX_BARE_NUMBER = 10**14  # 20.0.2 prints bare numbers with 14 significant digits


@dataclass(frozen=True, slots=True)
class DateTimeLiteral:
    """A server-local wall-clock instant, exactly ``'YYYY-MM-DD HH:MM:SS'``.

    Build it from text the caller formatted in the server's timezone, or with
    :meth:`from_wall_clock` from a naive ``datetime`` that already holds server-local time.
    """

    text: str

    def __post_init__(self) -> None:
        if not _DATETIME_TEXT.match(self.text):
            raise ValueError(f"date literal {self.text!r} is not 'YYYY-MM-DD HH:MM:SS'")
        try:
            datetime.strptime(self.text, _DATETIME_FORMAT)
        except ValueError:
            raise ValueError(f"date literal {self.text!r} is not a real date and time") from None

    @classmethod
    def from_wall_clock(cls, moment: datetime) -> DateTimeLiteral:
        """The literal of a naive server-local ``datetime``; aware ones are refused."""
        if moment.tzinfo is not None:
            raise ValueError(
                f"{moment.isoformat()} has a timezone: format the instant in the server's "
                "timezone yourself and pass a naive datetime (this module never converts)"
            )
        if moment.microsecond:
            raise ValueError(f"{moment.isoformat()} has microseconds; Dolibarr stores seconds")
        return cls(moment.strftime(_DATETIME_FORMAT))


Value = int | float | str | DateTimeLiteral
"""What a criterion compares with: ``str`` and :class:`DateTimeLiteral` are sent quoted."""


class Filter:
    """An immutable sqlfilters expression; combine with ``&`` and ``|``, send ``render()``."""

    __slots__ = ()

    def render(self) -> str:
        """The sqlfilters text, safe to join with `` and `` to another rendered filter."""
        raise NotImplementedError

    def _operand(self) -> str:
        """The text of this filter as a member of an enclosing group."""
        return self.render()

    def __and__(self, other: Filter) -> Filter:
        return and_(self, other)

    def __or__(self, other: Filter) -> Filter:
        return or_(self, other)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True, slots=True)
class _Criterion(Filter):
    column: str
    operator: str
    value: str  # already rendered

    def render(self) -> str:
        return f"({self.column}:{self.operator}:{self.value})"


@dataclass(frozen=True, slots=True)
class _Group(Filter):
    joiner: str  # "and" | "or"
    parts: tuple[Filter, ...]

    def _inner(self) -> str:
        return f" {self.joiner} ".join(part._operand() for part in self.parts)

    def _operand(self) -> str:
        return f"({self._inner()})"

    def render(self) -> str:
        # A top-level "or" is parenthesised so that "<this> and <other>" keeps its meaning.
        return self._inner() if self.joiner == "and" else self._operand()


def and_(*filters: Filter) -> Filter:
    """All of ``filters`` (nested ``and`` groups are flattened)."""
    return _group("and", filters)


def or_(*filters: Filter) -> Filter:
    """Any of ``filters`` (nested ``or`` groups are flattened)."""
    return _group("or", filters)


def eq(column: str, value: Value) -> Filter:
    """``column = value``; use :func:`is_null` for NULL."""
    return _compare(column, "=", value)


def ne(column: str, value: Value) -> Filter:
    """``column <> value`` (rows where the column is NULL never match)."""
    return _compare(column, "!=", value)


def lt(column: str, value: Value) -> Filter:
    """``column < value``."""
    return _compare(column, "<", value)


def le(column: str, value: Value) -> Filter:
    """``column <= value``."""
    return _compare(column, "<=", value)


def gt(column: str, value: Value) -> Filter:
    """``column > value``."""
    return _compare(column, ">", value)


def ge(column: str, value: Value) -> Filter:
    """``column >= value``."""
    return _compare(column, ">=", value)


def like(column: str, pattern: str) -> Filter:
    """``column LIKE pattern``: ``%`` and ``_`` are wildcards, ``\\`` escapes the next one.

    MariaDB's collation makes it case-insensitive. Use :func:`contains` for plain text.
    """
    return _Criterion(_column(column), "like", _like_text(_column(column), pattern))


def not_like(column: str, pattern: str) -> Filter:
    """``column NOT LIKE pattern`` (same pattern rules as :func:`like`)."""
    return _Criterion(_column(column), "notlike", _like_text(_column(column), pattern))


def contains(column: str, text: str) -> Filter:
    """Rows whose ``column`` contains ``text`` literally (``%``, ``_``, ``\\`` escaped)."""
    return like(column, f"%{like_escape(text)}%")


def like_escape(text: str) -> str:
    """``text`` as a LIKE pattern that matches it literally (MariaDB's ``\\`` escape)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def in_(column: str, values: Iterable[Value]) -> Filter:
    """``column IN (values)``: numbers, or strings of ``[0-9A-Za-z_.=' -]`` (no comma)."""
    return _Criterion(_column(column), "in", _list_text(_column(column), values))


def not_in(column: str, values: Iterable[Value]) -> Filter:
    """``column NOT IN (values)`` (same element rules as :func:`in_`)."""
    return _Criterion(_column(column), "notin", _list_text(_column(column), values))


def is_null(column: str) -> Filter:
    """``column IS NULL``."""
    return _Criterion(_column(column), "is", "NULL")


def is_not_null(column: str) -> Filter:
    """``column IS NOT NULL``."""
    return _Criterion(_column(column), "isnot", "NULL")


def _group(joiner: str, filters: tuple[Filter, ...]) -> Filter:
    parts: list[Filter] = []
    for item in filters:
        if not isinstance(item, Filter):
            raise TypeError(f"{joiner}_() takes Filter objects, not {type(item).__name__}")
        if isinstance(item, _Group) and item.joiner == joiner:
            parts.extend(item.parts)
        else:
            parts.append(item)
    if not parts:
        raise ValueError(f"{joiner}_() needs at least one filter")
    return parts[0] if len(parts) == 1 else _Group(joiner, tuple(parts))


def _compare(column: str, operator: str, value: Value) -> Filter:
    name = _column(column)
    return _Criterion(name, operator, _scalar_text(name, value))


def _column(column: str) -> str:
    if not isinstance(column, str) or not _COLUMN.match(column):
        raise ValueError(
            f"column {column!r} must be 'alias.column' in lower case, e.g. 't.tms' or "
            "'t.ref_client' (a database column, not an API property)"
        )
    return column


def _scalar_text(column: str, value: Value) -> str:
    if isinstance(value, DateTimeLiteral):
        return f"'{value.text}'"
    if isinstance(value, str):
        return f"'{_checked_text(column, value)}'"
    return _number_text(column, value)


def _number_text(column: str, value: object) -> str:
    if value is None:
        raise ValueError(f"{column}: compare with NULL through is_null()/is_not_null()")
    if isinstance(value, datetime | date):
        raise ValueError(
            f"{column}: pass DateTimeLiteral.from_wall_clock(<naive server-local datetime>) "
            "or its text, not a date/datetime object (no timezone is ever guessed here)"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{column}: cannot compare with a {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{column}: {value!r} cannot be sent to Dolibarr")
    if abs(value) >= _MAX_BARE_NUMBER or float(f"{value:.14g}") != value:
        raise ValueError(
            f"{column}: {value!r} does not survive Dolibarr 20's 14-significant-digit "
            "number formatting; compare with a smaller or rounder number"
        )
    return repr(value)


def _checked_text(column: str, text: str) -> str:
    for char, why in _NEVER_IN_VALUES.items():
        if char in text:
            raise ValueError(f"{column}: value {text!r} contains {char!r}: {why}")
    for marker in _MARKERS:
        if marker in text:
            raise ValueError(
                f"{column}: value {text!r} contains {marker!r}, which Dolibarr replaces "
                "anywhere in the SQL"
            )
    return text


def _like_text(column: str, pattern: str) -> str:
    if not isinstance(pattern, str):
        raise TypeError(f"{column}: a LIKE pattern is a str, not {type(pattern).__name__}")
    if "'" in pattern:
        raise ValueError(
            f'{column}: LIKE pattern {pattern!r} contains "\'": Dolibarr reads a quoted '
            "LIKE value only when it has no quote inside (use '_' to match any character)"
        )
    return f"'{_checked_text(column, pattern)}'"


def _list_text(column: str, values: Iterable[Value]) -> str:
    if isinstance(values, str):
        raise TypeError(f"{column}: in_() takes a list of values, not one string")
    rendered = [_list_element(column, value) for value in values]
    if not rendered:
        raise ValueError(f"{column}: in_() needs at least one value (Dolibarr refuses '')")
    return ",".join(rendered)


def _list_element(column: str, value: Value) -> str:
    if isinstance(value, DateTimeLiteral):
        value = value.text  # refused below: in() strips ':'
    if not isinstance(value, str):
        return _number_text(column, value)
    text = _checked_text(column, value)
    bad = next((char for char in text if char not in _IN_ELEMENT_CHARS), None)
    if bad is not None:
        raise ValueError(
            f"{column}: in() value {text!r} contains {bad!r}; Dolibarr strips every "
            "character but letters, digits and _ . = ' - space from in() values and "
            "splits on ','"
        )
    return f"'{text}'"
