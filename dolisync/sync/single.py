"""Reading one object by id, for "refresh X now" and for entities whose list is incomplete.

What this module knows: which client call returns the full current state of one object of
each entity, and that Dolibarr's 404 means the object is gone (None here).
"""

from __future__ import annotations

from collections.abc import Callable

from dolisync.errors import NotFound
from dolisync.records import Entity, Record
from dolisync.sync.ports import SyncClient


def fetch_one(client: SyncClient, entity: Entity, object_id: int) -> Record | None:
    """The object as Dolibarr has it now, or None when it no longer exists (or, for
    messages, when the agenda event is not a ticket message)."""
    getters: dict[Entity, Callable[[int], Record]] = {
        "tickets": client.get_ticket,
        "interventions": client.get_intervention,
        "users": client.get_user,
        "thirdparties": client.get_thirdparty,
    }
    getter = getters.get(entity)
    if getter is None:
        # Messages have no single read that carries the event code: list that one id.
        return _listed_one(client, entity, object_id)
    try:
        return getter(object_id)
    except NotFound:
        return None


def _listed_one(client: SyncClient, entity: Entity, object_id: int) -> Record | None:
    for raw in client.fetch_by_ids(entity, [object_id]):
        record = client.parse(entity, raw)
        if record is not None and record.id == object_id:
            return record
    return None
