"""What a failed cycle means for the next one: retry on time, or back off and say so loudly.

What this module knows: which errors fix themselves (Dolibarr down, a timeout, a 5xx, a busy
store: the next cycle simply tries again) and which need a person (a refused key, missing
rights, a store written by a newer dolisync, a full disk, a bug): those are logged as errors
and the cycles after them are spaced out (doubling, up to an hour) so a broken set-up does
not hammer Dolibarr (each refused key costs it a deliberate second) or flood the journal.
A reload resets the backoff: the admin probably fixed something.
"""

from __future__ import annotations

from typing import Final, Literal

from dolisync.errors import (
    AuthError,
    DolisyncError,
    PermissionDenied,
    SchemaTooNew,
    StoreError,
    StoreLocked,
    UserError,
)

Severity = Literal["transient", "needs_admin"]
MAX_BACKOFF: Final = 3600.0

# UserError covers ConfigError (e.g. a rule the engine refuses).
_NEEDS_ADMIN: Final = (AuthError, PermissionDenied, UserError, SchemaTooNew)


def severity(error: BaseException) -> Severity:
    """``needs_admin`` for errors a retry cannot fix (and for bugs), else ``transient``."""
    if isinstance(error, StoreLocked):
        return "transient"
    if isinstance(error, (*_NEEDS_ADMIN, StoreError)):
        return "needs_admin"
    if isinstance(error, DolisyncError):
        return "transient"
    return "needs_admin"  # not ours: a bug, it will happen again


class Backoff:
    """Spacing between attempts after failures that need an admin: base, 2x base, ... cap."""

    def __init__(self, base: float, cap: float = MAX_BACKOFF) -> None:
        self.base = base
        self.cap = max(cap, base)
        self.failures = 0
        self._not_before = 0.0

    def failed(self, now: float) -> float:
        """Record a failure at monotonic ``now``; the delay before the next attempt."""
        delay = min(self.base * 2.0**self.failures, self.cap)
        self.failures += 1
        self._not_before = now + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0
        self._not_before = 0.0

    def allows(self, now: float) -> bool:
        return now >= self._not_before

    def remaining(self, now: float) -> float:
        return max(self._not_before - now, 0.0)
