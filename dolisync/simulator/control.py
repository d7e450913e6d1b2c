"""The control API: what tests and demos do to the simulated Dolibarr behind the client's back.

``Control`` is the Python API (in-process tests); ``control_answer`` maps the same operations to
HTTP under ``/_simulator/`` (a path Dolibarr does not use; loopback only, no key):

    GET    /_simulator/                       {"version", "tickets", "api_key"}
    POST   /_simulator/touch                  {"count": N, "ids": [..], "field": f, "value": v}
    POST   /_simulator/tickets                {fields}: create a ticket -> {"id"}
    POST   /_simulator/tickets/{id}/messages  {"message": "...", "private": false}
    PUT    /_simulator/tickets/{id}/tms       {"tms": "YYYY-MM-DD HH:MM:SS"} (server-local)
    DELETE /_simulator/tickets/{id}           delete for real (with its messages and links)
    PUT    /_simulator/interventions/{id}/tms {"tms": "YYYY-MM-DD HH:MM:SS"}
    GET    /_simulator/faults                 {"spec": "..."}
    PUT    /_simulator/faults                 {"spec": "..."} (replaces the rules; "" clears)
    DELETE /_simulator/faults
    GET    /_simulator/requests               [{"method", "path", "query", "status", "seconds",
                                               "bytes"}, ...]
    DELETE /_simulator/requests
    POST   /_simulator/reset                  {"tickets": N, "seed": S} (both optional)
    POST   /_simulator/users                  {"login", "api_key", "rights": [..]} -> {"id"}
    PUT    /_simulator/users/{id}/rights      {"rights": [..]} (replaces them)
    POST   /_simulator/thirdparties/{id}/representatives  {"user_id": N}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from dolisync.simulator import access
from dolisync.simulator.answers import Answer, json_answer
from dolisync.simulator.backend import Backend
from dolisync.simulator.faults import Faults, FaultSpecError
from dolisync.simulator.localtime import LocalTime
from dolisync.simulator.rights import UserSpec
from dolisync.simulator.server import RequestLog


class Control:
    """Operations on a running simulator that Dolibarr's API cannot do."""

    def __init__(
        self,
        backend: Callable[[], Backend],
        faults: Faults,
        log: RequestLog,
        reset: Callable[..., None],
        fault_spec: str = "",
    ) -> None:
        self._backend = backend
        self.faults = faults
        self._log = log
        self._reset = reset
        self._fault_spec = fault_spec

    @property
    def backend(self) -> Backend:
        return self._backend()

    # -- tickets ----------------------------------------------------------------------------------
    def create_ticket(self, **fields: Any) -> int:
        fields.setdefault("subject", "Ticket created by the control API")
        fields.setdefault("message", "Created behind the client's back.")
        return self.backend.create_ticket(fields)

    def touch(
        self,
        count: int = 1,
        *,
        ids: Sequence[int] | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> list[int]:
        """Modify tickets as a Dolibarr user would: tms moves (always), AC_TICKET_MODIFY is logged.

        Without ``ids``, ``count`` tickets are picked at random (seeded). Without ``field`` the
        progress is nudged so the row really changes. Returns the touched ids.
        """
        backend = self.backend
        if ids is None:
            all_ids = [row[0] for row in backend.db.all("SELECT rowid FROM llx_ticket")]
            ids = backend.random.sample(all_ids, min(count, len(all_ids)))
        for ticket_id in ids:
            row = backend.ticket(ticket_id)
            if row is None:
                raise KeyError(f"no ticket {ticket_id}")
            if field is None:
                changes = {"progress": (int(row["progress"] or 0) + 1) % 101}
            else:
                changes = {field: value}
            backend.update_ticket(ticket_id, changes, touch=True)
        return list(ids)

    def add_message(self, ticket_id: int, message: str, *, private: bool = False) -> int:
        row = self.backend.ticket(ticket_id)
        if row is None:
            raise KeyError(f"no ticket {ticket_id}")
        return self.backend.add_message(row, message, private=private)

    def delete_ticket(self, ticket_id: int) -> None:
        """Really delete a ticket (the API cannot: its DELETE fails with 500)."""
        with self.backend.db.write() as conn:
            conn.execute("DELETE FROM llx_ticket WHERE rowid = ?", (ticket_id,))
            conn.execute(
                "DELETE FROM llx_actioncomm WHERE elementtype = 'ticket' AND fk_element = ?",
                (ticket_id,),
            )
            conn.execute(
                "DELETE FROM llx_element_element WHERE sourcetype = 'ticket' AND fk_source = ?",
                (ticket_id,),
            )

    def set_tms(self, ticket_id: int, local_datetime: str, *, table: str = "llx_ticket") -> None:
        """Set a row's ``tms`` to a server-local ``YYYY-MM-DD HH:MM:SS`` (nothing else changes)."""
        if table not in ("llx_ticket", "llx_fichinter"):
            raise ValueError(f"set_tms works on llx_ticket or llx_fichinter, not {table}")
        if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", local_datetime):
            raise ValueError(f"tms must look like 2025-06-15 10:00:00, not {local_datetime!r}")
        with self.backend.db.write() as conn:
            conn.execute(f"UPDATE {table} SET tms = ? WHERE rowid = ?", (local_datetime, ticket_id))

    def set_php_timezone(self, timezone: str) -> None:
        """Change the zone epochs are computed in, leaving stored values alone: what happens when
        PHP's date.timezone changes while the database keeps its own (captures tz_paris_*)."""
        backend = self.backend
        if backend.localtime.name != timezone:
            backend.localtime = LocalTime(timezone)

    # -- users and rights -------------------------------------------------------------------------
    def add_user(self, login: str, api_key: str, rights: Sequence[str] = ()) -> int:
        """A non-admin API user with these rights (``rights.RIGHTS``); returns its id."""
        return access.add_user(self.backend, UserSpec(login, api_key, frozenset(rights)))

    def set_rights(self, user_id: int, rights: Sequence[str]) -> None:
        access.set_rights(self.backend, user_id, rights)

    def add_representative(self, thirdparty_id: int, user_id: int) -> None:
        """Make the user a sales representative of the third party: a user without
        "thirdparties.all" then sees its tickets, interventions and events in lists."""
        access.add_representative(self.backend, thirdparty_id, user_id)

    # -- faults and log ---------------------------------------------------------------------------
    def set_faults(self, spec: str) -> None:
        self.faults.set(spec)
        self._fault_spec = spec

    def add_fault(self, kind: str, rate: float = 1.0, **scope: Any) -> None:
        """One more fault rule (``Faults.add``): e.g. ``add_fault("error500", method="PUT")``."""
        self.faults.add(kind, rate, **scope)
        rule = f"{kind}={rate}s" if kind == "latency" else f"{kind}={rate}"
        rule += "".join(f",{key}={value}" for key, value in scope.items() if value is not None)
        self._fault_spec = f"{self._fault_spec}; {rule}" if self._fault_spec else rule

    def clear_faults(self) -> None:
        self.set_faults("")

    @property
    def fault_spec(self) -> str:
        return self._fault_spec

    def requests(self) -> list[dict[str, Any]]:
        return self._log.entries()

    def clear_requests(self) -> None:
        self._log.clear()

    def reset(self, *, tickets: int | None = None, seed: int | None = None) -> None:
        """A brand-new database (seeded again), no faults, an empty request log."""
        self._reset(tickets=tickets, seed=seed)
        self.clear_faults()
        self.clear_requests()


def control_answer(control: Control, method: str, path: str, body: dict[str, Any]) -> Answer:
    """The HTTP control API (see the module doc)."""
    parts = [part for part in path.split("/") if part]
    for (verb, pattern), operation in _OPERATIONS.items():
        args = _match(pattern, parts)
        if verb == method and args is not None:
            try:
                return json_answer(operation(control, args, body))
            except (KeyError, ValueError, TypeError, FaultSpecError) as error:
                return json_answer({"error": str(error).strip("'\"")}, 400)
    return json_answer({"error": f"no control operation {method} /{'/'.join(parts)}"}, 404)


def _match(pattern: str, parts: list[str]) -> list[str] | None:
    expected = [part for part in pattern.split("/") if part]
    if len(expected) != len(parts):
        return None
    args = []
    for want, got in zip(expected, parts, strict=True):
        if want == "*":
            args.append(got)
        elif want != got:
            return None
    return args


def _info(control: Control, _args: list[str], _body: dict[str, Any]) -> Any:
    backend = control.backend
    count = backend.db.scalar("SELECT COUNT(*) FROM llx_ticket")
    # the key of this fake server, for local tools (the control API answers loopback only)
    return {
        "version": backend.options.version,
        "tickets": count,
        "api_key": backend.options.api_key,
    }


def _touch(control: Control, _args: list[str], body: dict[str, Any]) -> Any:
    count = int(body.get("count", 1))
    ids = control.touch(
        count, ids=body.get("ids"), field=body.get("field"), value=body.get("value")
    )
    return {"ids": ids}


def _message(control: Control, args: list[str], body: dict[str, Any]) -> Any:
    private = bool(body.get("private"))
    return {"id": control.add_message(int(args[0]), str(body["message"]), private=private)}


def _set_tms(table: str) -> Callable[[Control, list[str], dict[str, Any]], Any]:
    def operation(control: Control, args: list[str], body: dict[str, Any]) -> Any:
        control.set_tms(int(args[0]), str(body["tms"]), table=table)
        return {"ok": True}

    return operation


def _delete(control: Control, args: list[str], _body: dict[str, Any]) -> Any:
    control.delete_ticket(int(args[0]))
    return {"ok": True}


def _set_faults(control: Control, _args: list[str], body: dict[str, Any]) -> Any:
    control.set_faults(str(body.get("spec", "")))
    return {"spec": control.fault_spec}


def _clear_faults(control: Control, _args: list[str], _body: dict[str, Any]) -> Any:
    control.clear_faults()
    return {"spec": ""}


def _clear_requests(control: Control, _args: list[str], _body: dict[str, Any]) -> Any:
    control.clear_requests()
    return {"ok": True}


def _add_user(control: Control, _args: list[str], body: dict[str, Any]) -> Any:
    rights = body.get("rights") or []
    return {"id": control.add_user(str(body["login"]), str(body["api_key"]), list(rights))}


def _set_rights(control: Control, args: list[str], body: dict[str, Any]) -> Any:
    control.set_rights(int(args[0]), list(body.get("rights") or []))
    return {"ok": True}


def _representative(control: Control, args: list[str], body: dict[str, Any]) -> Any:
    control.add_representative(int(args[0]), int(body["user_id"]))
    return {"ok": True}


def _reset(control: Control, _args: list[str], body: dict[str, Any]) -> Any:
    control.reset(tickets=body.get("tickets"), seed=body.get("seed"))
    return {"ok": True}


_OPERATIONS: dict[tuple[str, str], Callable[[Control, list[str], dict[str, Any]], Any]] = {
    ("GET", ""): _info,
    ("POST", "touch"): _touch,
    ("POST", "tickets"): lambda control, _args, body: {"id": control.create_ticket(**body)},
    ("POST", "tickets/*/messages"): _message,
    ("PUT", "tickets/*/tms"): _set_tms("llx_ticket"),
    ("PUT", "interventions/*/tms"): _set_tms("llx_fichinter"),
    ("DELETE", "tickets/*"): _delete,
    ("GET", "faults"): lambda control, _args, _body: {"spec": control.fault_spec},
    ("PUT", "faults"): _set_faults,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "requests"): lambda control, _args, _body: control.requests(),
    ("DELETE", "requests"): _clear_requests,
    ("POST", "reset"): _reset,
    ("POST", "users"): _add_user,
    ("PUT", "users/*/rights"): _set_rights,
    ("POST", "thirdparties/*/representatives"): _representative,
}
