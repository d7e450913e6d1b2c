"""The simulator's sqlfilters reader answers every captured filter the way Dolibarr did.

For each capture with ``sqlfilters`` (both folders): the same answer class (200; 400 with
Dolibarr's exact reason; 503), every row Dolibarr returned is kept by our WHERE, and where
the whole table is known (the ``tmsfmt_*`` tickets, the eight tickets of 111-135) exactly the
returned rows are kept.
"""

from __future__ import annotations

import pytest

from dolisync.simulator.sqlfilters import (
    SqlFiltersQueryError,
    SqlFiltersSyntaxError,
    UnknownColumn,
    translate,
)
from tests.sqlfilters.tables import (
    PREFIX_400,
    TICKETS,
    Capture,
    capture,
    filter_captures,
    rows_from_json,
    select_ids,
)

CAPTURES = filter_captures()


def _ids(items: list[Capture]) -> list[str]:
    return [str(item) for item in items]


def test_the_captures_cover_every_answer_class() -> None:
    assert len(CAPTURES) >= 130
    assert {c.status for c in CAPTURES} == {200, 400, 503}


@pytest.mark.parametrize("cap", CAPTURES, ids=_ids(CAPTURES))
def test_same_answer_class_as_dolibarr(cap: Capture) -> None:
    if cap.status == 200:
        sql, params = cap.translate()
        assert sql
        assert len(params) == sql.count("?")
    elif cap.status == 400:
        with pytest.raises(SqlFiltersSyntaxError) as raised:
            cap.translate()
        assert cap.message.startswith(PREFIX_400)
        assert raised.value.reason == cap.message.removeprefix(PREFIX_400)
    else:
        assert cap.status == 503
        with pytest.raises(SqlFiltersQueryError):
            cap.translate()


def _rows_are_known(cap: Capture) -> bool:
    """200 answers whose JSON shows every filtered column (so each row can be re-checked)."""
    if cap.status != 200 or not cap.rows or "tz_paris" in cap.name:
        return False
    endpoint = cap.endpoint
    keys = [endpoint.json_keys.get(column, column) for column in cap.columns_used()]
    return all(key in item for item in cap.rows for key in keys)


KNOWN_ROWS = [c for c in CAPTURES if _rows_are_known(c)]


def test_most_non_empty_answers_can_be_rechecked() -> None:
    assert len(KNOWN_ROWS) >= 50


@pytest.mark.parametrize("cap", KNOWN_ROWS, ids=_ids(KNOWN_ROWS))
def test_every_row_dolibarr_returned_is_kept(cap: Capture) -> None:
    endpoint = cap.endpoint
    rows = rows_from_json(endpoint, cap.rows)
    returned = {row[endpoint.id_column] for row in rows}
    assert select_ids(cap.translate(), rows, endpoint.columns, endpoint.id_column) == returned


def _universe(cap: Capture) -> Capture | None:
    """A capture listing the whole ticket table as it was when ``cap`` was made."""
    if cap.name.startswith("tmsfmt_"):
        return capture(cap.version, 220 if cap.version == "22.0.4" else 214)
    if cap.name.startswith("tickets_filter_") and cap.number < 136:
        return capture(cap.version, 111)
    return None


def _whole_table_known(cap: Capture) -> bool:
    universe = _universe(cap)
    if cap.status != 200 or universe is None:
        return False
    keys = set(universe.rows[0])
    return all(TICKETS.json_keys.get(column, column) in keys for column in cap.columns_used())


WHOLE_TABLE = [c for c in CAPTURES if _whole_table_known(c)]


def test_the_whole_table_is_known_for_the_date_and_ticket_filter_captures() -> None:
    assert len(WHOLE_TABLE) >= 2 * (15 + 13)


@pytest.mark.parametrize("cap", WHOLE_TABLE, ids=_ids(WHOLE_TABLE))
def test_exactly_the_rows_dolibarr_returned(cap: Capture) -> None:
    universe = _universe(cap)
    assert universe is not None
    table = rows_from_json(TICKETS, universe.rows)
    returned = {row["rowid"] for row in rows_from_json(TICKETS, cap.rows)}
    assert select_ids(cap.translate(), table, TICKETS.columns, "rowid") == returned


def test_tmsfmt_expected_set_is_every_ticket_but_2_and_3() -> None:
    # The README's statement about the tmsfmt_* set-up, checked against our table.
    for version, number in (("22.0.4", 208), ("20.0.2", 202)):
        table = rows_from_json(TICKETS, capture(version, 220 if version == "22.0.4" else 214).rows)
        kept = select_ids(capture(version, number).translate(), table, TICKETS.columns, "rowid")
        assert kept == {1, 4, 5, 6, 7, 8, 9}


def test_now_keyword_uses_the_given_server_time_on_22_only() -> None:
    table = [{"rowid": 1, "tms": "2025-06-15 10:00:00"}, {"rowid": 2, "tms": "2025-06-16 00:00"}]
    columns = {"rowid": "int", "tms": "datetime"}
    now = "2025-06-15 12:00:00"
    modern = translate("(t.tms:<:__NOW__)", columns=columns, version=(22, 0, 4), now=now)
    old = translate("(t.tms:<:__NOW__)", columns=columns, version=(20, 0, 2), now=now)
    quoted_old = translate("(t.tms:<:'__NOW__')", columns=columns, version=(20, 0, 2), now=now)
    assert select_ids(modern, table, columns, "rowid") == {1}
    assert select_ids(old, table, columns, "rowid") == set()
    assert select_ids(quoted_old, table, columns, "rowid") == {1}
    with pytest.raises(SqlFiltersQueryError):
        translate("(t.tms:<:'__NOW__')", columns=columns, version=(22, 0, 4), now=now)


def test_bare_string_value_differs_by_version() -> None:
    # v20.0.2/303: compares as 0, every row; v22.0.4/316: a column name, 503.
    table = [{"rowid": 1, "type_code": "ISSUE"}, {"rowid": 2, "type_code": "COM"}]
    columns = {"rowid": "int", "type_code": "text"}
    old = translate("(t.type_code:=:ISSUE)", columns=columns, version="20.0.2")
    assert select_ids(old, table, columns, "rowid") == {1, 2}
    with pytest.raises(UnknownColumn) as raised:
        translate("(t.type_code:=:ISSUE)", columns=columns, version="22.0.4")
    assert raised.value.column == "ISSUE"
