"""What a request handler returns: an HTTP answer, or an ``ApiError`` shaped like Dolibarr's.

Dolibarr (through Restler) answers errors as
``{"error": {"code": N, "message": "<reason>: <text>"}, "debug": {...}}``; a few answers are not
JSON at all (501 text/html for an unknown API module, 500 with an empty body, 304 empty).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final

JSON_TYPE: Final[str] = "application/json; charset=utf-8"
HTML_TYPE: Final[str] = "text/html; charset=UTF-8"


@dataclass(slots=True)
class Answer:
    """One HTTP answer: status, body bytes, content type (None: no Content-Type header)."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def json_answer(value: Any, status: int = 200) -> Answer:
    # PHP's json_encode escapes "/" and non-ASCII; clients only care that it is valid JSON
    return Answer(status, json.dumps(value, separators=(",", ":")).encode())


def success(message: str) -> Answer:
    return json_answer({"success": {"code": 200, "message": message}})


def not_modified() -> Answer:
    return Answer(304, b"", None)


def api_not_found() -> Answer:
    """Dolibarr's answer for an API module that is not installed or enabled."""
    return Answer(501, b"API not found (failed to include API file)", HTML_TYPE)


class ApiError(Exception):
    """An error answer. ``debug_key`` names the captured debug block to copy (templates)."""

    def __init__(
        self,
        status: int,
        text: str = "",
        *,
        debug_key: str = "",
        source_file: str = "api.class.php",
        details: tuple[str, ...] = (),
    ) -> None:
        reason = HTTPStatus(status).phrase
        self.status = status
        self.message = f"{reason}: {text}" if text else reason
        self.debug_key = debug_key
        self.source_file = source_file
        self.details = details
        super().__init__(self.message)

    def body(self, debug: dict[str, Any]) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.status, "message": self.message}
        for number, detail in enumerate(self.details):
            error[str(number)] = detail
        return {"error": error, "debug": debug}


class RawError(Exception):
    """An answer that is not Dolibarr's JSON error envelope (e.g. the empty 500 of a PHP fatal)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer
