"""Every error dolisync raises on purpose, and the exit code each one means.

The tree (the CLI's single handler maps a class to a message, a hint and an exit code;
anything outside this tree is a bug and gets a traceback)::

    DolisyncError                      exit 1
    ├── UserError                      exit 2   bad command-line input
    │   └── ConfigError                exit 3   the config file is wrong (carries every problem)
    ├── DolibarrError                  exit 7   Dolibarr answered, but not as we need
    │   ├── TransportError             exit 4   no answer: connection refused, DNS, TLS, reset
    │   │   └── DolibarrTimeout        exit 4   no answer in time
    │   ├── AuthError                  exit 5   401: the API key is missing or wrong
    │   ├── PermissionDenied           exit 5   403: the key's user lacks a right
    │   ├── NotFound                   exit 7   404: no such object (or no such route)
    │   ├── BadRequest                 exit 7   400: Dolibarr refused our request; its message kept
    │   ├── RateLimited                exit 4   429: told to slow down (retry_after seconds)
    │   ├── ServerError                exit 4   5xx: Dolibarr failed (may have applied a write!)
    │   ├── FeatureMissing             exit 7   501: API module or route not enabled
    │   └── InvalidResponse            exit 7   the answer is not what Dolibarr sends (bad JSON...)
    ├── StoreError                     exit 6   the local database cannot be used
    │   ├── StoreLocked                exit 6   another dolisync holds the store
    │   └── SchemaTooNew               exit 6   the store was written by a newer dolisync
    └── SyncError                      exit 1   sync stopped to protect the mirror

Errors carry structured fields and a ``hint`` (what the user should do). They never carry
the API key: messages are built from status codes, paths and Dolibarr's own text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_UNREACHABLE = 4
EXIT_AUTH = 5
EXIT_STORE = 6
EXIT_DOLIBARR = 7
EXIT_BUG = 70
EXIT_INTERRUPTED = 130

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_ERROR: "an error stopped the command (see the message)",
    EXIT_USAGE: "bad command-line usage",
    EXIT_CONFIG: "the configuration is invalid",
    EXIT_UNREACHABLE: "Dolibarr could not be reached, timed out, or failed (5xx, 429)",
    EXIT_AUTH: "Dolibarr refused the API key (401) or its rights (403)",
    EXIT_STORE: "the local store cannot be opened, is locked, or is too new",
    EXIT_DOLIBARR: "Dolibarr answered with an error or an answer dolisync cannot read",
    EXIT_BUG: "internal error: a bug in dolisync (please report it with --debug output)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}


class DolisyncError(Exception):
    """Root of every error dolisync raises on purpose."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UserError(DolisyncError):
    """The user asked for something impossible; explain, never show a traceback."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a config file: where (file, dotted path, line) and what."""

    path: str
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        location = ": ".join(part for part in (where, self.path) if part)
        return f"{location}: {self.message}" if location else self.message


class ConfigError(UserError):
    """The configuration is invalid. ``problems`` lists every problem found, not just one."""

    exit_code = EXIT_CONFIG

    def __init__(
        self, problems: Sequence[Problem], *, hint: str | None = None, file: str | None = None
    ) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{file}: " if file else ""
        if count == 1:
            message = f"invalid configuration: {self.problems[0]}"
        else:
            message = f"{head}invalid configuration ({count} problems)"
        super().__init__(message, hint=hint)


class DolibarrError(DolisyncError):
    """Dolibarr's answer was an error. ``status`` is the HTTP status (None: no answer)."""

    exit_code = EXIT_DOLIBARR

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        dolibarr_message: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.method = method
        self.path = path
        self.status = status
        self.dolibarr_message = dolibarr_message


class TransportError(DolibarrError):
    """No HTTP answer at all: refused, reset, DNS or TLS failure."""

    exit_code = EXIT_UNREACHABLE


class DolibarrTimeout(TransportError):
    """Dolibarr did not answer within the configured timeout."""


class AuthError(DolibarrError):
    """401: the API key is missing, unknown, or its user is disabled."""

    exit_code = EXIT_AUTH


class PermissionDenied(DolibarrError):
    """403: the API key's user lacks a right, or cannot see the record."""

    exit_code = EXIT_AUTH


class NotFound(DolibarrError):
    """404: the object does not exist (or, on some versions, the route does not)."""


class BadRequest(DolibarrError):
    """400: Dolibarr refused the request; ``dolibarr_message`` says why."""


class RateLimited(DolibarrError):
    """429: slow down; ``retry_after`` is the server's wish in seconds, when it gave one."""

    exit_code = EXIT_UNREACHABLE

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(DolibarrError):
    """5xx: Dolibarr failed. A write may still have been applied: re-read before retrying."""

    exit_code = EXIT_UNREACHABLE


class FeatureMissing(DolibarrError):
    """501: the API module or route is not available on this Dolibarr."""


class InvalidResponse(DolibarrError):
    """The answer is not what Dolibarr sends: malformed or truncated JSON, wrong shape."""


class StoreError(DolisyncError):
    """The local store cannot be opened or written."""

    exit_code = EXIT_STORE


class StoreLocked(StoreError):
    """Another dolisync process holds the store."""


class SchemaTooNew(StoreError):
    """The store's schema was written by a newer dolisync than this one."""


class SyncError(DolisyncError):
    """Sync stopped on purpose to protect the mirror (a safety check failed)."""
