"""Test helpers: the captures that use sqlfilters, column types per endpoint, and a tiny SQLite
table to run a translated WHERE against (the way the simulator will)."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dolisync.simulator.sqlfilters import ColumnType, translate
from tests.conftest import CAPTURES

INT, REAL, TEXT, DATETIME = ColumnType.INT, ColumnType.REAL, ColumnType.TEXT, ColumnType.DATETIME
VERSIONS = ("20.0.2", "22.0.4")
PREFIX_400 = "Bad Request: Error when validating parameter sqlfilters -> "


@dataclass(frozen=True)
class Endpoint:
    columns: Mapping[str, ColumnType]
    id_column: str
    json_keys: Mapping[str, str]  # column -> key in the JSON answer (default: same name)


TICKETS = Endpoint(
    columns={
        "rowid": INT,
        "ref": TEXT,
        "track_id": TEXT,
        "fk_soc": INT,
        "fk_project": INT,
        "fk_user_create": INT,
        "fk_user_assign": INT,
        "subject": TEXT,
        "message": TEXT,
        "type_code": TEXT,
        "category_code": TEXT,
        "severity_code": TEXT,
        "fk_statut": INT,
        "progress": INT,
        "datec": DATETIME,
        "date_read": DATETIME,
        "date_close": DATETIME,
        "tms": DATETIME,
    },
    id_column="rowid",
    json_keys={"rowid": "id"},
)
ENDPOINTS = {
    "/api/index.php/tickets": TICKETS,
    "/api/index.php/interventions": Endpoint(
        columns={
            "rowid": INT,
            "ref": TEXT,
            "ref_client": TEXT,
            "ref_ext": TEXT,
            "fk_soc": INT,
            "fk_projet": INT,
            "fk_statut": INT,
            "description": TEXT,
            "datec": DATETIME,
            "tms": DATETIME,
        },
        id_column="rowid",
        json_keys={"rowid": "id", "tms": "datem"},
    ),
    "/api/index.php/agendaevents": Endpoint(
        columns={
            "id": INT,
            "code": TEXT,
            "elementtype": TEXT,
            "fk_element": INT,
            "note": TEXT,
            "datec": DATETIME,
            "datep": DATETIME,
            "tms": DATETIME,
        },
        id_column="id",
        json_keys={"fk_element": "elementid", "note": "note_private"},
    ),
    "/api/index.php/users": Endpoint(
        columns={"rowid": INT, "login": TEXT, "tms": DATETIME},
        id_column="rowid",
        json_keys={"rowid": "id"},
    ),
    "/api/index.php/setup/dictionary/ticket_types": Endpoint(
        columns={"rowid": INT, "code": TEXT, "label": TEXT, "active": INT},
        id_column="rowid",
        json_keys={},
    ),
}
_OPERAND = re.compile(r"\(([a-zA-Z0-9_.]+):")


@dataclass(frozen=True)
class Capture:
    version: str
    file: str
    sqlfilters: str
    path: str
    status: int
    body: Any
    captured_at: str

    @property
    def number(self) -> int:
        return int(self.file[:3])

    @property
    def name(self) -> str:
        return self.file[4:].removesuffix(".json")

    @property
    def endpoint(self) -> Endpoint:
        return ENDPOINTS[self.path]

    @property
    def message(self) -> str:
        return str(self.body["error"]["message"])

    @property
    def rows(self) -> list[dict[str, Any]]:
        body = self.body["data"] if isinstance(self.body, dict) else self.body
        return list(body)

    @property
    def now(self) -> str:
        """The server-local time of the capture (the servers ran in UTC)."""
        return self.captured_at[:19].replace("T", " ")

    def columns_used(self) -> set[str]:
        return {operand.rpartition(".")[2] for operand in _OPERAND.findall(self.sqlfilters)}

    def translate(self, **overrides: Any) -> tuple[str, list[object]]:
        arguments: dict[str, Any] = {
            "columns": self.endpoint.columns,
            "version": self.version,
            "now": self.now,
        }
        arguments.update(overrides)
        return translate(self.sqlfilters, **arguments)

    def __str__(self) -> str:
        return f"v{self.version}/{self.file}"


def filter_captures() -> list[Capture]:
    """Every capture of both folders whose request has ``sqlfilters``."""
    found = []
    for version in VERSIONS:
        for path in sorted((CAPTURES / f"v{version}").glob("[0-9]*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            query = data["request"].get("query") or {}
            if "sqlfilters" in query:
                found.append(
                    Capture(
                        version=version,
                        file=path.name,
                        sqlfilters=query["sqlfilters"],
                        path=data["request"]["path"],
                        status=data["response"]["status"],
                        body=data["response"]["body"],
                        captured_at=data["captured_at"],
                    )
                )
    return found


def capture(version: str, number: int) -> Capture:
    return next(c for c in filter_captures() if c.version == version and c.number == number)


def db_value(kind: ColumnType, value: Any) -> Any:
    """A JSON value as the database holds it (epochs become UTC wall-clock text)."""
    if value is None or value == "":
        return None
    if kind is DATETIME:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(value)))
    if kind in (INT, REAL):
        return float(value) if kind is REAL else int(value)
    return str(value)


def rows_from_json(endpoint: Endpoint, items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        row = {}
        for column, kind in endpoint.columns.items():
            key = endpoint.json_keys.get(column, column)
            if key in item:
                row[column] = db_value(kind, item[key])
        rows.append(row)
    return rows


def select_ids(
    where: tuple[str, list[object]],
    rows: Iterable[Mapping[str, Any]],
    columns: Mapping[str, ColumnType | str],
    id_column: str,
) -> set[Any]:
    """The ids of ``rows`` (stored in a table ``AS t``) that the WHERE keeps."""
    sql_types = {INT: "INTEGER", REAL: "REAL", TEXT: "TEXT", DATETIME: "TEXT"}
    names = list(columns)
    connection = sqlite3.connect(":memory:")
    try:
        ddl = ", ".join(f"{name} {sql_types[ColumnType(columns[name])]}" for name in names)
        connection.execute(f"CREATE TABLE tbl ({ddl})")
        connection.executemany(
            f"INSERT INTO tbl VALUES ({', '.join('?' * len(names))})",
            [[row.get(name) for name in names] for row in rows],
        )
        sql, params = where
        query = f"SELECT {id_column} FROM tbl AS t WHERE {sql}"
        return {found for (found,) in connection.execute(query, params)}
    finally:
        connection.close()
