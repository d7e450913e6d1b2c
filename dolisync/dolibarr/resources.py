"""Where each mirrored entity lives in the API and how to page it.

What this module knows: per entity of ``dolisync.records.ENTITIES``, the API path, the id
column (filter) and JSON field, the modification column and the JSON field that carries it
(tickets ``tms``, interventions and users ``datem``, third parties ``date_modification``:
Dolibarr renames ``tms`` when it loads those objects), the base filter, whether list items
are complete (intervention links only come from ``GET /interventions/{id}``), and the parse
function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dolisync.dolibarr import parse
from dolisync.dolibarr import sqlfilters as sf
from dolisync.dolibarr.parse import Raw
from dolisync.dolibarr.sqlfilters import Filter
from dolisync.records import ENTITIES, Entity, Record


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    entity: Entity
    path: str  # "/tickets"
    id_column: str  # for sqlfilters/sortfield: "t.rowid" ("t.id" for agenda events)
    id_field: str  # JSON: "id"
    modified_column: str | None  # "t.tms"; None: not pollable by time (messages: id cursor)
    modified_field: str | None  # JSON field holding the tms epoch
    base_filter: Filter | None  # e.g. (t.elementtype:=:'ticket')
    list_is_complete: bool  # False: list items lack data only a detail GET has
    parse: Callable[[Raw, str], Record | None]  # (raw, source) -> record; None: skip the row

    def detail_path(self, object_id: int) -> str:
        return f"{self.path}/{int(object_id)}"


def _ticket(raw: Raw, source: str) -> Record | None:
    return parse.parse_ticket(raw, source=source)


def _message(raw: Raw, source: str) -> Record | None:
    return parse.parse_message(raw, source=source)


def _intervention(raw: Raw, source: str) -> Record | None:
    return parse.parse_intervention(raw, source=source)


def _thirdparty(raw: Raw, source: str) -> Record | None:
    return parse.parse_thirdparty(raw, source=source)


def _user(raw: Raw, source: str) -> Record | None:
    return parse.parse_user(raw, source=source)


RESOURCES: dict[Entity, ResourceSpec] = {
    "tickets": ResourceSpec(
        entity="tickets",
        path="/tickets",
        id_column="t.rowid",
        id_field="id",
        modified_column="t.tms",
        modified_field="tms",
        base_filter=None,
        list_is_complete=True,
        parse=_ticket,
    ),
    # New messages do not touch their ticket's tms: they are polled by agenda-event id.
    "messages": ResourceSpec(
        entity="messages",
        path="/agendaevents",
        id_column="t.id",
        id_field="id",
        modified_column=None,
        modified_field=None,
        base_filter=sf.eq("t.elementtype", "ticket"),
        list_is_complete=True,
        parse=_message,
    ),
    "interventions": ResourceSpec(
        entity="interventions",
        path="/interventions",
        id_column="t.rowid",
        id_field="id",
        modified_column="t.tms",
        modified_field="datem",  # their JSON "tms" is always null
        base_filter=None,
        list_is_complete=False,  # linkedObjectsIds is null on list items
        parse=_intervention,
    ),
    "thirdparties": ResourceSpec(
        entity="thirdparties",
        path="/thirdparties",
        id_column="t.rowid",
        id_field="id",
        modified_column="t.tms",
        modified_field="date_modification",
        base_filter=None,
        list_is_complete=True,
        parse=_thirdparty,
    ),
    "users": ResourceSpec(
        entity="users",
        path="/users",
        id_column="t.rowid",
        id_field="id",
        modified_column="t.tms",
        modified_field="datem",
        base_filter=None,
        list_is_complete=True,
        parse=_user,
    ),
}
assert set(RESOURCES) == set(ENTITIES), "every mirrored entity needs a resource spec"


def spec_for(entity: Entity) -> ResourceSpec:
    """The spec of an entity (ValueError for an unknown name)."""
    try:
        return RESOURCES[entity]
    except KeyError:
        known = ", ".join(RESOURCES)
        raise ValueError(f"unknown entity {entity!r} (known: {known})") from None
