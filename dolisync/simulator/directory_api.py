"""``/users``, ``/thirdparties`` and ``/projects``: the people and customers tickets refer to.

Rights (the lists' 403s captured; the rest from source): users need ``users.read`` (one's own
user is always readable; ``/users/info`` shows the rights tree); third parties need
``thirdparties.read``, and without "all third parties" only those the user follows are
listed or readable. Creating is the admin's.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dolisync.simulator import access, listing
from dolisync.simulator.answers import Answer, ApiError, json_answer
from dolisync.simulator.backend import Backend
from dolisync.simulator.database import Row
from dolisync.simulator.request import Request, require_fields
from dolisync.simulator.rights import rights_tree
from dolisync.simulator.router import Route
from dolisync.simulator.sanitize import plain_text
from dolisync.simulator.schema import COLUMNS
from dolisync.simulator.templates import render
from dolisync.simulator.ticket_render import text

USERS_SOURCE = "api_users.class.php"
THIRDPARTIES_SOURCE = "api_thirdparties.class.php"
USERS = listing.ListSpec(
    table="llx_user",
    columns=COLUMNS["llx_user"],
    failed_text="Error when retrieve User list",
    failed_key="",
    filter_key="",
    empty_text="No user found",
    source_file=USERS_SOURCE,
)
THIRDPARTIES = listing.ListSpec(
    table="llx_societe",
    columns=COLUMNS["llx_societe"],
    failed_text="Error when retrieve thirdparties",
    failed_key="",
    filter_key="",
    empty_text="No thirdparty found",
    source_file=THIRDPARTIES_SOURCE,
)


# -- users ---------------------------------------------------------------------------
def render_user(
    backend: Backend, row: Row, properties: Collection[str] | None = None
) -> dict[str, Any]:
    epoch = backend.localtime.to_epoch
    status = str(row["statut"])
    values = {
        "id": str(row["rowid"]),
        "entity": str(row["entity"]),
        "ref": str(row["rowid"]),
        "statut": status,
        "status": status,
        "lastname": row["lastname"],
        "firstname": row["firstname"],
        "email": row["email"],
        "job": row["job"],
        "admin": str(row["admin"]),
        "employee": str(row["employee"]),
        "login": row["login"],
        "socid": text(row["fk_soc"]),
        "datec": epoch(row["datec"]),
        "datem": epoch(row["tms"]),
        "datelastpassvalidation": row["datelastpassvalidation"],
        "flagdelsessionsbefore": epoch(row["flagdelsessionsbefore"]) or "",
    }
    return render(backend.templates["user"], values, properties)


def list_users(backend: Backend, request: Request, _args: list[str]) -> Answer:
    text = "You are not allowed to read list of users"
    access.require(request, "users.read", USERS_SOURCE, text)
    params = listing.ListParams.parse(request, sortfield="t.rowid", is_v20=True)
    rows, _total = listing.fetch(backend, USERS, params, user_id=request.user_id)
    return json_answer([render_user(backend, row, params.properties) for row in rows])


def get_user(backend: Backend, request: Request, args: list[str]) -> Answer:
    if int(args[0]) != request.user_id:
        access.require(request, "users.read", USERS_SOURCE, "Not allowed")
    row = backend.db.one("SELECT * FROM llx_user WHERE rowid = ?", (int(args[0]),))
    if row is None:
        raise ApiError(404, "User not found", debug_key="user_not_found", source_file=USERS_SOURCE)
    return json_answer(render_user(backend, row))


def user_info(backend: Backend, request: Request, _args: list[str]) -> Answer:
    """The API user itself; ``includepermissions=1`` fills ``rights`` (from source, not
    captured: the user template with Dolibarr's rights tree and no groups)."""
    access.require(request, "users.read", USERS_SOURCE, "Not allowed")
    row = backend.db.one("SELECT * FROM llx_user WHERE rowid = ?", (request.user_id,))
    assert row is not None  # the key was just found on this row
    rendered = render_user(backend, row)
    if request.flag("includepermissions"):
        rendered["rights"] = _merged(rendered["rights"], rights_tree(request.user.granted))
    rendered["user_group_list"] = []
    return json_answer(rendered)


def _merged(base: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` (Dolibarr's empty rights skeleton) with ``extra``'s leaves added; a new dict."""
    merged = dict(base) if isinstance(base, dict) else {}
    for key, value in extra.items():
        merged[key] = _merged(merged.get(key), value) if isinstance(value, dict) else value
    return merged


def create_user(backend: Backend, request: Request, _args: list[str]) -> Answer:
    text = f"User creation not allowed for login {request.user.login}"
    access.require(request, "users.write", USERS_SOURCE, text)
    body = request.body
    require_fields(body, ("login",), "", USERS_SOURCE)
    now = backend.now_db()
    with backend.db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO llx_user (login, pass, lastname, firstname, email, job, admin, datec, tms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plain_text(body["login"]),
                body.get("password"),
                plain_text(body.get("lastname")),
                plain_text(body.get("firstname")),
                body.get("email"),
                plain_text(body.get("job")),
                int(body.get("admin") or 0),
                now,
                backend.tms_now(),
            ),
        )
    return json_answer(int(cursor.lastrowid or 0))


# -- third parties -------------------------------------------------------------------
# Only ``GET /thirdparties/{id}`` computes the discounts; list items never have these keys
# (20.0.2 and 22.0.4, found by the live suite: tests/fixtures/live-captures/).
SINGLE_ONLY = ("absolute_discount", "absolute_creditnote")


def render_thirdparty(
    backend: Backend,
    row: Row,
    properties: Collection[str] | None = None,
    *,
    listed: bool = False,
) -> dict[str, Any]:
    epoch = backend.localtime.to_epoch
    values = {
        "id": str(row["rowid"]),
        "entity": str(row["entity"]),
        "ref": row["nom"],
        "name": row["nom"],
        "name_alias": row["name_alias"] or "",
        "status": str(row["status"]),
        "country_id": text(row["fk_pays"]),
        "country_code": "FR" if row["fk_pays"] == 1 else None,
        "date_creation": epoch(row["datec"]),
        "date_modification": epoch(row["tms"]),
        "user_creation_id": text(row["fk_user_creat"]),
        "user_modification_id": text(row["fk_user_modif"] or row["fk_user_creat"]),
        "phone": row["phone"],
        "email": row["email"],
        "client": str(row["client"]),
        "fournisseur": str(row["fournisseur"]),
        "code_client": row["code_client"],
        "address": row["address"],
        "zip": row["zip"],
        "town": row["town"],
    }
    rendered = render(backend.templates["thirdparty"], values, properties)
    if listed:
        for key in SINGLE_ONLY:
            rendered.pop(key, None)
    return rendered


def _thirdparty_not_found() -> ApiError:
    return ApiError(
        404,
        "Thirdparty not found",
        debug_key="thirdparty_not_found",
        source_file=THIRDPARTIES_SOURCE,
    )


def list_thirdparties(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "thirdparties.read", THIRDPARTIES_SOURCE)
    params = listing.ListParams.parse(request, sortfield="t.rowid", is_v20=True)
    where: list[str] = []
    bound: list[Any] = []
    access.limit_to_followed(request.user, "t.rowid", where, bound)
    rows, _total = listing.fetch(
        backend, THIRDPARTIES, params, where, bound, user_id=request.user_id
    )
    return json_answer(
        [render_thirdparty(backend, row, params.properties, listed=True) for row in rows]
    )


def get_thirdparty(backend: Backend, request: Request, args: list[str]) -> Answer:
    user = request.user
    text = f"Access not allowed for login {user.login}. No read permission on thirdparties."
    access.require(request, "thirdparties.read", THIRDPARTIES_SOURCE, text)
    row = backend.db.one("SELECT * FROM llx_societe WHERE rowid = ?", (int(args[0]),))
    if row is None:
        raise _thirdparty_not_found()
    if not access.follows(backend, user, row["rowid"]):
        raise access.not_allowed(user, THIRDPARTIES_SOURCE, " on this thirdparty")
    return json_answer(render_thirdparty(backend, row))


def create_thirdparty(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "thirdparties.write", THIRDPARTIES_SOURCE)
    body = request.body
    require_fields(body, ("name",), "thirdparty_field_missing", THIRDPARTIES_SOURCE)
    return json_answer(insert_thirdparty(backend, body, request.user_id))


def insert_thirdparty(backend: Backend, body: dict[str, Any], user_id: int) -> int:
    """A customer; ``code_client: -1`` asks for the next automatic code ``CUyymm-nnnnn``.

    Like Dolibarr's agenda trigger, logs ``AC_COMPANY_CREATE`` (no element, ``fk_soc`` the new
    third party): seen on 20.0.2 and 22.0.4 by the live suite.
    """
    code = body.get("code_client")
    if str(code) == "-1":
        number = backend.next_number(
            "customer", "SELECT MAX(CAST(substr(code_client, 8) AS INTEGER)) FROM llx_societe"
        )
        code = f"CU{backend.yymm()}-{number:05d}"
    phone = body.get("phone")
    now = backend.now_db()
    with backend.db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO llx_societe (nom, name_alias, client, code_client, email, phone, address,"
            " zip, town, fk_pays, fk_user_creat, fk_user_modif, datec, tms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plain_text(body["name"]),
                body.get("name_alias"),
                int(body.get("client") or 0),
                code,
                body.get("email"),
                phone.replace(" ", "") if isinstance(phone, str) else phone,
                body.get("address"),
                body.get("zip"),
                body.get("town"),
                body.get("country_id"),
                user_id,
                user_id,
                now,
                backend.tms_now(),
            ),
        )
        thirdparty_id = int(cursor.lastrowid or 0)
        label = f"Third party {plain_text(body['name'])} created"
        backend.insert_event(
            conn,
            "AC_COMPANY_CREATE",
            (None, None),
            label=label,
            note=label,
            socid=thirdparty_id,
            user_id=user_id,
        )
    return thirdparty_id


# -- projects ------------------------------------------------------------------------
def create_project(backend: Backend, request: Request, _args: list[str]) -> Answer:
    access.require(request, "projects.write", "api_projects.class.php")
    body = request.body
    require_fields(body, ("ref", "title"), "", "api_projects.class.php")
    now = backend.now_db()
    with backend.db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO llx_projet (ref, title, fk_soc, fk_statut, datec, tms)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                body["ref"],
                body["title"],
                body.get("socid"),
                int(body.get("status") or 0),
                now,
                backend.tms_now(),
            ),
        )
    return json_answer(int(cursor.lastrowid or 0))


ROUTES = [
    Route("GET", "users", list_users),
    Route("GET", "users/{id}", get_user),
    Route("GET", "users/info", user_info),
    Route("POST", "users", create_user),
    Route("GET", "thirdparties", list_thirdparties),
    Route("GET", "thirdparties/{id}", get_thirdparty),
    Route("POST", "thirdparties", create_thirdparty),
    Route("POST", "projects", create_project),
]
