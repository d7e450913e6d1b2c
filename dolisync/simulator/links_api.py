"""22.0.4-only modules: ``/objectlinks`` and ``/webhook`` (targets are stored, never called).

``/objectlinks`` reads links by id or by their four values, but creating a link between a
ticket and an intervention fails with 500 (Dolibarr only supports commercial documents there).
``/webhook`` is the admin's (Dolibarr: the webhook module's rights, a bare 403 otherwise).
"""

from __future__ import annotations

from typing import Any

from dolisync.simulator import access
from dolisync.simulator.answers import Answer, ApiError, json_answer, success
from dolisync.simulator.backend import Backend
from dolisync.simulator.database import Row
from dolisync.simulator.request import Request
from dolisync.simulator.router import Route
from dolisync.simulator.templates import render

V22 = ("22.0.4",)
OBJECTLINKS_SOURCE = "api_objectlinks.class.php"
WEBHOOK_SOURCE = "api_webhook.class.php"


def _render_link(backend: Backend, row: Row) -> dict[str, Any]:
    values = {
        "id": str(row["rowid"]),
        "fk_source": row["fk_source"],
        "sourcetype": row["sourcetype"],
        "fk_target": row["fk_target"],
        "targettype": row["targettype"],
        "relationtype": row["relationtype"],
    }
    return render(backend.templates["objectlink"], values)


def _link_not_found() -> ApiError:
    return ApiError(
        404,
        "Object Link not found",
        debug_key="objectlink_not_found",
        source_file=OBJECTLINKS_SOURCE,
    )


def create_link(_backend: Backend, request: Request, _args: list[str]) -> Answer:
    text = (
        "when create objectlink : Error when looking for Object"
        f" id={request.body.get('fk_source')} of type={request.body.get('sourcetype')}"
    )
    raise ApiError(500, text, debug_key="objectlink_create_failed", source_file=OBJECTLINKS_SOURCE)


def find_link(backend: Backend, request: Request, _args: list[str]) -> Answer:
    query = request.query
    row = backend.db.one(
        "SELECT * FROM llx_element_element WHERE fk_source = ? AND sourcetype = ?"
        " AND fk_target = ? AND targettype = ?",
        (
            query.get("fk_source"),
            query.get("sourcetype"),
            query.get("fk_target"),
            query.get("targettype"),
        ),
    )
    if row is None:
        raise _link_not_found()
    return json_answer(_render_link(backend, row))


def get_link(backend: Backend, _request: Request, args: list[str]) -> Answer:
    row = backend.db.one("SELECT * FROM llx_element_element WHERE rowid = ?", (int(args[0]),))
    if row is None:
        raise _link_not_found()
    return json_answer(_render_link(backend, row))


def create_target(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "webhook", WEBHOOK_SOURCE)
    body = request.body
    now = backend.now_db()
    with backend.db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO llx_webhook_target (label, type, url, trigger_codes, status,"
            " fk_user_creat, datec, tms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                body.get("label"),
                int(body.get("type") or 0),
                body.get("url"),
                body.get("trigger_codes"),
                int(body.get("status", 1)),
                request.user_id,
                now,
                backend.tms_now(),
            ),
        )
        target_id = int(cursor.lastrowid or 0)
        conn.execute(
            "UPDATE llx_webhook_target SET ref = ? WHERE rowid = ?", (str(target_id), target_id)
        )
    return json_answer(target_id)


def list_targets(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "webhook", WEBHOOK_SOURCE)
    epoch = backend.localtime.to_epoch
    items = []
    for row in backend.db.all("SELECT * FROM llx_webhook_target ORDER BY rowid"):
        values = {
            "id": row["rowid"],
            "ref": row["ref"],
            "status": row["status"],
            "date_creation": epoch(row["datec"]),
            "tms": epoch(row["tms"]),
            "fk_user_creat": row["fk_user_creat"],
            "label": row["label"],
            "type": str(row["type"]),
            "url": row["url"],
            "trigger_codes": row["trigger_codes"],
        }
        items.append(render(backend.templates["webhook_target"], values))
    return json_answer(items)


def list_triggers(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "webhook", WEBHOOK_SOURCE)
    return json_answer(backend.templates["webhook_triggers"])


def delete_target(backend: Backend, request: Request, args: list[str]) -> Answer:
    access.require(request, "webhook", WEBHOOK_SOURCE)
    with backend.db.write() as conn:
        deleted = conn.execute("DELETE FROM llx_webhook_target WHERE rowid = ?", (int(args[0]),))
    if not deleted.rowcount:
        raise ApiError(404, "Target not found", source_file=WEBHOOK_SOURCE)
    return success("Target deleted")


ROUTES = [
    Route("POST", "objectlinks", create_link, versions=V22),
    Route("GET", "objectlinks", find_link, versions=V22),
    Route("GET", "objectlinks/{id}", get_link, versions=V22),
    Route("POST", "webhook", create_target, versions=V22),
    Route("GET", "webhook", list_targets, versions=V22),
    Route("GET", "webhook/triggers", list_triggers, versions=V22),
    Route("DELETE", "webhook/{id}", delete_target, versions=V22),
]
