"""Write calls to Dolibarr, for the outbox: each method is ONE HTTP call, never retried here.

What this module knows: the body each write needs on 20.0.2 and 22.0.4 (both ``status`` and
``fk_statut`` for a ticket status, both ``duration`` and ``duree`` for a line, ``origin`` +
``origin_id`` to link an intervention to its ticket) and the shape of each answer. Deciding
whether a write may be repeated (search the marker first, re-read after a 5xx) is the
outbox's job: a failed write raises, and a ``ServerError`` may still have been applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dolisync.clock import Clock
from dolisync.dolibarr.coerce import FieldReader
from dolisync.dolibarr.timezone import ServerInfo
from dolisync.dolibarr.transport import Transport
from dolisync.errors import InvalidResponse

CALLER = "dolisync"  # sent as ``caller``: shows in webhook context, lets us ignore our echoes
CLOSED_STATUSES = frozenset({8, 9})  # closed-solved, cancelled
LINE_ID_SINCE = (22,)  # older servers answer a line POST with the flag 1, not the line id


class WriteMethods:
    """Mixed into ``DolibarrClient``; needs its transport, clock and server info."""

    transport: Transport
    _clock: Clock

    @property
    def server_info(self) -> ServerInfo:
        raise NotImplementedError  # provided by DolibarrClient

    def create_ticket(
        self,
        *,
        subject: str,
        message: str,
        socid: int | None = None,
        type_code: str | None = None,
        category_code: str | None = None,
        severity_code: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> int:
        """``POST /tickets``; the new ticket id. ``extra``: more fields, sent as given."""
        body: dict[str, Any] = {"subject": subject, "message": message, "caller": CALLER}
        optional = {
            "fk_soc": socid,
            "type_code": type_code,
            "category_code": category_code,
            "severity_code": severity_code,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        body.update(extra or {})
        return _new_id(self.transport.post("/tickets", body), "POST /tickets")

    def update_ticket(self, ticket_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``PUT /tickets/{id}`` with ``fields``; the updated ticket as Dolibarr echoes it.

        A ``status`` (or ``fk_statut``) is sent under both names (22.0.4 reads only
        ``status``, 20.0.2 only ``fk_statut``). Closing (8) or cancelling (9) also sends
        ``progress: 100`` and ``date_close: now`` unless given, else Dolibarr leaves the
        close date empty.
        """
        body: dict[str, Any] = {"caller": CALLER, **fields}
        status = body.get("status", body.get("fk_statut"))
        if status is not None:
            body["status"] = body["fk_statut"] = status
            if int(status) in CLOSED_STATUSES:
                body.setdefault("progress", 100)
                body.setdefault("date_close", int(self._clock.now()))
        path = f"/tickets/{int(ticket_id)}"
        return _object(self.transport.put(path, body), f"PUT {path}")

    def post_message(self, track_id: str, text: str, *, private: bool) -> int:
        """``POST /tickets/newmessage``; the ticket id. Put a marker in ``text`` to find the
        message later (the answer does not name the new agenda event)."""
        body = {"track_id": track_id, "message": text, "private": 1 if private else 0}
        return _new_id(self.transport.post("/tickets/newmessage", body), "POST /tickets/newmessage")

    def create_intervention(
        self,
        socid: int,
        description: str,
        *,
        project_id: int = 0,
        ref_client: str | None = None,
        origin_ticket_id: int | None = None,
    ) -> int:
        """``POST /interventions`` (linked to the ticket when ``origin_ticket_id``); the new id.

        The link can only be made here; check ``get_intervention(id).linked_ticket_ids``.
        """
        body: dict[str, Any] = {
            "socid": socid,
            "fk_project": project_id,
            "description": description,
            "caller": CALLER,
        }
        if ref_client is not None:
            body["ref_client"] = ref_client
        if origin_ticket_id is not None:
            body.update({"origin": "ticket", "origin_id": origin_ticket_id})
        return _new_id(self.transport.post("/interventions", body), "POST /interventions")

    def add_intervention_line(
        self, intervention_id: int, description: str, date: int, duration_s: int
    ) -> int | None:
        """``POST /interventions/{id}/lines`` (``date`` epoch; both ``duration`` and ``duree``).

        The new line id on servers that answer it (22.0.4); None where the answer is only a
        success flag (20.0.2 answers ``1``).
        """
        body = {
            "description": description,
            "date": date,
            "duration": duration_s,
            "duree": duration_s,
            "caller": CALLER,
        }
        answers_line_id = self.server_info.version >= LINE_ID_SINCE  # probed before writing
        path = f"/interventions/{int(intervention_id)}/lines"
        answer = _new_id(self.transport.post(path, body), f"POST {path}")
        return answer if answers_line_id else None

    def validate_intervention(self, intervention_id: int) -> dict[str, Any] | None:
        """``POST /interventions/{id}/validate``; the object, or None if already validated (304)."""
        path = f"/interventions/{int(intervention_id)}/validate"
        answer = self.transport.post(path)
        return None if answer is None else _object(answer, f"POST {path}")

    def close_intervention(self, intervention_id: int) -> dict[str, Any] | None:
        """``POST /interventions/{id}/close``; the object (its status may be stale: re-read)."""
        path = f"/interventions/{int(intervention_id)}/close"
        answer = self.transport.post(path)
        return None if answer is None else _object(answer, f"POST {path}")


def _new_id(answer: Any, call: str) -> int:
    """An id answer: a JSON int (creates) or a digit string (newmessage)."""
    reader = FieldReader({"id": answer}, f"{call} answer")
    if answer is None:
        raise _bad(call, "is empty, expected an id")
    return reader.int_("id")


def _object(answer: Any, call: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise _bad(call, f"is {type(answer).__name__}, expected a JSON object")
    return answer


def _bad(call: str, problem: str) -> InvalidResponse:
    return InvalidResponse(
        f"{call}: the answer {problem}",
        hint="the answer is not what this Dolibarr version should send",
    )
