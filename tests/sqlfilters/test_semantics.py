"""What the simulator's reader does beyond the captures: MariaDB's date reading, operators,
precedence, escaping — inferences from Dolibarr's and MariaDB's rules, pinned down here."""

from __future__ import annotations

from typing import Any

import pytest

from dolisync.simulator.sqlfilters import (
    ColumnType,
    SqlFiltersQueryError,
    SqlFiltersSyntaxError,
    UnknownColumn,
    translate,
)
from tests.sqlfilters.tables import VERSIONS, select_ids

COLUMNS = {
    "rowid": ColumnType.INT,
    "subject": ColumnType.TEXT,
    "fk_user_create": ColumnType.INT,
    "tms": ColumnType.DATETIME,
}
ROWS: list[dict[str, Any]] = [
    {"rowid": 1, "subject": "abc", "fk_user_create": 1, "tms": "2025-06-15 00:00:00"},
    {"rowid": 2, "subject": "50% off", "fk_user_create": 2, "tms": "2025-06-15 10:00:00"},
    {"rowid": 3, "subject": "500 off", "fk_user_create": 1, "tms": "2025-06-15 12:00:00"},
    {"rowid": 4, "subject": None, "fk_user_create": None, "tms": None},
]
ALL = {1, 2, 3}  # row 4 has NULLs: no comparison keeps it


def kept(sqlfilters: str, version: str = "22.0.4", **options: object) -> set[int]:
    where = translate(sqlfilters, columns=COLUMNS, version=version, **options)  # type: ignore[arg-type]
    return select_ids(where, ROWS, COLUMNS, "rowid")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("literal", "same_instant_as"),
    [
        ("'2025-06-15 10:00:00'", 2),
        ("'2025-06-15 10:00'", 2),
        ("'20250615100000'", 2),
        ("20250615100000", 2),
        ("'250615100000'", 2),
        ("'25-06-15 10:00:00'", 2),
        ("'2025-06-15T10:00:00'", 2),
        ("'2025-06-15T10:00:00Z'", 2),
        ("'2025/06/15 10:00:00'", 2),
        ("'2025-06-15T12:00:00+02:00'", 3),  # the offset is ignored
        ("'2025-06-15'", 1),
        ("'20250615'", 1),
        ("20250615", 1),
    ],
)
def test_mariadb_reads_these_date_literals(
    literal: str, same_instant_as: int, version: str
) -> None:
    assert kept(f"(t.tms:=:{literal})", version) == {same_instant_as}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "literal",
    ["'15/06/2025 10:00:00'", "1749981600", "'1749981600'", "'2025-02-30 10:00:00'", "'soon'"],
)
def test_unreadable_dates_are_the_zero_date(literal: str, version: str) -> None:
    # captures 218-220: '>' keeps every row; so '=' and '<' keep none
    assert kept(f"(t.tms:>:{literal})", version) == ALL
    assert kept(f"(t.tms:=:{literal})", version) == set()
    assert kept(f"(t.tms:<:{literal})", version) == set()


@pytest.mark.parametrize("version", VERSIONS)
def test_operators(version: str) -> None:
    assert kept("(t.rowid:!=:1)", version) == {2, 3, 4}
    assert kept("(t.rowid:<>:1)", version) == {2, 3, 4}
    assert kept("(t.rowid:<=>:NULL)", version) == set()
    assert kept("(t.fk_user_create:<=>:NULL)", version) == {4}
    assert kept("(t.fk_user_create:isnot:null)", version) == ALL
    assert kept("(t.rowid:notin:1,3)", version) == {2, 4}
    assert kept("(t.subject:in:'abc','500 off')", version) == {1, 3}
    assert kept("(t.subject:notlike:'%off')", version) == {1}
    assert kept("(t.rowid:=:NULL)", version) == set()


@pytest.mark.parametrize("version", VERSIONS)
def test_and_binds_tighter_than_or(version: str) -> None:
    assert kept("(t.rowid:=:1) or (t.rowid:=:2) and (t.rowid:=:3)", version) == {1}
    assert kept("((t.rowid:=:1) or (t.rowid:=:2)) and (t.rowid:=:2)", version) == {2}


@pytest.mark.parametrize("version", VERSIONS)
def test_text_compares_like_a_case_insensitive_pad_space_collation(version: str) -> None:
    assert kept("(t.subject:=:'ABC  ')", version) == {1}
    assert kept("(t.subject:like:'A%')", version) == {1}


@pytest.mark.parametrize("version", VERSIONS)
def test_like_backslash_escapes_a_wildcard(version: str) -> None:
    assert kept(r"(t.subject:like:'50\%%')", version) == {2}
    assert kept("(t.subject:like:'50%')", version) == {2, 3}
    assert kept("(t.subject:like:'5_0%')", version) == {3}


@pytest.mark.parametrize("version", VERSIONS)
def test_mixed_types_compare_as_numbers(version: str) -> None:
    assert kept("(t.rowid:=:'2abc')", version) == {2}
    assert kept("(t.subject:=:500)", version) == {3}  # '500 off' -> 500
    assert kept("(t.subject:=:0)", version) == {1}  # 'abc' -> 0, '50% off' -> 50


def test_user_id_marker() -> None:
    assert kept("(t.fk_user_create:=:__USER_ID__)", user_id=2) == {2}
    assert kept("(t.fk_user_create:=:'__USER_ID__')", "20.0.2", user_id=2) == {2}
    assert kept("(t.fk_user_create:=:__USER_ID__)", "20.0.2", user_id=2) == set()  # float 0


def test_mixed_case_and_or_is_bad_syntax_on_20_only() -> None:
    text = "(t.rowid:=:1) And (t.rowid:=:1)"
    assert kept(text, "22.0.4") == {1}
    with pytest.raises(SqlFiltersSyntaxError) as raised:
        kept(text, "20.0.2")
    assert raised.value.reason == f"Bad syntax of the search string: {text}"  # not wrapped


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "text",
    [
        "(t.rowid:lt:1)",  # letters of the operator class, not a MariaDB operator
        "(t.rowid:=:1)(t.rowid:=:2)",  # passes Dolibarr's check, not MariaDB's parser
        "()",
        "(t.rowid:=:1) or",
        "(t.rowid:=:1) andor (t.rowid:=:2)",
        "(t.rowid:in:1,,2)",
        "(t.rowid:is:1)",
        "(t.rowid:=:__NOW__) and (t.__NOW__:=:1)",
        "(" * 150 + "t.rowid:=:1" + ")" * 150,
    ],
)
def test_sql_errors_answer_503(text: str, version: str) -> None:
    with pytest.raises(SqlFiltersQueryError):
        kept(text, version)


@pytest.mark.parametrize("version", VERSIONS)
def test_unknown_columns(version: str) -> None:
    for text in ("(t.nosuch:=:1)", "(x.rowid:=:1)", "(a.b.rowid:=:1)", "(1:=:1)"):
        with pytest.raises(UnknownColumn):
            kept(text, version)
    assert kept("(rowid:=:1)", version) == {1}  # MariaDB finds unqualified columns
    assert kept("(t.ROWID:=:1)", version) == {1}  # column names ignore case


@pytest.mark.parametrize("version", VERSIONS)
def test_empty_or_php_false_filters_nothing(version: str) -> None:
    assert kept("", version) == {1, 2, 3, 4}
    assert kept("0", version) == {1, 2, 3, 4}


def test_columns_may_be_given_with_their_alias_and_as_text() -> None:
    where = translate("(t.rowid:>:1)", columns={"t.rowid": "int"}, version=(20, 0, 2))
    assert select_ids(where, ROWS, COLUMNS, "rowid") == {2, 3, 4}
