"""The sync engine: incremental, crash-safe mirroring of Dolibarr objects into the store.

``SyncEngine(client, store, ...)`` with ``run(entities, full=..., progress=...)`` ->
``SyncReport`` and ``refresh(entity, id)`` -> ``EntityReport``. It knows the Dolibarr client
and the store only through the protocols of ``ports.py``, and never prints.
"""

from __future__ import annotations

from dolisync.sync.engine import RUN_STOPPERS, SyncEngine, choose_entities, describe_error
from dolisync.sync.ports import SyncClient, SyncStore
from dolisync.sync.progress import NO_PROGRESS, NoProgress, PageProgress, SyncProgress
from dolisync.sync.report import EntityReport, SyncReport

__all__ = [
    "NO_PROGRESS",
    "RUN_STOPPERS",
    "EntityReport",
    "NoProgress",
    "PageProgress",
    "SyncClient",
    "SyncEngine",
    "SyncProgress",
    "SyncReport",
    "SyncStore",
    "choose_entities",
    "describe_error",
]
