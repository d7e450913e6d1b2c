"""Dolibarr's reading of a sqlfilters string, up to the SQL it hands to MariaDB.

What this module knows (``forgeSQLFromUniversalSearchCriteria`` and ``dolCheckFilters`` of
20.0.2 and 22.0.4):

* the string is wrapped in ``( )`` unless it already starts with ``(`` and ends with ``)``;
* parentheses must balance, else "Wrong balance of parenthesis in sqlfilters=<wrapped>";
* criteria are the matches (any case) of ``\\(([a-zA-Z0-9_.]+:[<>!=insotlke]+:[^()]+)\\)``;
* between criteria only ``and``, ``or`` and spaces may remain (20.0.2 removes exactly
  ``and``/``or``/``AND``/``OR``, 22.0.4 any case), else "Bad syntax of the search string:
  <wrapped>";
* what passes is glued into SQL unchanged, so MariaDB decides the rest: ``and`` binds tighter
  than ``or``, and leftovers such as ``()``, ``(a) (b)`` or ``andor`` are SQL errors (503),
  raised here as SqlFiltersQueryError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dolisync.simulator.sqlfilters._errors import SqlFiltersQueryError, SqlFiltersSyntaxError

_OPEN = "("
MAX_NESTING = 100  # deeper parentheses are refused (503) to keep the translation bounded

_WRAPPED = re.compile(r"\(.*\)$")  # PHP '/^\(.*\)$/': '.' stops at "\n", '$' before a final "\n"
_CRITERION = re.compile(r"\(([a-zA-Z0-9_.]+:[<>!=insotlke]+:[^()]+)\)", re.IGNORECASE | re.ASCII)
_V20_REMOVED = ("and", "or", "AND", "OR", " ")
_V22_REMOVED = tuple(re.compile(word, re.IGNORECASE | re.ASCII) for word in ("and", "or", " "))
_NOT_A_PARENTHESIS = re.compile(r"[^()]")
_GLUE_TOKEN = re.compile(r"[()]|[A-Za-z]+| +")


@dataclass(frozen=True, slots=True)
class Criterion:
    """One ``field:operator:value`` match, split at its first two colons."""

    field: str
    operator: str
    value: str


@dataclass(frozen=True, slots=True)
class Group:
    """``and``/``or`` over criteria and groups (MariaDB's precedence already applied)."""

    joiner: str  # "AND" | "OR"
    parts: tuple[Node, ...]


Node = Criterion | Group


def parse(sqlfilters: str, *, modern: bool) -> Node:
    """The boolean structure of ``sqlfilters``; raises the 400 and 503 errors Dolibarr gives."""
    text = sqlfilters if _WRAPPED.match(sqlfilters) else f"({sqlfilters})"
    _check_balance(text)
    pieces: list[str | Criterion] = []
    position = 0
    for match in _CRITERION.finditer(text):
        pieces.append(text[position : match.start()])
        field, operator, value = match.group(1).split(":", 2)
        pieces.append(Criterion(field, operator, value))
        position = match.end()
    pieces.append(text[position:])
    _check_glue(pieces, text, modern=modern)
    return _Parser(_tokens(pieces)).parse()


def _check_balance(text: str) -> None:
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
    if depth != 0:
        raise SqlFiltersSyntaxError(f"Wrong balance of parenthesis in sqlfilters={text}")


def _check_glue(pieces: list[str | Criterion], text: str, *, modern: bool) -> None:
    rest = "".join("()" if isinstance(piece, Criterion) else piece for piece in pieces)
    if modern:
        for word in _V22_REMOVED:
            rest = word.sub("", rest)
    else:
        for literal in _V20_REMOVED:
            rest = rest.replace(literal, "")
    if _NOT_A_PARENTHESIS.search(rest):
        raise SqlFiltersSyntaxError(f"Bad syntax of the search string: {text}")


def _tokens(pieces: list[str | Criterion]) -> list[str | Criterion]:
    """Parentheses, words (MariaDB reads a run of letters as one word) and criteria."""
    tokens: list[str | Criterion] = []
    for piece in pieces:
        if isinstance(piece, Criterion):
            tokens.append(piece)
            continue
        tokens.extend(
            token.upper() for token in _GLUE_TOKEN.findall(piece) if not token.startswith(" ")
        )
    return tokens


class _Parser:
    """Recursive descent over the glue MariaDB sees: or_expr := and_expr (OR and_expr)*."""

    def __init__(self, tokens: list[str | Criterion]) -> None:
        self._tokens = tokens
        self._position = 0

    def parse(self) -> Node:
        node = self._expression(0)
        if self._position != len(self._tokens):
            raise self._error()
        return node

    def _expression(self, depth: int) -> Node:
        return self._joined("OR", depth)

    def _joined(self, joiner: str, depth: int) -> Node:
        parts = [self._primary(depth) if joiner == "AND" else self._joined("AND", depth)]
        while self._peek() == joiner:
            self._position += 1
            parts.append(self._primary(depth) if joiner == "AND" else self._joined("AND", depth))
        if len(parts) == 1:
            return parts[0]
        flat: list[Node] = []
        for part in parts:
            same = isinstance(part, Group) and part.joiner == joiner
            flat.extend(part.parts if isinstance(part, Group) and same else (part,))
        return Group(joiner, tuple(flat))

    def _primary(self, depth: int) -> Node:
        token = self._peek()
        if isinstance(token, Criterion):
            self._position += 1
            return token
        if token != _OPEN:
            raise self._error()
        if depth >= MAX_NESTING:
            raise SqlFiltersQueryError(f"parentheses nested deeper than {MAX_NESTING}")
        self._position += 1
        node = self._expression(depth + 1)
        if self._peek() != ")":
            raise self._error()
        self._position += 1
        return node

    def _peek(self) -> str | Criterion | None:
        return self._tokens[self._position] if self._position < len(self._tokens) else None

    def _error(self) -> SqlFiltersQueryError:
        near = self._peek()
        shown = f"({near.field}:{near.operator}:...)" if isinstance(near, Criterion) else near
        return SqlFiltersQueryError(f"MariaDB syntax error near {shown!r}")
