"""``/tickets`` endpoints: list, get (by id, ref, track_id), create, update, newmessage, delete.

Version quirks (captures): PUT applies ``status`` on 22.0.4 and ``fk_statut`` on 20.0.2, each
ignoring the other; 20.0.2 answers any ``/ref/`` or ``/track_id/`` lookup with a fake specimen
ticket (id 0); DELETE fails with an empty 500 text/html and keeps the ticket (a PHP fatal).
Rights (source; list and get captured): read needs ``tickets.read``, writes ``tickets.write``,
all a bare 403; a user without "all third parties" lists no ticket unless it names ``socid``,
yet reads any ticket by id.
"""

from __future__ import annotations

from typing import Any

from dolisync.simulator import access, listing
from dolisync.simulator.answers import HTML_TYPE, Answer, ApiError, RawError, json_answer
from dolisync.simulator.backend import TICKET_WRITABLE, Backend
from dolisync.simulator.database import Row
from dolisync.simulator.lookups import Lookups
from dolisync.simulator.request import Request, require_fields
from dolisync.simulator.router import Route
from dolisync.simulator.sanitize import html_text, plain_text
from dolisync.simulator.schema import COLUMNS
from dolisync.simulator.ticket_render import TicketRenderer

SOURCE = "api_tickets.class.php"
TICKETS = listing.ListSpec(
    table="llx_ticket",
    columns=COLUMNS["llx_ticket"],
    failed_text="Error when retrieve ticket list",
    failed_key="ticket_list_failed",
    filter_key="ticket_sqlfilters",
    empty_text="No ticket found",
    source_file=SOURCE,
)
PLAIN_TEXT_FIELDS = frozenset(
    {"subject", "origin_email", "type_code", "category_code", "severity_code"}
)


def _renderer(backend: Backend) -> TicketRenderer:
    return TicketRenderer(backend.templates, backend.localtime)


def _not_found(debug_key: str = "ticket_not_found") -> ApiError:
    return ApiError(404, "Ticket not found", debug_key=debug_key, source_file=SOURCE)


def _messages(backend: Backend, ticket_id: int, lookups: Lookups) -> list[dict[str, Any]]:
    renderer = _renderer(backend)
    return [renderer.message(event, lookups) for event in backend.ticket_events(ticket_id)]


def _full(backend: Backend, row: Row) -> dict[str, Any]:
    lookups = Lookups.load(backend.db)
    messages = _messages(backend, row["rowid"], lookups)
    return _renderer(backend).ticket(row, lookups, messages=messages)


def list_tickets(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "tickets.read", SOURCE)
    params = listing.ListParams.parse(request, sortfield="t.rowid", is_v20=backend.options.is_v20)
    where: list[str] = []
    bound: list[Any] = []
    socid = request.query.get("socid")
    if socid:
        where.append("t.fk_soc = ?")
        bound.append(socid)
    else:
        access.limit_to_followed(request.user, "t.fk_soc", where, bound)
    rows, total = listing.fetch(backend, TICKETS, params, where, bound, user_id=request.user_id)
    lookups = Lookups.load(backend.db)
    renderer = _renderer(backend)
    items = [renderer.ticket(row, lookups, properties=params.properties) for row in rows]
    return json_answer(listing.envelope(items, params, total))


def get_ticket(backend: Backend, request: Request, args: list[str]) -> Answer:
    access.require(request, "tickets.read", SOURCE)
    ticket_id = int(args[0])
    row = backend.ticket(ticket_id)  # id 0 (no capture shows it) is simply not found
    if row is None:
        raise _not_found()
    return json_answer(_full(backend, row))


def _get_by(column: str) -> Any:
    def handler(backend: Backend, request: Request, args: list[str]) -> Answer:
        access.require(request, "tickets.read", SOURCE)
        if backend.options.is_v20:  # 20.0.2 bug: always the initAsSpecimen() ticket
            return json_answer(_renderer(backend).specimen(backend.now()))
        row = backend.ticket_by(column, args[0])
        if row is None:
            raise _not_found()
        return json_answer(_full(backend, row))

    return handler


def _columns_from(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """The writable llx_ticket columns a body sets, sanitised like Dolibarr's API does."""
    values = {key: body[key] for key in TICKET_WRITABLE if key in body}
    if "socid" in body and "fk_soc" not in body:
        values["fk_soc"] = body["socid"]
    for key in PLAIN_TEXT_FIELDS & values.keys():
        values[key] = plain_text(values[key])
    if "message" in values:
        values["message"] = html_text(values["message"])
    status_key = "fk_statut" if backend.options.is_v20 else "status"
    if status_key in body:
        values["fk_statut"] = body[status_key]
    return values


def create_ticket(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "tickets.write", SOURCE)
    require_fields(request.body, ("subject", "message"), "ticket_field_missing", SOURCE)
    fields = _columns_from(backend, request.body)
    for key in ("ref", "track_id"):
        if request.body.get(key):
            fields[key] = plain_text(request.body[key])
    return json_answer(backend.create_ticket(fields, request.user_id))


def update_ticket(backend: Backend, request: Request, args: list[str]) -> Answer:
    access.require(request, "tickets.write", SOURCE)
    ticket_id = int(args[0])
    if backend.ticket(ticket_id) is None:
        raise _not_found("ticket_put_not_found")
    backend.update_ticket(ticket_id, _columns_from(backend, request.body), request.user_id)
    row = backend.ticket(ticket_id)
    assert row is not None
    known = set(backend.templates["ticket_put"]) | {"socid", "caller"}  # caller: context only
    extra = {key: value for key, value in request.body.items() if key not in known}
    lookups = Lookups.load(backend.db)
    messages = _messages(backend, ticket_id, lookups)
    return json_answer(_renderer(backend).put_answer(row, lookups, extra, messages))


def new_message(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "tickets.write", SOURCE)
    require_fields(request.body, ("track_id", "message"), "newmessage_field_missing", SOURCE)
    row = backend.ticket_by("track_id", str(request.body["track_id"]))
    if row is None:
        raise _not_found("newmessage_not_found")
    private = str(request.body.get("private", "0")).lower() in ("1", "true")
    backend.add_message(
        row, html_text(request.body["message"]), private=private, user_id=request.user_id
    )
    return json_answer(str(row["rowid"]))


def delete_ticket(backend: Backend, request: Request, args: list[str]) -> Answer:
    access.require(request, "tickets.delete", SOURCE)
    if backend.ticket(int(args[0])) is None:
        raise _not_found("ticket_delete_not_found")
    # Dolibarr 20/22: PHP fatal error (dol_is_dir() undefined) after the trigger: ticket kept
    raise RawError(Answer(500, b"", HTML_TYPE))


ROUTES = [
    Route("GET", "tickets", list_tickets),
    Route("GET", "tickets/{id}", get_ticket),
    Route("GET", "tickets/ref/{ref}", _get_by("ref")),
    Route("GET", "tickets/track_id/{track_id}", _get_by("track_id")),
    Route("POST", "tickets", create_ticket),
    Route("POST", "tickets/newmessage", new_message),
    Route("PUT", "tickets/{id}", update_ticket),
    Route("DELETE", "tickets/{id}", delete_ticket),
]
