"""List endpoints' shared parameters: limit, page, sortfield, sortorder, sqlfilters, properties,
pagination_data — and the SQL they become.

Dolibarr's rules (captures): ``limit`` default 100, ``0`` = every row, negative = the instance's
default page size (20); ``page`` is 0-based; ``sortfield`` is a comma list of ``t.<column>``
sorted with the single ``sortorder`` (anything but ASC/DESC is ignored); an unknown sort or
filter column is a SQL error -> 503; a sqlfilters syntax error -> 400 with the reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dolisync.simulator.answers import ApiError
from dolisync.simulator.backend import Backend
from dolisync.simulator.database import Row
from dolisync.simulator.request import Request
from dolisync.simulator.sqlfilters import SqlFiltersQueryError, SqlFiltersSyntaxError, translate

DEFAULT_LIMIT = 100
NEGATIVE_LIMIT_PAGE_SIZE = 20  # Dolibarr's MAIN_SIZE_LISTE_LIMIT on a fresh install
_SORT_FIELD = re.compile(r"^(?:[a-z_][a-z0-9_]*\.)?([a-z_][a-z0-9_]*)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListParams:
    limit: int
    page: int
    sortfield: str
    sortorder: str
    sqlfilters: str
    properties: frozenset[str] | None
    pagination: bool

    @classmethod
    def parse(cls, request: Request, *, sortfield: str, is_v20: bool) -> ListParams:
        query = request.query
        limit = _integer(query.get("limit"), DEFAULT_LIMIT)
        if limit < 0:
            limit = NEGATIVE_LIMIT_PAGE_SIZE
        properties = query.get("properties", "").strip()
        return cls(
            limit=limit,
            page=max(_integer(query.get("page"), 0), 0),
            sortfield=query.get("sortfield") or sortfield,
            sortorder=query.get("sortorder", "ASC").upper(),
            sqlfilters=query.get("sqlfilters", ""),
            properties=frozenset(p.strip() for p in properties.split(",")) if properties else None,
            pagination=not is_v20 and request.flag("pagination_data"),
        )


@dataclass(frozen=True, slots=True)
class ListSpec:
    """What differs between list endpoints: table, columns, and their error answers."""

    table: str
    columns: Mapping[str, str]  # column -> sqlfilters type (schema.COLUMNS)
    failed_text: str  # 503 text, e.g. "Error when retrieve ticket list"
    failed_key: str  # debug block of the 503
    filter_key: str  # debug block of a sqlfilters 400
    empty_text: str  # pre-19 404 text, e.g. "No ticket found"
    source_file: str
    id_column: str = "rowid"


def fetch(
    backend: Backend,
    spec: ListSpec,
    params: ListParams,
    where: Sequence[str] = (),
    where_params: Sequence[Any] = (),
    *,
    user_id: int = 1,
) -> tuple[list[Row], int | None]:
    """The rows of one page, and the total row count when pagination data was asked."""
    clauses = list(where)
    bound = list(where_params)
    if params.sqlfilters:
        clauses.append(_filter_sql(backend, spec, params.sqlfilters, bound, user_id))
    where_sql = f" WHERE {' AND '.join(f'({c})' for c in clauses)}" if clauses else ""
    sql = f"SELECT * FROM {spec.table} AS t{where_sql}{_order_sql(spec, params)}"
    if params.limit:
        sql += f" LIMIT {params.limit} OFFSET {params.limit * params.page}"
    try:
        rows = backend.db.all(sql, bound)
        total = None
        if params.pagination:
            total = int(
                backend.db.scalar(f"SELECT COUNT(*) FROM {spec.table} AS t{where_sql}", bound)
            )
    except Exception as error:  # a bad column or value reaches the database: Dolibarr's 503
        raise _failed(spec) from error
    if not rows and backend.options.empty_list_404:
        raise ApiError(404, spec.empty_text, source_file=spec.source_file)
    return rows, total


def envelope(items: list[Any], params: ListParams, total: int | None) -> Any:
    """The answer body: the plain list, or 22.0.4's ``{data, pagination}`` wrapper."""
    if not params.pagination or total is None:
        return items
    limit = params.limit or total
    page_count = math.ceil(total / limit) if limit else 0
    return {
        "data": items,
        "pagination": {
            "total": total,
            "page": params.page,
            "page_count": page_count,
            "limit": limit,
        },
    }


def _filter_sql(
    backend: Backend, spec: ListSpec, sqlfilters: str, bound: list[Any], user_id: int
) -> str:
    try:
        sql, params = translate(
            sqlfilters,
            columns=spec.columns,
            version=backend.options.version,
            now=backend.now_db(),
            user_id=user_id,
        )
    except SqlFiltersSyntaxError as error:
        raise ApiError(
            400,
            f"Error when validating parameter sqlfilters -> {error.reason}",
            debug_key=spec.filter_key,
            source_file=spec.source_file,
        ) from None
    except SqlFiltersQueryError:
        raise _failed(spec) from None
    bound.extend(params)
    return sql


def _order_sql(spec: ListSpec, params: ListParams) -> str:
    direction = params.sortorder if params.sortorder in ("ASC", "DESC") else ""
    terms = []
    for field in params.sortfield.split(","):
        match = _SORT_FIELD.match(field.strip())
        if match is None or match.group(1).lower() not in spec.columns:
            raise _failed(spec)
        terms.append(f"t.{match.group(1).lower()} {direction}".rstrip())
    return " ORDER BY " + ", ".join(terms) if terms else ""


def _failed(spec: ListSpec) -> ApiError:
    return ApiError(503, spec.failed_text, debug_key=spec.failed_key, source_file=spec.source_file)


def _integer(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        return default
