"""Properties tying the client's builder to the simulator's reader.

1. Any text: the builder refuses it, or Dolibarr (as simulated) finds exactly the rows equal
   to it — escaping is right. Same for ``contains``.
2. Random and/or trees over integer columns mean the same in SQLite as in Python (SQL's
   three-valued logic).
3. Arbitrary input never makes the reader raise anything but its two documented errors, and
   whatever it returns runs in SQLite and binds every value (nothing from the input is
   pasted into the SQL).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dolisync.dolibarr import sqlfilters as build
from dolisync.simulator.sqlfilters import (
    SqlFiltersQueryError,
    SqlFiltersSyntaxError,
    translate,
)
from tests.sqlfilters.tables import VERSIONS, select_ids

TEXT_COLUMNS = {"rowid": "int", "subject": "text"}
REFUSED_ANYWHERE = ("(", ")", "\n", "\r", "\x00", "__NOW__", "__USER_ID__")
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
versions = st.sampled_from(VERSIONS)


def ascii_lower(text: str) -> str:
    return text.translate(ASCII_LOWER)


def attempt(render: Callable[[], str]) -> tuple[str | None, str | None]:
    """The rendered filter, or the builder's refusal message."""
    try:
        return render(), None
    except ValueError as error:
        return None, str(error)


def _candidates(value: str, others: list[str]) -> list[dict[str, Any]]:
    texts = [value, value.upper(), value.lower(), value + "  ", " " + value, "x" + value, *others]
    return [{"rowid": number, "subject": text} for number, text in enumerate(texts)]


@given(value=st.text(), others=st.lists(st.text(max_size=6), max_size=4), version=versions)
def test_equality_round_trip(value: str, others: list[str], version: str) -> None:
    should_refuse = any(bad in value for bad in REFUSED_ANYWHERE)
    rendered, refusal = attempt(lambda: build.eq("t.subject", value).render())
    assert (refusal is not None) == should_refuse
    if rendered is None:
        assert refusal is not None
        assert "t.subject" in refusal
        return
    rows = _candidates(value, others)
    # utf8mb4_unicode_ci as simulated: case-insensitive (ASCII) and trailing spaces ignored
    wanted = ascii_lower(value.rstrip(" "))
    expected = {r["rowid"] for r in rows if ascii_lower(r["subject"].rstrip(" ")) == wanted}
    where = translate(rendered, columns=TEXT_COLUMNS, version=version)
    assert select_ids(where, rows, TEXT_COLUMNS, "rowid") == expected


@given(value=st.text(), others=st.lists(st.text(max_size=6), max_size=4), version=versions)
def test_contains_round_trip(value: str, others: list[str], version: str) -> None:
    should_refuse = "'" in value or any(bad in value for bad in REFUSED_ANYWHERE)
    rendered, refusal = attempt(lambda: build.contains("t.subject", value).render())
    assert (refusal is not None) == should_refuse
    if rendered is None:
        assert refusal is not None
        assert "t.subject" in refusal
        return
    rows = _candidates(value, others)
    expected = {r["rowid"] for r in rows if ascii_lower(value) in ascii_lower(r["subject"])}
    where = translate(rendered, columns=TEXT_COLUMNS, version=version)
    assert select_ids(where, rows, TEXT_COLUMNS, "rowid") == expected


# --- 2. and/or trees over integer columns ---------------------------------------------------

INT_COLUMNS = {"rowid": "int", "a": "int", "b": "int", "c": "int"}
Tree = tuple[Any, ...]
Truth = bool | None  # SQL's three values
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_BUILD_COMPARE = {
    "=": build.eq,
    "!=": build.ne,
    "<": build.lt,
    "<=": build.le,
    ">": build.gt,
    ">=": build.ge,
}
small = st.integers(-3, 3)
columns = st.sampled_from(["t.a", "t.b", "t.c"])
leaves = st.one_of(
    st.tuples(st.sampled_from(sorted(_COMPARE)), columns, small),
    st.tuples(st.sampled_from(["in", "notin"]), columns, st.lists(small, min_size=1, max_size=4)),
    st.tuples(st.sampled_from(["is", "isnot"]), columns, st.none()),
)
trees = st.recursive(
    leaves,
    lambda children: st.tuples(
        st.sampled_from(["and", "or"]), st.lists(children, min_size=1, max_size=4)
    ),
    max_leaves=12,
)
table_rows = st.lists(
    st.fixed_dictionaries({name: st.none() | small for name in ("a", "b", "c")}),
    min_size=1,
    max_size=8,
)


def to_filter(tree: Tree) -> build.Filter:
    kind = tree[0]
    if kind in ("and", "or"):
        parts = [to_filter(child) for child in tree[1]]
        return build.and_(*parts) if kind == "and" else build.or_(*parts)
    _, column, value = tree
    if kind in _BUILD_COMPARE:
        return _BUILD_COMPARE[kind](column, value)
    if kind in ("in", "notin"):
        return (build.in_ if kind == "in" else build.not_in)(column, value)
    return build.is_null(column) if kind == "is" else build.is_not_null(column)


def evaluate(tree: Tree, row: dict[str, int | None]) -> Truth:
    kind: str = tree[0]
    if kind in ("and", "or"):
        results = [evaluate(child, row) for child in tree[1]]
        decisive = kind == "or"  # True decides an or, False decides an and
        if decisive in results:
            return decisive
        return None if None in results else not decisive
    _, column, value = tree
    current = row[column.removeprefix("t.")]
    if kind in ("is", "isnot"):
        return (current is None) == (kind == "is")
    if current is None:
        return None
    if kind in ("in", "notin"):
        return (current in value) == (kind == "in")
    return _COMPARE[kind](current, value)


@given(tree=trees, rows=table_rows, version=versions)
def test_and_or_trees_mean_the_same_in_sqlite(
    tree: Tree, rows: list[dict[str, Any]], version: str
) -> None:
    table = [{"rowid": number, **row} for number, row in enumerate(rows)]
    expected = {row["rowid"] for row in table if evaluate(tree, row) is True}
    where = translate(to_filter(tree).render(), columns=INT_COLUMNS, version=version)
    assert select_ids(where, table, INT_COLUMNS, "rowid") == expected


# --- 3. fuzz ---------------------------------------------------------------------------------

FUZZ_COLUMNS = {"rowid": "int", "subject": "text", "tms": "datetime", "price": "real"}
FUZZ_ROWS: list[dict[str, Any]] = [
    {"rowid": 1, "subject": "abc", "tms": "2025-06-15 10:00:00", "price": 1.5},
    {"rowid": 2, "subject": None, "tms": None, "price": None},
]
TOKENS = [
    "(", ")", "(", ")", "t.rowid", "t.subject", "t.tms", "t.price", "rowid", "t.nosuch", ":",
    ":", "=", "<", ">", "!", "<>", "<=>", "in", "notin", "like", "notlike", "is", "isnot",
    "lt", "NULL", "null", "'", "'", "a", "1", "-2", "1.5e3", "1e999", ".", ",", " ", " ",
    "and", "or", "AND", "Or", "__NOW__", "__USER_ID__", "\n", "\t", "%", "_", "\\", "é",
    "2025-06-15 10:00:00", "20250615", "0x1F",
]  # fmt: skip
fuzz_text = st.one_of(st.text(), st.lists(st.sampled_from(TOKENS), max_size=30).map("".join))
criteria = st.builds(
    "({}:{}:{})".format,
    st.sampled_from(["t.rowid", "t.subject", "t.tms", "t.price"]),
    st.sampled_from(["=", "!=", "<", ">=", "<=>", "in", "notin", "like", "is", "isnot", "<<"]),
    st.lists(st.sampled_from([t for t in TOKENS if t not in "()"]), min_size=1, max_size=8).map(
        "".join
    ),
)
fuzz_filters = st.one_of(
    fuzz_text,
    st.lists(criteria, min_size=1, max_size=4).map(" and ".join),
    st.lists(criteria, min_size=1, max_size=4).map(" or ".join),
)
_OUR_SQL = re.compile(r"[A-Za-z_.()?<>= ]*")


@given(text=fuzz_filters, version=versions)
def test_reader_raises_only_its_errors_and_binds_every_value(text: str, version: str) -> None:
    reason = None
    try:
        where = translate(text, columns=FUZZ_COLUMNS, version=version, now="2025-06-16 00:00:00")
    except SqlFiltersSyntaxError as error:
        reason = error.reason
    except SqlFiltersQueryError:
        return
    if reason is not None:
        assert reason.startswith(
            ("Wrong balance of parenthesis in sqlfilters=", "Bad syntax of the search string: ")
        )
        return
    sql, params = where
    assert sql.count("?") == len(params)
    constants_removed = sql.replace("' '", "").replace("'\\'", "")
    assert sql == "1" or _OUR_SQL.fullmatch(constants_removed), sql
    select_ids(where, FUZZ_ROWS, FUZZ_COLUMNS, "rowid")  # it runs
