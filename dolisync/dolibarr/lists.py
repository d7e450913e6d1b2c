"""One list request: parameters, both empty-list styles, and the ``{data, pagination}`` envelope.

What this module knows: that older Dolibarr answers an empty list with 404
``Not Found: No ticket found`` (while a 404 for an unknown route must still raise), that
22.0.4 may wrap rows as ``{"data": [...], "pagination": {...}}``, and that anything else
than a list of objects is not a list answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dolisync.dolibarr.errormap import is_empty_list_404
from dolisync.dolibarr.pagination import Row
from dolisync.dolibarr.transport import Transport
from dolisync.errors import InvalidResponse, NotFound


def list_page(
    transport: Transport,
    resource: str,
    *,
    sqlfilters: str | None = None,
    sortfield: str | None = None,
    sortorder: str = "ASC",
    limit: int | None = None,
    properties: Sequence[str] | None = None,
    page: int | None = None,
    extra_params: Mapping[str, Any] | None = None,
) -> list[Row]:
    """``GET <resource>`` as a list of rows (see ``DolibarrClient.list_page``)."""
    params: dict[str, Any] = {"sortorder": sortorder}
    optional = {"sortfield": sortfield, "limit": limit, "page": page, "sqlfilters": sqlfilters}
    params.update({key: value for key, value in optional.items() if value is not None})
    if properties is not None:
        params["properties"] = ",".join(properties)
    params.update(extra_params or {})
    try:
        body = transport.get(resource, params)
    except NotFound as error:
        if not is_empty_list_404(error):
            raise
        return []
    return rows_of(body, resource)


def rows_of(body: Any, resource: str) -> list[Row]:
    """The rows of a list answer: a JSON list, or 22.0.4's ``{data, pagination}`` envelope."""
    if isinstance(body, dict) and isinstance(body.get("data"), list) and "pagination" in body:
        body = body["data"]
    if not isinstance(body, list) or not all(isinstance(row, dict) for row in body):
        shown = "nothing" if body is None else type(body).__name__
        raise InvalidResponse(
            f"GET {resource}: expected a list of objects, got {shown}",
            method="GET",
            path=resource,
            hint="check that dolibarr.url ends with /api/index.php",
        )
    return body
