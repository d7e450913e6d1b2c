"""The names rules may use: condition fields, template fields and ``ticket.changed.<field>``.

Every name maps to a reader over ``(TicketView, now)``. Nothing else is reachable: conditions
and templates name a field from these tables or fail validation, so no rule can walk into
attributes (``raw``, ``__class__``) or run code.

Missing values (no customer, no assignee, an empty date) read as None; see ``conditions``
for how each operator treats None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Final, Literal

from dolisync.durations import format_duration
from dolisync.records import TICKET_STATUS_NAMES, Ticket
from dolisync.rules.view import TicketView

FieldKind = Literal["text", "int", "bool", "status", "duration"]
Reader = Callable[[TicketView, float], object]


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One addressable field: its dotted name, its kind (which operators apply) and its reader."""

    name: str
    kind: FieldKind
    read: Reader
    about: str
    ticket_attribute: str | None = None  # set when the field is a plain ticket attribute


def _ticket(attribute: str) -> Reader:
    get = attrgetter(attribute)
    return lambda view, _now: get(view.ticket)


def _customer(attribute: str) -> Reader:
    get = attrgetter(attribute)
    return lambda view, _now: None if view.customer is None else get(view.customer)


def _assignee(attribute: str) -> Reader:
    get = attrgetter(attribute)
    return lambda view, _now: None if view.assignee is None else get(view.assignee)


def _age(view: TicketView, now: float) -> float | None:
    created = view.ticket.created_at
    return None if created is None else now - created


def last_activity(view: TicketView) -> int | None:
    """The latest of the ticket's modification, last message and current message times.

    Dolibarr does not touch a ticket's ``tms`` when a message is added, so the messages
    count separately.
    """
    ticket = view.ticket
    times = [ticket.modified_at, ticket.last_msg_at]
    if view.message is not None:
        times.append(view.message.created_at)
    known = [moment for moment in times if moment is not None]
    return max(known) if known else ticket.created_at


def _idle(view: TicketView, now: float) -> float | None:
    since = last_activity(view)
    return None if since is None else now - since


def _message_text(view: TicketView, _now: float) -> str:
    return view.ticket.message if view.message is None else view.message.text


def _message_private(view: TicketView, _now: float) -> bool:
    return False if view.message is None else view.message.private


def _message_author(view: TicketView, _now: float) -> int | None:
    if view.message is None:
        return view.ticket.author_user_id
    return view.message.author_user_id


def _from_customer(view: TicketView, _now: float) -> bool:
    """Public and written by no Dolibarr user (the opening message counts when no user wrote it)."""
    if view.message is None:
        return not view.ticket.author_user_id
    return not view.message.private and not view.message.author_user_id


def _fields(*defs: FieldDef) -> dict[str, FieldDef]:
    return {field.name: field for field in defs}


_T: Final = "text"
_I: Final = "int"

CONDITION_FIELDS: Final[dict[str, FieldDef]] = _fields(
    FieldDef("id", _I, _ticket("id"), "the ticket id", "id"),
    FieldDef("ref", _T, _ticket("ref"), "the ticket ref, e.g. TS2412-0001", "ref"),
    FieldDef("track_id", _T, _ticket("track_id"), "the public tracking id", "track_id"),
    FieldDef("subject", _T, _ticket("subject"), "the ticket subject", "subject"),
    FieldDef("status", "status", _ticket("status"), "the status by name", "status"),
    FieldDef("type_code", _T, _ticket("type_code"), "the type code, e.g. ISSUE", "type_code"),
    FieldDef("category_code", _T, _ticket("category_code"), "the category code", "category_code"),
    FieldDef("severity_code", _T, _ticket("severity_code"), "the severity code", "severity_code"),
    FieldDef("socid", _I, _ticket("socid"), "the customer (third party) id", "socid"),
    FieldDef("project_id", _I, _ticket("project_id"), "the project id", "project_id"),
    FieldDef(
        "assigned_user_id",
        _I,
        _ticket("assigned_user_id"),
        "the assigned user id",
        "assigned_user_id",
    ),
    FieldDef(
        "author_user_id", _I, _ticket("author_user_id"), "the user who created it", "author_user_id"
    ),
    FieldDef("progress", _I, _ticket("progress"), "progress in percent", "progress"),
    FieldDef("origin_email", _T, _ticket("origin_email"), "the email it came from", "origin_email"),
    FieldDef("age", "duration", _age, "time since creation"),
    FieldDef("idle", "duration", _idle, "time since the last change or message"),
    FieldDef("message", _T, _message_text, "text of the current message"),
    FieldDef("message.private", "bool", _message_private, "the current message is private"),
    FieldDef("message.author_user_id", _I, _message_author, "who wrote the current message"),
    FieldDef("message.from_customer", "bool", _from_customer, "public, written by no user"),
    FieldDef("customer.id", _I, _customer("id"), "the customer id"),
    FieldDef("customer.name", _T, _customer("name"), "the customer name"),
    FieldDef("customer.name_alias", _T, _customer("name_alias"), "the customer alias"),
    FieldDef("customer.code_client", _T, _customer("code_client"), "the customer code"),
    FieldDef("customer.email", _T, _customer("email"), "the customer email"),
    FieldDef("customer.phone", _T, _customer("phone"), "the customer phone"),
    FieldDef("customer.town", _T, _customer("town"), "the customer town"),
    FieldDef("customer.country_code", _T, _customer("country_code"), "e.g. FR"),
    FieldDef("assignee.id", _I, _assignee("id"), "the assigned user id"),
    FieldDef("assignee.login", _T, _assignee("login"), "the assigned user login"),
    FieldDef("assignee.firstname", _T, _assignee("firstname"), "first name"),
    FieldDef("assignee.lastname", _T, _assignee("lastname"), "last name"),
    FieldDef("assignee.fullname", _T, _assignee("fullname"), "first and last name"),
    FieldDef("assignee.email", _T, _assignee("email"), "the assigned user email"),
    FieldDef("assignee.active", "bool", _assignee("active"), "the user account is active"),
)

# Tables of fields under a prefix ("customer.name" lives in the table "customer").
NAMESPACES: Final[frozenset[str]] = frozenset(
    name.split(".", 1)[0] for name in CONDITION_FIELDS if "." in name
)

# ``ticket.changed.<field>``: any typed ticket column the change log can name.
CHANGEABLE_FIELDS: Final[tuple[str, ...]] = tuple(
    field.name for field in fields(Ticket) if field.name not in {"source", "id", "raw"}
)

_TICKET_TEMPLATE_FIELDS: Final = (
    "id",
    "ref",
    "track_id",
    "subject",
    "message",
    "status",
    "type_code",
    "category_code",
    "severity_code",
    "origin_email",
    "progress",
    "socid",
    "project_id",
    "assigned_user_id",
)
_CUSTOMER_TEMPLATE_FIELDS: Final = (
    "id",
    "name",
    "name_alias",
    "code_client",
    "email",
    "phone",
    "town",
    "country_code",
)
RULE_TEMPLATE_FIELDS: Final = ("rule.name", "rule.description")
# Known only once the outbox has created the intervention: left in the action unrendered.
DEFERRED_TEMPLATE_FIELDS: Final = ("intervention.id", "intervention.ref")
TEMPLATE_FIELDS: Final[tuple[str, ...]] = (
    *(f"ticket.{name}" for name in _TICKET_TEMPLATE_FIELDS),
    *(f"customer.{name}" for name in _CUSTOMER_TEMPLATE_FIELDS),
    *RULE_TEMPLATE_FIELDS,
    *DEFERRED_TEMPLATE_FIELDS,
)


def show(field: FieldDef, value: object) -> str:
    """A value as ``explain`` prints it: status by name, durations as text, None as ``(none)``."""
    if value is None:
        return "(none)"
    if field.kind == "status" and isinstance(value, int):
        return TICKET_STATUS_NAMES.get(value, f"unknown_{value}")
    if field.kind == "duration" and isinstance(value, int | float):
        return format_duration(max(0, round(value)))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    return str(value)


def template_values(
    view: TicketView, names: Iterable[str], *, rule_name: str, rule_description: str
) -> dict[str, str]:
    """The text of each named template field for one ticket (None renders as "").

    Deferred fields (``intervention.*``) are left out: the outbox fills them in.
    """
    values: dict[str, str] = {}
    for name in names:
        if name == "rule.name":
            values[name] = rule_name
        elif name == "rule.description":
            values[name] = rule_description
        elif name in TEMPLATE_READERS:
            values[name] = TEMPLATE_READERS[name](view)
    return values


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _ticket_text(attribute: str) -> Callable[[TicketView], str]:
    get = attrgetter(attribute)
    return lambda view: _text(get(view.ticket))


def _customer_text(attribute: str) -> Callable[[TicketView], str]:
    get = attrgetter(attribute)
    return lambda view: "" if view.customer is None else _text(get(view.customer))


TEMPLATE_READERS: Final[dict[str, Callable[[TicketView], str]]] = {
    **{f"ticket.{name}": _ticket_text(name) for name in _TICKET_TEMPLATE_FIELDS},
    "ticket.status": lambda view: view.ticket.status_name,
    **{f"customer.{name}": _customer_text(name) for name in _CUSTOMER_TEMPLATE_FIELDS},
}
