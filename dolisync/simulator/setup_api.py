"""``/status``, ``/login`` and ``/setup`` (ticket dictionaries, own company)."""

from __future__ import annotations

from dolisync.simulator import listing
from dolisync.simulator.answers import Answer, ApiError, json_answer
from dolisync.simulator.backend import Backend
from dolisync.simulator.request import Request
from dolisync.simulator.router import Route
from dolisync.simulator.schema import COLUMNS, DICTIONARY_TABLES
from dolisync.simulator.templates import render


def status(backend: Backend, _request: Request, _args: list[str]) -> Answer:
    now = backend.now()
    values = {
        "dolibarr_version": backend.options.version,
        "timestamp_now_utc": now,
        "timestamp_php_tz": backend.localtime.name,
        "date_tz": backend.localtime.to_db(now),
    }
    return json_answer({"success": render(backend.templates["status"], values)})


def login(backend: Backend, request: Request, _args: list[str]) -> Answer:
    """The user's API key for a login and password (no API key needed)."""
    name = request.query.get("login") or str(request.body.get("login", ""))
    password = request.query.get("password") or str(request.body.get("password", ""))
    row = backend.db.one(
        "SELECT rowid, login, api_key FROM llx_user WHERE login = ? AND pass = ?", (name, password)
    )
    if row is None:
        backend.clock.sleep(backend.options.auth_delay)
        raise ApiError(
            403, "Access denied", debug_key="login_denied", source_file="api_login.class.php"
        )
    token = row["api_key"]
    if not token:
        token = "".join(backend.random.choices("0123456789abcdef", k=32))
        with backend.db.write() as conn:
            conn.execute("UPDATE llx_user SET api_key = ? WHERE rowid = ?", (token, row["rowid"]))
    template = backend.templates["login"]
    message = template["message"].replace("Welcome admin", f"Welcome {row['login']}")
    return json_answer({"success": render(template, {"token": token, "message": message})})


def dictionary(backend: Backend, request: Request, args: list[str]) -> Answer:
    table = DICTIONARY_TABLES.get(args[0])
    if table is None:
        raise ApiError(404, debug_key="no_route")
    spec = listing.ListSpec(
        table=table,
        columns=COLUMNS[table],
        failed_text="Error when retrieving list",
        failed_key="",
        filter_key="",
        empty_text="No dictionary entry found",
        source_file="api_setup.class.php",
    )
    params = listing.ListParams.parse(request, sortfield="code", is_v20=True)
    rows, _total = listing.fetch(backend, spec, params, ["t.active = 1"], user_id=request.user_id)
    template = backend.templates[f"dict_{args[0]}"]
    items = [
        render(template, {key: None if row[key] is None else str(row[key]) for key in template})
        for row in rows
    ]
    return json_answer(items)


def company(backend: Backend, _request: Request, _args: list[str]) -> Answer:
    return json_answer(backend.templates["company"])


ROUTES = [
    Route("GET", "status", status),
    Route("GET", "login", login, authenticated=False),
    Route("POST", "login", login, authenticated=False),
    Route("GET", "setup/dictionary/{name}", dictionary),
    Route("GET", "setup/company", company),
]
