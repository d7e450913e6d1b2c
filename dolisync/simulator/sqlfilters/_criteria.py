"""What Dolibarr makes of one criterion ``field:operator:value`` (``dolForgeCriteriaCallback``).

What this module knows, per version (20.0.2 / 22.0.4 source, checked against the captures):

* operators are upper-cased and mapped ``notlike``->NOT LIKE, ``isnot``->IS NOT,
  ``notin``->NOT IN, ``!=``-><>; any other letters of ``<>!=insotlke`` reach MariaDB as they
  are, which rejects them (503) unless they are ``= < > <= >= <> <=> in like is``.
* ``like`` values: ``'text'`` without inner quote, or the raw value, always sent quoted.
* ``in`` values: split on ``,``; quoted elements are sanitised; unquoted ones are numbers,
  NULL or (22.0.4) names. 22.0.4 trims each element, 20.0.2 does not.
* other values: ``'...'`` (greedy, so inner quotes are fine) is text; ``NULL`` any case;
  otherwise 20.0.2 casts to a PHP float (``ISSUE`` -> 0: every row, v20.0.2/303) and 22.0.4
  keeps digits, numbers, or the ``[a-z0-9_]`` letters as a name (``ISSUE`` -> 503, v22.0.4/316).
* finally ``__NOW__`` is replaced in the whole SQL by the server's local time — unquoted on
  20.0.2 (so only ``'__NOW__'`` works there), quoted on 22.0.4 (so only bare ``__NOW__`` works
  there) — and ``__USER_ID__`` by the API user's id.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from dolisync.simulator.sqlfilters import _values as php
from dolisync.simulator.sqlfilters._errors import SqlFiltersQueryError, UnknownColumn
from dolisync.simulator.sqlfilters._syntax import Criterion

_OPERATORS = {
    "=": "=",
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
    "!=": "<>",
    "<>": "<>",
    "<=>": "<=>",
    "IN": "IN",
    "NOTIN": "NOT IN",
    "LIKE": "LIKE",
    "NOTLIKE": "NOT LIKE",
    "IS": "IS",
    "ISNOT": "IS NOT",
}
_QUOTED = re.compile(r"'(.*)'$")  # PHP '/^\'(.*)\'$/'
_QUOTED_FOR_LIKE = re.compile(r"'([^']*)'$")
_NOT_NAME_V22 = re.compile(r"[^a-z0-9_]", re.IGNORECASE | re.ASCII)
_NOT_LIST_WORD_V22 = re.compile(r"[^a-z0-9_<>=!\s]", re.IGNORECASE | re.ASCII)
_NAME = re.compile(r"[A-Za-z0-9_]+\Z", re.ASCII)
_SQL_BLANKS = " \t\n\r\x0b\x0c"
_NOW = "__NOW__"


@dataclass(frozen=True, slots=True)
class Text:
    """A quoted SQL string, as MariaDB receives it."""

    value: str


@dataclass(frozen=True, slots=True)
class Number:
    """A numeric SQL literal."""

    value: int | float


Literal = Text | Number | None  # None is SQL NULL


@dataclass(frozen=True, slots=True)
class Comparison:
    """``operand operator values`` as MariaDB runs it (several values only for IN)."""

    operand: str
    operator: str
    values: tuple[Literal, ...]


@dataclass(frozen=True, slots=True)
class Context:
    modern: bool  # 22.0.4 rules (else 20.0.2)
    now: str  # server-local 'YYYY-MM-DD HH:MM:SS' for __NOW__
    user_id: int  # for __USER_ID__


def read(criterion: Criterion, context: Context) -> Comparison:
    """The comparison Dolibarr forges from ``criterion``; SqlFiltersQueryError when MariaDB
    would reject it."""
    operator = _OPERATORS.get(criterion.operator.upper())
    if operator is None:
        raise SqlFiltersQueryError(f"MariaDB has no operator {criterion.operator.upper()!r}")
    raw = criterion.value
    values: tuple[Literal, ...]
    if operator in ("IN", "NOT IN"):
        values = tuple(_list_element(element, context) for element in raw.split(","))
    elif operator in ("LIKE", "NOT LIKE"):
        quoted = _QUOTED_FOR_LIKE.match(raw)
        values = (_text(quoted.group(1) if quoted else raw, context),)
    else:
        values = (_scalar(raw, context),)
    return Comparison(_operand(criterion.field, context), operator, values)


def _operand(field: str, context: Context) -> str:
    if "__NOW__" in field:
        raise SqlFiltersQueryError(f"__NOW__ in the column name {field!r}")
    return field.replace("__USER_ID__", str(context.user_id))


def _scalar(raw: str, context: Context) -> Literal:
    quoted = _QUOTED.match(raw)
    if quoted:
        return _text(quoted.group(1), context)
    if _is_null(raw):
        return None
    if not context.modern:
        return _printed(php.php_float(raw))
    if php.php_ctype_digit(raw):
        return Number(php.php_int(raw))
    if php.php_is_numeric(raw):
        return _printed(php.php_float(raw))
    return _bare(_NOT_NAME_V22.sub("", raw), context)


def _list_element(element: str, context: Context) -> Literal:
    if not context.modern:
        quoted = _QUOTED.match(element)
        if quoted:
            return _text(php.sanitize_v20(quoted.group(1)), context)
        return _bare(php.sanitize_v20(element), context)
    element = php.php_trim(element)
    quoted = _QUOTED.match(element)
    if quoted:
        return _text(php.sanitize_v22(quoted.group(1)), context)
    if php.php_ctype_digit(element):
        return Number(php.php_int(element))
    if php.php_is_numeric(element):
        return _printed(php.php_float(element))
    return _bare(_NOT_LIST_WORD_V22.sub("", element), context)


def _text(value: str, context: Context) -> Text:
    if "__NOW__" in value:
        if context.modern:  # 22.0.4 inserts a quoted date inside the quoted string
            raise SqlFiltersQueryError("__NOW__ inside a quoted value breaks the SQL")
        value = value.replace("__NOW__", context.now)
    return Text(value.replace("__USER_ID__", str(context.user_id)))


def _bare(token: str, context: Context) -> Literal:
    """An unquoted token as MariaDB reads it: number, NULL, __NOW__ (22.0.4) or a name."""
    token = token.strip(_SQL_BLANKS)
    if token == _NOW and context.modern:
        return Text(context.now)
    if "__NOW__" in token:
        raise SqlFiltersQueryError(f"__NOW__ becomes an unquoted date in {token!r}")
    token = token.replace("__USER_ID__", str(context.user_id))
    number = php.sql_number(token)
    if number is not None:
        return Number(number)
    if _is_null(token):
        return None
    if _NAME.match(token):
        raise UnknownColumn(token)
    raise SqlFiltersQueryError(f"MariaDB cannot read the value {token!r}")


def _printed(value: float) -> Number:
    printed = php.printed_float(value)
    if printed is None:
        raise UnknownColumn("NAN" if math.isnan(value) else "INF")
    return Number(printed)


def _is_null(text: str) -> bool:
    return text.isascii() and text.upper() == "NULL"
