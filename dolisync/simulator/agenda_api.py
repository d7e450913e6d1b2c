"""``/agendaevents``: the agenda events Dolibarr logs (ticket messages included).

The message body is ``note_private`` (DB column ``note``), the ticket id ``elementid`` (filter
column ``fk_element``); the primary key column is ``id``, not ``rowid``.
Rights (the list's 403 captured; the rest from source): reading needs ``agenda.read`` (own
events), yet the list shows everyone's events; one event of another owner needs
``agenda.read_all``. A user without "all third parties" lists only events of third parties it
follows.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dolisync.simulator import access, listing
from dolisync.simulator.answers import Answer, ApiError, json_answer, success
from dolisync.simulator.backend import Backend
from dolisync.simulator.database import Row
from dolisync.simulator.request import Request
from dolisync.simulator.router import Route
from dolisync.simulator.schema import COLUMNS
from dolisync.simulator.templates import render
from dolisync.simulator.ticket_render import text

SOURCE = "api_agendaevents.class.php"
EVENTS = listing.ListSpec(
    table="llx_actioncomm",
    columns=COLUMNS["llx_actioncomm"],
    failed_text="Error when retrieve Agenda Event list",
    failed_key="",
    filter_key="",
    empty_text="No Agenda Event found",
    source_file=SOURCE,
    id_column="id",
)


def render_event(
    backend: Backend, row: Row, properties: Collection[str] | None = None, *, listed: bool = False
) -> dict[str, Any]:
    """One event; list items have ``linkedObjectsIds: null`` where a single GET has ``[]``."""
    epoch = backend.localtime.to_epoch
    author = text(row["fk_user_author"])
    owner = text(row["fk_user_action"])
    values: dict[str, Any] = {
        "id": str(row["id"]),
        "entity": str(row["entity"]),
        "ref": row["ref"],
        "note_private": row["note"],
        "code": row["code"],
        "label": row["label"],
        "datec": epoch(row["datec"]),
        "datem": epoch(row["tms"]),
        "datep": epoch(row["datep"]),
        "datef": epoch(row["datep2"]) or "",
        "authorid": author,
        "userownerid": owner,
        "userassigned": {
            owner: {"id": owner, "mandatory": "0", "answer_status": "0", "transparency": "0"}
        }
        if owner
        else [],
        "socid": text(row["fk_soc"]),
        "elementid": text(row["fk_element"]),
        "elementtype": row["elementtype"],
        "durationp": row["durationp"],
        "percentage": str(row["percent"]),
        "linkedObjectsIds": None if listed else [],
    }
    return render(backend.templates["agendaevent"], values, properties)


def list_events(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "agenda.read", SOURCE, "Insufficient rights to read events")
    params = listing.ListParams.parse(request, sortfield="t.id", is_v20=True)
    where: list[str] = []
    bound: list[Any] = []
    access.limit_to_followed(request.user, "t.fk_soc", where, bound)
    rows, _total = listing.fetch(backend, EVENTS, params, where, bound, user_id=request.user_id)
    return json_answer([render_event(backend, row, params.properties, listed=True) for row in rows])


def get_event(backend: Backend, request: Request, args: list[str]) -> Answer:
    user = request.user
    access.require(request, "agenda.read", SOURCE, "Insufficient rights to read an event")
    row = _found(backend, args[0])
    if not user.can("agenda.read_all") and row["fk_user_action"] != user.id:
        text = f"Insufficient rights to read event of this owner id. Your id is {user.id}"
        raise ApiError(403, text, source_file=SOURCE)
    if not access.may_see_event(backend, user, row):
        raise access.not_allowed(user, SOURCE)
    return json_answer(render_event(backend, row))


def delete_event(backend: Backend, request: Request, args: list[str]) -> Answer:
    """Real on 20.0.2 and 22.0.4 (found by the live suite): the event row goes, nothing else."""
    access.require(
        request, "agenda.delete", SOURCE, "Insufficient rights to delete your Agenda Event"
    )
    row = _found(backend, args[0])
    with backend.db.write() as conn:
        conn.execute("DELETE FROM llx_actioncomm WHERE id = ?", (row["id"],))
    return success("Agenda Event deleted")


def _found(backend: Backend, event_id: str) -> Row:
    row = backend.db.one("SELECT * FROM llx_actioncomm WHERE id = ?", (int(event_id),))
    if row is None:
        raise ApiError(404, "Agenda Event not found", source_file=SOURCE)
    return row


ROUTES = [
    Route("GET", "agendaevents", list_events),
    Route("GET", "agendaevents/{id}", get_event),
    Route("DELETE", "agendaevents/{id}", delete_event),
]
