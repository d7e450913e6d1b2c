"""Is the mirror fresh? The sync lag per entity, and the verdict ``/healthz`` gives.

What this module knows: that the lag of an entity is now minus its last successful sync (as
the store recorded it, so it survives restarts), that the mirror is as fresh as its stalest
configured entity, and that an entity never synced yet makes the mirror not healthy yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dolisync.store import EntityStatus, SourceStatus


@dataclass(frozen=True, slots=True)
class Health:
    """The verdict: ``ok`` when every configured entity synced within ``max_lag`` seconds."""

    ok: bool
    max_lag: float
    lag: float | None  # of the stalest entity; None when one never synced
    entities: Mapping[str, float | None] = field(default_factory=dict)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "unhealthy",
            "reason": self.reason or None,
            "lag_seconds": _rounded(self.lag),
            "max_lag_seconds": self.max_lag,
            "entities": {name: _rounded(lag) for name, lag in self.entities.items()},
        }


def entity_lags(
    source: SourceStatus, entities: Sequence[str], now: float
) -> dict[str, float | None]:
    """Seconds since each entity's last successful sync (None: never synced)."""
    lags: dict[str, float | None] = {}
    for name in entities:
        last = source.entities.get(name, EntityStatus()).last_sync
        lags[name] = None if last is None else max(now - last, 0.0)
    return lags


def judge(source: SourceStatus, entities: Sequence[str], *, now: float, max_lag: float) -> Health:
    lags = entity_lags(source, entities, now)
    never = [name for name, lag in lags.items() if lag is None]
    if never:
        reason = f"never synced yet: {', '.join(never)}"
        return Health(ok=False, max_lag=max_lag, lag=None, entities=lags, reason=reason)
    stalest = max((lag for lag in lags.values() if lag is not None), default=0.0)
    if stalest > max_lag:
        late = [name for name, lag in lags.items() if lag is not None and lag > max_lag]
        reason = f"last successful sync older than {max_lag:g} s: {', '.join(late)}"
        return Health(ok=False, max_lag=max_lag, lag=stalest, entities=lags, reason=reason)
    return Health(ok=True, max_lag=max_lag, lag=stalest, entities=lags)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
