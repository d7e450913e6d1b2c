"""One API request as the handlers see it: method, path segments, query, parsed body, user."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from dolisync.simulator.answers import ApiError
from dolisync.simulator.rights import ANONYMOUS, ApiUser


@dataclass(slots=True)
class Request:
    method: str
    segments: list[str]
    query: dict[str, str]
    headers: Mapping[str, str]  # lower-case names
    raw_body: bytes = b""
    body: dict[str, Any] = field(default_factory=dict)
    user: ApiUser = ANONYMOUS  # who the key belongs to (set once authenticated)

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def path(self) -> str:
        return "/" + "/".join(self.segments)

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true", "yes", "on")


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The request body as Dolibarr reads it: JSON, or form fields; a JSON list has no fields."""
    if not raw.strip():
        return {}
    text = raw.decode("utf-8", errors="replace")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        value = json.loads(text)
    except ValueError:
        raise ApiError(
            400, "Error encoding/decoding JSON: Syntax error", debug_key="bad_json"
        ) from None
    if isinstance(value, dict):
        return value
    if isinstance(value, list):  # PHP turns a list into an array with keys 0, 1, ...
        return {str(index): item for index, item in enumerate(value)}
    return {}


def require_fields(
    body: dict[str, Any], fields: tuple[str, ...], debug_key: str, source: str
) -> None:
    """Dolibarr's ``_validate()``: 400 "<field> field missing" for the first absent field."""
    for name in fields:
        if body.get(name) is None:
            raise ApiError(400, f"{name} field missing", debug_key=debug_key, source_file=source)
