"""Turning a failed exchange with Dolibarr into one ``dolisync.errors`` exception.

What this module knows: Dolibarr's error envelope (``{"error": {"code", "message", "0": …}}``),
which HTTP status means which error class, the hint each class gives the user, which
failures a read may retry, and how to read ``Retry-After``. Messages are one line:
``GET /tickets: 401 Unauthorized: <Dolibarr's text>``.
"""

from __future__ import annotations

import json
import re
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from dolisync.errors import (
    AuthError,
    BadRequest,
    DolibarrError,
    DolibarrTimeout,
    FeatureMissing,
    InvalidResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
)

MAX_TEXT = 300  # longest piece of server text quoted in a message

HINTS: dict[type[DolibarrError], str] = {
    AuthError: (
        "check the API key (dolibarr.api_key or api_key_file) and that its Dolibarr user is "
        "active; "
        "a refused key is never retried"
    ),
    PermissionDenied: (
        "give the API key's Dolibarr user the rights dolisync needs (tickets, interventions, "
        "third parties, users, agenda events: read all)"
    ),
    NotFound: "the object does not exist, or this Dolibarr version has no such route",
    BadRequest: (
        "Dolibarr refused the request as malformed: likely a dolisync bug or an unsupported "
        "Dolibarr version (see Dolibarr's message)"
    ),
    RateLimited: "Dolibarr (or a proxy in front of it) asks to slow down: poll less often",
    ServerError: (
        "Dolibarr failed; see its logs. A write may still have been applied: re-read before "
        "retrying"
    ),
    FeatureMissing: "enable the API module (and the module of this endpoint) in Dolibarr",
    InvalidResponse: (
        "the answer is not Dolibarr's JSON API: check that dolibarr.url ends with "
        "/api/index.php and that no proxy or login page answers instead"
    ),
    TransportError: "check dolibarr.url and that Dolibarr is reachable from this host",
    DolibarrTimeout: "Dolibarr did not answer in time: check its load, or raise dolibarr.timeout",
}
QUERY_BUG_HINT = (
    "Dolibarr rejected the list query (unknown column, bad sort field or unquoted text value): "
    "a dolisync bug or an unsupported Dolibarr version, not an outage; it is not retried"
)
REFUSAL_503_HINT = (
    "Dolibarr itself refused with 503 (IP restriction, API key shared by two users, locked "
    "user?): a configuration problem, not an outage; it is not retried"
)
TLS_HINT = (
    "TLS failed: check Dolibarr's certificate, or point dolibarr.ca_bundle at the CA that signed it"
)

_STATUS_CLASSES: dict[int, type[DolibarrError]] = {
    400: BadRequest,
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    429: RateLimited,
    501: FeatureMissing,
}
# Dolibarr's own 503s (bad list query, IP restriction, duplicate key, locked user) are
# deterministic; only a 503 without Dolibarr's JSON envelope (a proxy, maintenance) is transient.
_RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
_LIST_QUERY_BUG = re.compile(r"error when retriev", re.IGNORECASE)
_EMPTY_LIST = re.compile(r"^(not found:\s*)?no\b.*\bfound\b", re.IGNORECASE)


def one_line(text: str, limit: int = MAX_TEXT) -> str:
    """Whitespace collapsed to single spaces, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def dolibarr_error_envelope(body: bytes) -> dict[str, Any] | None:
    """The ``error`` object of Dolibarr's JSON error body, or None when there is none."""
    try:
        decoded = json.loads(body)
    except ValueError:
        return None
    error = decoded.get("error") if isinstance(decoded, dict) else None
    return error if isinstance(error, dict) else None


def _texts_of(response: requests.Response) -> tuple[str | None, list[str]]:
    """(Dolibarr's ``error.message``, extra detail strings) of an error answer."""
    envelope = dolibarr_error_envelope(response.content)
    if envelope is not None:
        message = envelope.get("message")
        details = [str(v) for k, v in envelope.items() if k not in ("code", "message")]
        return (str(message) if message is not None else None), details
    text = response.content.decode("utf-8", errors="replace").strip()
    return (one_line(re.sub(r"<[^>]+>", " ", text)) or None), []


def _strip_reason(message: str, reason: str) -> str:
    """``"Unauthorized: Error user…"`` -> ``"Error user…"`` when the reason is repeated."""
    prefix = f"{reason}:"
    if reason and message.lower().startswith(prefix.lower()):
        return message[len(prefix) :].strip()
    return message


def error_for_response(method: str, path: str, response: requests.Response) -> DolibarrError:
    """The exception for a non-success HTTP answer (status >= 300, except 304)."""
    status = response.status_code
    reason = response.reason or ""
    message, details = _texts_of(response)
    cls = _STATUS_CLASSES.get(status) or _class_for_other(status)
    head = f"{method} {path}: {status} {reason}".rstrip()
    shown = _strip_reason(message, reason) if message else ""
    if details:
        shown = f"{shown} ({'; '.join(details)})" if shown else "; ".join(details)
    text = f"{head}: {one_line(shown)}" if shown and shown != reason else head
    hint = HINTS[cls]
    if status == 503 and is_dolibarr_refusal(response):
        hint = QUERY_BUG_HINT if _LIST_QUERY_BUG.search(message or "") else REFUSAL_503_HINT
    kwargs: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "dolibarr_message": message,
        "hint": hint,
    }
    if cls is RateLimited:
        return RateLimited(text, retry_after=parse_retry_after(response, now=None), **kwargs)
    if cls is InvalidResponse and 300 <= status < 400:
        location = one_line(response.headers.get("Location", "?"), 120)
        kwargs["hint"] = f"Dolibarr redirects to {location}: set dolibarr.url to the final address"
    return cls(text, **kwargs)


def _class_for_other(status: int) -> type[DolibarrError]:
    if status >= 500:
        return ServerError
    if status >= 400:
        return BadRequest
    return InvalidResponse  # 3xx: we never follow redirects (the key header would follow)


def is_dolibarr_refusal(response: requests.Response) -> bool:
    """An answer in Dolibarr's JSON error envelope (so Dolibarr itself chose the status)."""
    return dolibarr_error_envelope(response.content) is not None


def is_empty_list_404(error: DolibarrError) -> bool:
    """Old Dolibarr's way of saying "empty list": 404 ``Not Found: No ticket found``."""
    return isinstance(error, NotFound) and bool(_EMPTY_LIST.match(error.dolibarr_message or ""))


def is_retryable_status(response: requests.Response) -> bool:
    """May a READ with this answer be tried again (see the transport module's rule)?"""
    status = response.status_code
    if status not in _RETRYABLE_STATUSES:
        return False
    return not (status == 503 and is_dolibarr_refusal(response))


def is_retryable_exception(exc: OSError) -> bool:
    """May a READ that got no answer be tried again? Not when TLS or local set-up failed:
    a bad certificate or a missing CA file does not heal in a few seconds."""
    return isinstance(exc, requests.RequestException) and not isinstance(
        exc, requests.exceptions.SSLError
    )


def parse_retry_after(response: requests.Response, *, now: float | None) -> float | None:
    """``Retry-After`` in seconds (a number, or an HTTP date relative to ``now``); None if absent.

    With ``now=None`` an HTTP date is read against the answer's own ``Date`` header.
    """
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    if now is None:
        date_header = response.headers.get("Date")
        try:
            now = parsedate_to_datetime(date_header).timestamp() if date_header else None
        except (TypeError, ValueError, IndexError):
            now = None
    if now is None:
        return None
    return max(0.0, when - now)


def error_for_exception(method: str, path: str, exc: OSError) -> DolibarrError:
    """The exception for a request that got no usable answer. Never quotes ``exc`` itself
    (its text and its request object could carry the URL and headers)."""
    head = f"{method} {path}"
    if isinstance(exc, requests.Timeout):
        kind = "connect" if isinstance(exc, requests.ConnectTimeout) else "read"
        return DolibarrTimeout(
            f"{head}: no answer in time ({kind} timeout)",
            method=method,
            path=path,
            hint=HINTS[DolibarrTimeout],
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return TransportError(
            f"{head}: TLS handshake failed", method=method, path=path, hint=TLS_HINT
        )
    if not isinstance(exc, requests.RequestException):
        return TransportError(
            f"{head}: could not send the request ({type(exc).__name__})",
            method=method,
            path=path,
            hint="check dolibarr.ca_bundle (the file must exist and be readable) and dolibarr.url",
        )
    return TransportError(
        f"{head}: {_describe_connection_failure(exc)}",
        method=method,
        path=path,
        hint=HINTS[TransportError],
    )


def _describe_connection_failure(exc: OSError) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "host name not found"
    if "reset" in text:
        return "connection reset"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "answer cut off"
    return f"connection failed ({type(exc).__name__})"


def invalid_json(method: str, path: str, status: int, reason: str) -> InvalidResponse:
    return InvalidResponse(
        f"{method} {path}: {status}: {reason}",
        method=method,
        path=path,
        status=status,
        hint=HINTS[InvalidResponse],
    )
