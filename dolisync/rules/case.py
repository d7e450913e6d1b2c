"""A ticket given as JSON, for ``dolisync rules test`` (no store, no Dolibarr needed).

The document::

    {
      "ticket":   {"ref": "TS2412-0001", "subject": "...", "status": "not_read", ...},
      "customer": {"name": "ACME", ...},            (optional)
      "assignee": {"login": "tech1", ...},          (optional)
      "message":  {"text": "...", "private": false}, (optional: the current message)
      "trigger":  "ticket.created",  (optional, the default; or ticket.updated,
                                      ticket.changed.<field>, ticket.message, schedule)
      "changed":  ["status"],                        (optional, for ticket.updated)
      "own_write": false,                            (optional)
      "now":      "2026-12-04T10:00:00Z"             (optional; default: the clock)
    }

A document without a ``"ticket"`` key is the ticket itself. Field names are those of
``dolisync.records`` (``status`` also by name); times are epochs or ISO 8601 texts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, get_type_hints

from dolisync.errors import UserError
from dolisync.records import TICKET_STATUS_CODES, Message, ThirdParty, Ticket, User
from dolisync.rules.problems import Problems, child, type_name
from dolisync.rules.triggers import TRIGGER_NAMES, Trigger
from dolisync.rules.view import TicketView

CASE_KEYS: Final = (
    "ticket",
    "customer",
    "assignee",
    "message",
    "trigger",
    "changed",
    "own_write",
    "now",
)
_DEFAULTS: Final[dict[type, dict[str, Any]]] = {
    Ticket: {"source": "test", "id": 1, "ref": "TEST-1", "track_id": "", "subject": ""},
    ThirdParty: {"source": "test", "id": 1, "name": ""},
    User: {"source": "test", "id": 1, "login": ""},
    Message: {"source": "test", "id": 1, "ticket_id": 1, "code": "TICKET_MSG", "private": False},
}


@dataclass(frozen=True, slots=True)
class Case:
    view: TicketView
    trigger: Trigger
    now: float | None


def load_case(document: object, *, name: str = "the JSON document") -> Case:
    """The view, trigger and time described by ``document``; ``UserError`` lists every problem."""
    problems = Problems()
    if not isinstance(document, Mapping):
        raise UserError(f'{name}: must be a JSON object with a "ticket"', hint="see docs/rules.md")
    if "ticket" not in document:
        document = {"ticket": document}
    for key in document:
        if key not in CASE_KEYS:
            problems.add(child("", key), f"is not allowed; keys: {', '.join(CASE_KEYS)}")
    ticket = _record(Ticket, document.get("ticket"), "ticket", problems)
    customer = _optional(ThirdParty, document.get("customer"), "customer", problems)
    assignee = _optional(User, document.get("assignee"), "assignee", problems)
    message = _optional(Message, document.get("message"), "message", problems)
    trigger = _trigger(document, ticket, message, problems)
    now = _time(document.get("now"), "now", problems)
    if problems.found or ticket is None or trigger is None:
        lines = [f"{path}: {message}" for path, message in problems.found]
        raise UserError(f"{name}: " + "; ".join(lines), hint="see docs/rules.md (Testing a rule)")
    return Case(TicketView(ticket, customer, assignee, message), trigger, now)


def _optional(kind: type, raw: object, path: str, problems: Problems) -> Any:
    return None if raw is None else _record(kind, raw, path, problems)


def _record(kind: type, raw: object, path: str, problems: Problems) -> Any:
    if not isinstance(raw, Mapping):
        problems.add(path, f"must be a JSON object, not {type_name(raw)}")
        return None
    hints = get_type_hints(kind)
    names = [field.name for field in dataclasses.fields(kind) if field.name != "raw"]
    values = dict(_DEFAULTS[kind])
    count = len(problems)
    for key, value in raw.items():
        key_path = child(path, key)
        if key not in names:
            problems.add(key_path, f"is not a field; fields: {', '.join(names)}")
        else:
            values[key] = _value(key, hints[key], value, key_path, problems)
    return kind(**values) if len(problems) == count else None


def _value(key: str, hint: object, value: object, path: str, problems: Problems) -> object:
    if path == "ticket.status" and isinstance(value, str):
        if value not in TICKET_STATUS_CODES:
            problems.add(
                path, f"unknown status {value!r}; statuses: {', '.join(TICKET_STATUS_CODES)}"
            )
        return TICKET_STATUS_CODES.get(value, 0)
    if key.endswith("_at") and isinstance(value, str):
        moment = _time(value, path, problems)
        return None if moment is None else int(moment)
    accepted = _accepted_types(hint)
    if value is None and type(None) in accepted:
        return None
    if isinstance(value, bool) and bool not in accepted:
        problems.add(path, f"must be {_describe(accepted)}, not true/false")
    elif not isinstance(value, tuple(accepted)):
        problems.add(path, f"must be {_describe(accepted)}, not {type_name(value)}")
    return value


def _accepted_types(hint: object) -> set[type]:
    args = getattr(hint, "__args__", None)
    return set(args) if args else {hint}  # type: ignore[arg-type]


def _describe(types: set[type]) -> str:
    words = {int: "a whole number", str: "a text", bool: "true or false", type(None): "null"}
    return " or ".join(words.get(kind, kind.__name__) for kind in types)


def _time(value: object, path: str, problems: Problems) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()
    problems.add(path, "must be an epoch (seconds) or an ISO 8601 time like 2026-12-04T10:00:00Z")
    return None


def _trigger(
    document: Mapping[str, Any], ticket: Ticket | None, message: Message | None, problems: Problems
) -> Trigger | None:
    name = document.get("trigger", "ticket.created")
    own = document.get("own_write", False)
    changed = document.get("changed", [])
    if not isinstance(own, bool):
        problems.add("own_write", "must be true or false")
    if not isinstance(changed, list) or not all(isinstance(field, str) for field in changed):
        problems.add("changed", "must be a list of field names")
        changed = []
    if name not in TRIGGER_NAMES:
        problems.add(
            "trigger", f"must be one of {', '.join(TRIGGER_NAMES[:4])} or ticket.changed.<field>"
        )
        return None
    if ticket is None:
        return None
    message_id = message.id if message else None
    return Trigger.named(
        name, ticket, changed=changed, message_id=message_id, own_write=own is True
    )
