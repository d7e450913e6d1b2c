"""How one attempt at an action ends, and what the dispatcher does with each ending.

What this module knows: the action states and the meaning of each way out of an executor —
``Outcome`` (done: verified, the object re-read), or one of the exceptions below. Errors from
Dolibarr itself (``dolisync.errors.DolibarrError``) are classified by ``classify``:

* **rejected**: Dolibarr refused in a way a retry will not fix (400 bad request, 404 gone,
  501 missing feature): dead after ``max_attempts_rejected`` attempts, its message kept;
* **blocked**: the key or its rights (401, 403): retried later, and the cycle stops
  dispatching (every other write would fail the same way);
* **transient**: no answer, a timeout, 5xx, 429, a garbled answer: retried with backoff —
  after a look for the object first, since a 5xx or a timeout may hide an applied write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from dolisync.errors import (
    AuthError,
    BadRequest,
    DolibarrError,
    FeatureMissing,
    NotFound,
    PermissionDenied,
)

# pending -> sent -> verified; or failed (retried) -> dead; obsolete; skipped (by a person);
# planned: recorded by a dry run, never sent
STATES: Final = ("pending", "sent", "verified", "failed", "dead", "obsolete", "skipped", "planned")
OPEN: Final = frozenset({"pending", "sent", "failed"})
FINAL: Final = frozenset({"verified", "dead", "obsolete", "skipped", "planned"})

Kind = Literal["rejected", "blocked", "transient"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """The action is done and checked: ``object_id`` is what it created or changed."""

    object_id: int | None
    result: Mapping[str, Any] = field(default_factory=dict)


class ActionError(Exception):
    """Base of the executors' own endings; ``object_id``/``result`` keep what is known."""

    def __init__(
        self,
        reason: str,
        *,
        object_id: int | None = None,
        result: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.object_id = object_id
        self.result = dict(result or {})


class ObsoleteError(ActionError):
    """The intent no longer holds (the ticket changed and the rule no longer matches)."""


class RejectedError(ActionError):
    """dolisync itself found the action impossible as it stands (no customer on the ticket,
    unknown user, Dolibarr ignored the change): retried a few times, then dead."""


class GiveUpError(ActionError):
    """Never to be tried again by itself: retrying could duplicate something."""


class WithdrawnError(ActionError):
    """The item changed under the dispatcher before anything was sent (skipped by a user,
    or taken by another dispatcher): leave it as it now is, send nothing."""


class NotYetError(ActionError):
    """Not now: an earlier write may still be in flight in Dolibarr; look again at ``until``."""

    def __init__(self, reason: str, *, until: float) -> None:
        super().__init__(reason)
        self.until = until


def classify(error: DolibarrError) -> Kind:
    if isinstance(error, BadRequest | NotFound | FeatureMissing):
        return "rejected"
    if isinstance(error, AuthError | PermissionDenied):
        return "blocked"
    return "transient"


def describe(error: Exception) -> str:
    """One line for ``last_error``: the class, our message and Dolibarr's own words."""
    if isinstance(error, ActionError):
        return error.reason
    text = f"{type(error).__name__}: {error}"
    known = error.dolibarr_message if isinstance(error, DolibarrError) else None
    if known and known not in text:
        text += f" (Dolibarr: {known})"
    return text
