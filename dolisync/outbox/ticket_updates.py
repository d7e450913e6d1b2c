"""Actions that change one field of a ticket: ``set_status``, ``assign``, ``set_severity``,
``set_category``, ``set_type``.

What this module knows: the body each needs (``update_ticket`` sends a status under both
``status`` and ``fk_statut``: 22.0.4 reads one, 20.0.2 the other), how to read the result back
(the ticket's typed field), and how to find a user by login (the mirror first, then
``GET /users?sqlfilters=(t.login:=:'x')``). A ticket that already has the wanted value needs
no write: this is also how a write whose answer was lost is recognised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from dolisync.dolibarr import sqlfilters as sf
from dolisync.outbox.conflict import reconsider
from dolisync.outbox.context import ActionContext, Attempt
from dolisync.outbox.outcomes import Outcome, RejectedError
from dolisync.records import TICKET_STATUS_CODES, Ticket

# kind -> (parameter, Dolibarr body field, Ticket field)
FIELDS: Final[dict[str, tuple[str, str, str]]] = {
    "set_status": ("status", "status", "status"),
    "assign": ("user", "fk_user_assign", "assigned_user_id"),
    "set_severity": ("severity_code", "severity_code", "severity_code"),
    "set_category": ("category_code", "category_code", "category_code"),
    "set_type": ("type_code", "type_code", "type_code"),
}


def update_ticket_field(ctx: ActionContext, attempt: Attempt) -> Outcome:
    item = attempt.item
    fresh = ctx.client.get_ticket(item.ticket_id)
    body, field, wanted = _wanted(ctx, item.kind, attempt.params)
    if getattr(fresh, field) == wanted:
        return _already(ctx, attempt, fresh, field, wanted)
    recomputed = reconsider(ctx, attempt, fresh)
    if recomputed is not None:
        body, field, wanted = _wanted(ctx, item.kind, recomputed)
        if getattr(fresh, field) == wanted:
            return _already(ctx, attempt, fresh, field, wanted)
    path = f"/tickets/{item.ticket_id}"
    attempt.write("PUT", path, body, lambda: ctx.client.update_ticket(item.ticket_id, body))
    after = ctx.client.get_ticket(item.ticket_id)
    ctx.mirror("tickets", [after])
    if getattr(after, field) != wanted:
        raise RejectedError(
            f"Dolibarr accepted the change but the ticket's {field} is "
            f"{getattr(after, field)!r}, not {wanted!r}",
            object_id=item.ticket_id,
        )
    return Outcome(item.ticket_id, _result(after, field, wanted))


def _already(
    ctx: ActionContext, attempt: Attempt, fresh: Ticket, field: str, wanted: object
) -> Outcome:
    if attempt.item.attempts > 0:
        # an earlier try of ours wrote it, and its re-read was lost: it is our own change
        ctx.mirror("tickets", [fresh])
    return Outcome(attempt.item.ticket_id, {**_result(fresh, field, wanted), "already": True})


def _result(ticket: Ticket, field: str, wanted: object) -> dict[str, Any]:
    return {
        "ticket": ticket.ref,
        "field": field,
        "value": wanted,
        "modified_at": ticket.modified_at,
    }


def _wanted(
    ctx: ActionContext, kind: str, params: Mapping[str, Any]
) -> tuple[dict[str, Any], str, object]:
    """The PUT body, the Ticket field to check and the value it must have."""
    parameter, body_field, ticket_field = FIELDS[kind]
    value = params.get(parameter)
    convert = _CONVERT.get(kind)
    wanted = convert(ctx, value) if convert is not None else value
    if not isinstance(wanted, int | str) or isinstance(wanted, bool) or wanted == "":
        raise RejectedError(f"{kind}: {parameter} {value!r} is not a usable value")
    return {body_field: wanted}, ticket_field, wanted


def _status(_ctx: ActionContext, value: object) -> int:
    if not isinstance(value, str) or value not in TICKET_STATUS_CODES:
        raise RejectedError(f"set_status: unknown status {value!r}")
    return TICKET_STATUS_CODES[value]


def resolve_user(ctx: ActionContext, value: object) -> int:
    """A user id from a login or an id (an unknown login is a rejection)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str) or not value.strip():
        raise RejectedError(f"assign: {value!r} is neither a user login nor a user id")
    login = value.strip()
    found = ctx.store.outbox.user_by_login(ctx.source, login)
    if found is not None:
        return found
    rows = ctx.client.list_page(
        "/users",
        sqlfilters=sf.eq("t.login", login).render(),
        sortfield="t.rowid",
        limit=10,
        properties=["id", "login"],
    )
    ids = sorted(int(row["id"]) for row in rows if row.get("login") == login and row.get("id"))
    if not ids:
        raise RejectedError(f"assign: Dolibarr has no user with login {login!r}")
    return ids[0]


_CONVERT: Final[dict[str, Callable[[ActionContext, object], object]]] = {
    "set_status": _status,
    "assign": resolve_user,
}
