"""HTTP to one Dolibarr API: session, key header, timeouts, read retries, error mapping, stats.

What this module knows: how to send one request to ``<base>/api/index.php/<path>``, when a
failed READ may be tried again, and how to turn any failure into ``dolisync.errors``.
It knows nothing about tickets or pagination.

Retry rule (reads only; POST/PUT/DELETE are sent exactly once, never retried here):

* retried: connection errors, timeouts, HTTP 429, 502, 504, and 503 *unless* it comes in
  Dolibarr's own JSON error envelope. Dolibarr itself answers 503 only for deterministic
  refusals: ``Error when retrieve … list`` (unknown column, bad sort field, unquoted filter
  string: a bug in our request), IP restriction, a key shared by two users, a locked user.
  Retrying those only hides the bug; a 503 from a proxy or maintenance page is retried;
* never retried: 401 (a wrong key costs Dolibarr a deliberate 1 s; looping on it is an
  attack on the server), 400, 403, 404, 500 (may be partial, caller re-reads), 501, bad JSON,
  redirects (never followed: the key header would go along), TLS and local set-up failures;
* waits: ``Retry-After`` (seconds or HTTP date) when given, capped at
  ``RetryPolicy.retry_after_max``; otherwise jittered exponential backoff capped at
  ``RetryPolicy.backoff_max``. Every wait goes through the injected ``Clock``.

The API key travels in the ``DOLAPIKEY`` header only; it never appears in a message, a
``repr``, a log event or an exception: errors are raised outside the ``except`` block (no
``__cause__``/``__context__`` holding requests' exception and its headers), and any text a
server or proxy echoes is scrubbed of the key.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from dolisync import __version__
from dolisync.clock import Clock, SystemClock
from dolisync.dolibarr.errormap import (
    error_for_exception,
    error_for_response,
    invalid_json,
    is_retryable_exception,
    is_retryable_status,
    parse_retry_after,
)
from dolisync.errors import DolibarrError, InvalidResponse

Timeout = float | tuple[float, float]
"""Seconds; a pair is (connect, read)."""

DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)
USER_AGENT = f"dolisync/{__version__}"
REDACTED = "***"

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try a read again. ``max_attempts`` counts the first try."""

    max_attempts: int = 5
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Wait after failed ``attempt`` (1-based): exponential, capped, jittered to [½, 1]."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2 ** (attempt - 1))
        return rng.uniform(ceiling / 2, ceiling)


@dataclass(slots=True)
class RequestStats:
    """What one client did, for the sync summary and metrics (never reset implicitly)."""

    requests: int = 0  # HTTP exchanges attempted (each retry counts)
    retries: int = 0  # attempts beyond the first
    errors: Counter[str] = field(default_factory=Counter)  # failed attempts by error class
    bytes_received: int = 0
    bytes_sent: int = 0

    def snapshot(self) -> dict[str, Any]:
        """A plain, JSON-able copy."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "errors": dict(self.errors),
            "bytes_received": self.bytes_received,
            "bytes_sent": self.bytes_sent,
        }


@dataclass(frozen=True, slots=True)
class _Call:
    """One request in flight, for errors and logs."""

    method: str
    path: str
    params: Mapping[str, Any] | None
    started: float  # clock.monotonic()
    retryable: bool


class _RetryableFailureError(Exception):
    """Carries a read failure that may be retried, and how long the server asked us to wait."""

    def __init__(self, error: DolibarrError, retry_after: float | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


class Transport:
    """One ``requests.Session`` to one Dolibarr API root (the URL ending ``/api/index.php``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        verify: bool | str = True,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        session: requests.Session | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("the Dolibarr API key is empty")
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self._verify = verify
        self._retry = retry or RetryPolicy()
        self._clock: Clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._stats = RequestStats()
        self._session = session or requests.Session()
        self._session.headers.update(
            {"DOLAPIKEY": api_key, "Accept": "application/json", "User-Agent": USER_AGENT}
        )

    def __repr__(self) -> str:
        return f"Transport(base_url={self._base_url!r}, api_key={REDACTED!r})"

    @property
    def base_url(self) -> str:
        """The API root, without a trailing slash."""
        return self._base_url

    @property
    def stats(self) -> RequestStats:
        return self._stats

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path`` (e.g. ``/tickets``) with retries; decoded JSON, or None for 304/empty."""
        retrying = Retrying(
            stop=stop_after_attempt(self._retry.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_RetryableFailureError),
            sleep=self._clock.sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, "GET", path, params, None, retryable=True)
        except _RetryableFailureError as failure:
            error = failure.error
        attempts = self._retry.max_attempts
        if attempts > 1:
            self._set_message(error, f"{error.message} (gave up after {attempts} attempts)")
        raise error

    def post(self, path: str, body: Any = None) -> Any:
        """POST JSON once (never retried); decoded JSON, or None for 304/empty."""
        return self._attempt("POST", path, None, body, retryable=False)

    def put(self, path: str, body: Any) -> Any:
        """PUT JSON once (never retried)."""
        return self._attempt("PUT", path, None, body, retryable=False)

    def delete(self, path: str) -> Any:
        """DELETE once (never retried)."""
        return self._attempt("DELETE", path, None, None, retryable=False)

    def close(self) -> None:
        self._session.close()

    # -- one exchange ---------------------------------------------------------------------
    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        *,
        retryable: bool,
    ) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"} if data is not None else None
        call = _Call(method, path, params, self._clock.monotonic(), retryable)
        self._stats.requests += 1
        self._stats.bytes_sent += len(data or b"")
        failure: DolibarrError | None = None
        try:
            response = self._session.request(
                method,
                self._base_url + path,
                params=params,
                data=data,
                headers=headers,
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=False,  # the key header would follow a redirect anywhere
            )
        except OSError as exc:  # requests' errors, and e.g. a missing CA bundle file
            # Built here, raised below: outside the handler, so no chained cause or context
            # (requests' exception holds the prepared request, headers and key included).
            failure = error_for_exception(method, path, exc)
            if not is_retryable_exception(exc):
                call = dataclasses.replace(call, retryable=False)
        if failure is not None:
            raise self._failure(call, failure, retry_after=None)
        return self._answer(call, response)

    def _answer(self, call: _Call, response: requests.Response) -> Any:
        status = response.status_code
        self._stats.bytes_received += len(response.content)
        if status >= 300 and status != 304:
            error = error_for_response(call.method, call.path, response)
            retry_after = parse_retry_after(response, now=self._clock.now())
            if not is_retryable_status(response):
                call = dataclasses.replace(call, retryable=False)
            raise self._failure(call, error, retry_after)
        self._log(call, status=status, size=len(response.content))
        if status == 304 or not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            reason = "the answer is not valid JSON (truncated?)"
        raise self._failure(call, invalid_json(call.method, call.path, status, reason), None)

    def _failure(self, call: _Call, error: DolibarrError, retry_after: float | None) -> Exception:
        """Count, log and scrub ``error``; what to raise (wrapped when the read may retry)."""
        self._scrub(error)
        self._stats.errors[type(error).__name__] += 1
        self._log(call, status=error.status, error=error.message)
        if call.retryable and not isinstance(error, InvalidResponse):
            return _RetryableFailureError(error, retry_after)
        return error

    # -- retry plumbing -----------------------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _RetryableFailureError) and failure.retry_after is not None:
            return min(failure.retry_after, self._retry.retry_after_max)
        return self._retry.backoff(state.attempt_number, self._rng)

    def _before_sleep(self, state: RetryCallState) -> None:
        self._stats.retries += 1
        failure = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else None
        log.info(
            "dolibarr.retry",
            attempt=state.attempt_number,
            wait_s=wait,
            error=failure.error.message if isinstance(failure, _RetryableFailureError) else None,
        )

    # -- secrets and logs ---------------------------------------------------------------------
    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, REDACTED)

    def _set_message(self, error: DolibarrError, message: str) -> None:
        error.message = self._redact(message)
        error.args = (error.message,)

    def _scrub(self, error: DolibarrError) -> None:
        """Remove the key from everything the error shows (a server or proxy may echo it)."""
        self._set_message(error, error.message)
        if error.dolibarr_message is not None:
            error.dolibarr_message = self._redact(error.dolibarr_message)
        if error.hint is not None:
            error.hint = self._redact(error.hint)
        if error.path is not None:
            error.path = self._redact(error.path)

    def _log(self, call: _Call, **fields: Any) -> None:
        safe_params = {k: self._redact(str(v)) for k, v in (call.params or {}).items()}
        log.debug(
            "dolibarr.request",
            method=call.method,
            path=self._redact(call.path),
            params=safe_params or None,
            elapsed_ms=round((self._clock.monotonic() - call.started) * 1000, 1),
            **{k: self._redact(v) if isinstance(v, str) else v for k, v in fields.items()},
        )
