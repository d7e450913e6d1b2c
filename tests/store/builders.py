"""Small record builders for the store tests: only the fields a test cares about."""

from __future__ import annotations

from typing import Any

from dolisync.records import Intervention, InterventionLine, Message, ThirdParty, Ticket, User

SOURCE = "main"


def ticket(id: int, source: str = SOURCE, **fields: Any) -> Ticket:
    values: dict[str, Any] = {
        "ref": f"TS2412-{id:04d}",
        "track_id": f"track{id:06d}",
        "subject": f"Printer {id} is down",
        "modified_at": 1_733_000_000 + id,
        "raw": {"id": str(id), "ref": f"TS2412-{id:04d}", "array_options": {"options_x": "é"}},
    }
    values.update(fields)
    return Ticket(source=source, id=id, **values)


def line(id: int, intervention_id: int, source: str = SOURCE, **fields: Any) -> InterventionLine:
    values: dict[str, Any] = {"description": f"line {id}", "duration": 3600, "rank": id}
    values.update(fields)
    return InterventionLine(source=source, id=id, intervention_id=intervention_id, **values)


def intervention(id: int, source: str = SOURCE, **fields: Any) -> Intervention:
    values: dict[str, Any] = {
        "ref": f"FI2412-{id:04d}",
        "modified_at": 1_733_000_000 + id,
        "raw": {"id": str(id)},
    }
    values.update(fields)
    return Intervention(source=source, id=id, **values)


def message(id: int, ticket_id: int, source: str = SOURCE, **fields: Any) -> Message:
    values: dict[str, Any] = {"code": "TICKET_MSG", "private": False, "text": f"message {id}"}
    values.update(fields)
    return Message(source=source, id=id, ticket_id=ticket_id, **values)


def thirdparty(id: int, source: str = SOURCE, **fields: Any) -> ThirdParty:
    values: dict[str, Any] = {"name": f"Customer {id}", "client": 1, "raw": {"id": str(id)}}
    values.update(fields)
    return ThirdParty(source=source, id=id, **values)


def user(id: int, source: str = SOURCE, **fields: Any) -> User:
    values: dict[str, Any] = {"login": f"tech{id}", "firstname": "Ada", "raw": {"id": str(id)}}
    values.update(fields)
    return User(source=source, id=id, **values)
