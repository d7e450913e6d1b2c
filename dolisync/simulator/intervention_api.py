"""``/interventions`` endpoints: list, get, create, lines, validate, close, reopen, PUT, delete.

Version quirks (captures): a line needs ``duration`` on 22.0.4 and ``duree`` on 20.0.2, and its
answer is the line id (22.0.4) or ``1`` (20.0.2); PUT and reopen exist on 22.0.4 only.
Rights (source; the list's bare 403 captured): reading needs ``interventions.read``, creating
and the status actions ``interventions.create`` ("Insufficiant rights", sic); a user without
"all third parties" lists none unless it names ``thirdparty_ids``, and gets a 403 for one of
a third party it does not follow.
"""

from __future__ import annotations

from typing import Any

from dolisync.simulator import access, fichinter, listing
from dolisync.simulator.answers import Answer, ApiError, json_answer, not_modified, success
from dolisync.simulator.backend import Backend
from dolisync.simulator.database import Row
from dolisync.simulator.intervention_render import InterventionRenderer
from dolisync.simulator.request import Request, require_fields
from dolisync.simulator.router import Route
from dolisync.simulator.sanitize import html_text, plain_text
from dolisync.simulator.schema import COLUMNS

SOURCE = "api_interventions.class.php"
CREATE_TEXT = "Insufficiant rights"  # sic, Dolibarr's spelling
INTERVENTIONS = listing.ListSpec(
    table="llx_fichinter",
    columns=COLUMNS["llx_fichinter"],
    failed_text="Error when retrieve intervention list",
    failed_key="",
    filter_key="intervention_sqlfilters",
    empty_text="No intervention found",
    source_file=SOURCE,
)


def _renderer(backend: Backend) -> InterventionRenderer:
    return InterventionRenderer(backend.templates, backend.localtime)


def _found(backend: Backend, raw_id: str, debug_key: str = "intervention_not_found") -> Row:
    row = fichinter.intervention(backend, int(raw_id))
    if row is None:
        raise ApiError(404, "Intervention not found", debug_key=debug_key, source_file=SOURCE)
    return row


def _visible(backend: Backend, request: Request, row: Row) -> Row:
    if not access.follows(backend, request.user, row["fk_soc"]):
        raise access.not_allowed(request.user, SOURCE)
    return row


def _to_change(
    backend: Backend, request: Request, raw_id: str, debug_key: str = "intervention_not_found"
) -> Row:
    """An intervention the user may change: the right, then 404, then visibility (Dolibarr's
    order for validate, close and reopen)."""
    access.require(request, "interventions.create", SOURCE, CREATE_TEXT)
    return _visible(backend, request, _found(backend, raw_id, debug_key))


def list_interventions(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "interventions.read", SOURCE)
    params = listing.ListParams.parse(request, sortfield="t.rowid", is_v20=backend.options.is_v20)
    where: list[str] = []
    bound: list[Any] = []
    thirdparties = [part for part in request.query.get("thirdparty_ids", "").split(",") if part]
    if thirdparties:
        where.append(f"t.fk_soc IN ({','.join('?' * len(thirdparties))})")
        bound += thirdparties
    else:
        access.limit_to_followed(request.user, "t.fk_soc", where, bound)
    rows, total = listing.fetch(
        backend, INTERVENTIONS, params, where, bound, user_id=request.user_id
    )
    lines = fichinter.lines(backend, [row["rowid"] for row in rows])
    renderer = _renderer(backend)
    items = [renderer.list_item(row, lines[row["rowid"]], params.properties) for row in rows]
    return json_answer(listing.envelope(items, params, total))


def _full(backend: Backend, row: Row) -> dict[str, Any]:
    lines = fichinter.lines(backend, [row["rowid"]])[row["rowid"]]
    return _renderer(backend).get(row, lines, fichinter.links(backend, row["rowid"]))


def get_intervention(backend: Backend, request: Request, args: list[str]) -> Answer:
    access.require(request, "interventions.read", SOURCE)
    return json_answer(_full(backend, _visible(backend, request, _found(backend, args[0]))))


def create_intervention(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "interventions.create", SOURCE, CREATE_TEXT)
    body = request.body
    require_fields(
        body, ("socid", "fk_project", "description"), "intervention_field_missing", SOURCE
    )
    socid = str(body["socid"])
    exists = socid.isdigit() and backend.db.one(
        "SELECT 1 FROM llx_societe WHERE rowid = ?", (int(socid),)
    )
    if not exists:
        raise ApiError(500, "Error creating intervention", source_file=SOURCE)
    fields = dict(body)
    fields["description"] = html_text(body["description"])
    if "ref_client" in body:
        fields["ref_client"] = plain_text(body["ref_client"])
    return json_answer(fichinter.create(backend, fields, request.user_id))


def add_line(backend: Backend, request: Request, args: list[str]) -> Answer:
    access.require(request, "interventions.create", SOURCE, CREATE_TEXT)
    body = request.body
    duration_key = "duree" if backend.options.is_v20 else "duration"
    require_fields(
        body, ("description", "date", duration_key), "intervention_line_field_missing", SOURCE
    )
    intervention_id = int(args[0])
    if fichinter.intervention(backend, intervention_id) is None:
        raise ApiError(
            400, _foreign_key_error(backend), debug_key="intervention_line_sql", source_file=SOURCE
        )
    line_id = fichinter.add_line(
        backend,
        intervention_id,
        description=html_text(body["description"]),
        date=body["date"],
        duration=int(body[duration_key]),
    )
    return json_answer(1 if backend.options.is_v20 else line_id)


def _foreign_key_error(backend: Backend) -> str:
    database = "dolibarr20" if backend.options.is_v20 else "dolibarr22"
    return (
        "Cannot add or update a child row: a foreign key constraint fails"
        f" (`{database}`.`llx_fichinterdet`, CONSTRAINT `fk_fichinterdet_fk_fichinter`"
        " FOREIGN KEY (`fk_fichinter`) REFERENCES `llx_fichinter` (`rowid`))"
    )


def _answer(backend: Backend, kind: str, before: Row, overrides: dict[str, Any]) -> Answer:
    lines = fichinter.lines(backend, [before["rowid"]])[before["rowid"]]
    links = fichinter.links(backend, before["rowid"])
    return json_answer(_renderer(backend).action_answer(kind, before, lines, links, overrides))


def validate(backend: Backend, request: Request, args: list[str]) -> Answer:
    row = _to_change(backend, request, args[0], "intervention_validate_not_found")
    if row["fk_statut"] != fichinter.DRAFT:
        return not_modified()
    fichinter.set_status(backend, row, fichinter.VALIDATED, event="VALIDATE")
    after = fichinter.intervention(backend, row["rowid"])
    assert after is not None
    overrides = {
        "ref": after["ref"],
        "statut": 1,
        "status": 1,
        "date_validation": backend.localtime.to_epoch(after["date_valid"]),
    }
    return _answer(backend, "intervention_validate", row, overrides)


def close(backend: Backend, request: Request, args: list[str]) -> Answer:
    row = _to_change(backend, request, args[0])
    fichinter.set_status(backend, row, fichinter.DONE)
    return _answer(backend, "intervention_close", row, {"status": fichinter.DONE})


def reopen(backend: Backend, request: Request, args: list[str]) -> Answer:
    row = _to_change(backend, request, args[0])
    if row["fk_statut"] == fichinter.DRAFT:
        return not_modified()
    fichinter.set_status(backend, row, fichinter.DRAFT, event="UNVALIDATE")
    return _answer(backend, "intervention_close", row, {"statut": 0, "status": 0})


def update(backend: Backend, request: Request, args: list[str]) -> Answer:
    access.require(request, "interventions.create", SOURCE)
    row = _visible(backend, request, _found(backend, args[0]))
    fields = dict(request.body)
    if "ref_client" in fields:
        fields["ref_client"] = plain_text(fields["ref_client"])
    fichinter.update(backend, row, fields, request.user_id)
    after = fichinter.intervention(backend, row["rowid"])
    assert after is not None
    overrides: dict[str, Any] = {
        "ref_ext": request.body.get("ref_ext"),
        "contacts_ids": [],
        "contacts_ids_internal": [],
    }
    return _answer(backend, "intervention_put", after, overrides)


def delete(backend: Backend, request: Request, args: list[str]) -> Answer:
    access.require(request, "interventions.delete", SOURCE)
    row = _visible(backend, request, _found(backend, args[0]))
    fichinter.delete(backend, row["rowid"])
    return success("Intervention deleted")


ROUTES = [
    Route("GET", "interventions", list_interventions),
    Route("GET", "interventions/{id}", get_intervention),
    Route("POST", "interventions", create_intervention),
    Route("POST", "interventions/{id}/lines", add_line),
    Route("POST", "interventions/{id}/validate", validate),
    Route("POST", "interventions/{id}/close", close),
    Route("POST", "interventions/{id}/reopen", reopen, versions=("22.0.4",)),
    Route("PUT", "interventions/{id}", update, versions=("22.0.4",)),
    Route("DELETE", "interventions/{id}", delete),
]
