"""dolisync's local store: the SQL mirror of Dolibarr objects, sync state and change log.

``Store.open(url)`` gives the one object the rest of dolisync uses; see ``store.py``.
"""

from __future__ import annotations

from dolisync.store.results import (
    Change,
    ChangeKind,
    EntityStatus,
    PageResult,
    Position,
    SourceStatus,
    StoreStatus,
)
from dolisync.store.store import Store

__all__ = [
    "Change",
    "ChangeKind",
    "EntityStatus",
    "PageResult",
    "Position",
    "SourceStatus",
    "Store",
    "StoreStatus",
]
