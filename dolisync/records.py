"""The mirrored objects as dolisync sees them: plain, typed, frozen values.

Dolibarr's JSON (strings for numbers, ``""`` for empty dates, version quirks) is turned into
these records by ``dolisync.dolibarr.parse``; the store persists them; rules read them. Every
record carries ``source`` (which Dolibarr instance it came from) and ``raw`` (the object as
Dolibarr sent it, kept so nothing is lost). Times are Unix epochs in seconds (UTC) or None.

``raw`` is excluded from equality: two records are "the same" when their typed fields are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Final, Literal

Entity = Literal["tickets", "messages", "interventions", "thirdparties", "users"]
ENTITIES: Final[tuple[Entity, ...]] = (
    "tickets",
    "messages",
    "interventions",
    "thirdparties",
    "users",
)

# Ticket statuses: Dolibarr's numbers and the names dolisync's config uses.
# 5 is Dolibarr's "NeedMoreInformation" (waiting for the customer), 7 its "Waiting" (on hold).
TICKET_STATUS_NAMES: Final[dict[int, str]] = {
    0: "not_read",
    1: "read",
    2: "assigned",
    3: "in_progress",
    5: "waiting",
    7: "on_hold",
    8: "closed",
    9: "canceled",
}
TICKET_STATUS_CODES: Final[dict[str, int]] = {
    name: code for code, name in TICKET_STATUS_NAMES.items()
}

# Intervention (fichinter) statuses.
INTERVENTION_STATUS_NAMES: Final[dict[int, str]] = {
    0: "draft",
    1: "validated",
    2: "billed",
    3: "done",
}

# Agenda event codes that are ticket messages (the rest are automatic "created/modified" entries).
MESSAGE_CODES: Final[frozenset[str]] = frozenset(
    {"TICKET_MSG", "TICKET_MSG_PRIVATE", "TICKET_MSG_SENTBYMAIL", "TICKET_MSG_PRIVATE_SENTBYMAIL"}
)
PRIVATE_MESSAGE_CODES: Final[frozenset[str]] = frozenset(
    {"TICKET_MSG_PRIVATE", "TICKET_MSG_PRIVATE_SENTBYMAIL"}
)


def ticket_status_name(status: int) -> str:
    """The config name of a ticket status; unknown numbers read as ``unknown_<n>``."""
    return TICKET_STATUS_NAMES.get(status, f"unknown_{status}")


def _raw_field() -> Any:
    return field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """Fields shared by every mirrored object."""

    source: str
    id: int
    raw: Mapping[str, Any] = _raw_field()

    def columns(self) -> dict[str, Any]:
        """The typed fields as a dict (``raw`` excluded): what the store writes as columns."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "raw"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Ticket(Record):
    ref: str
    track_id: str
    subject: str
    message: str = ""
    status: int = 0
    type_code: str | None = None
    category_code: str | None = None
    severity_code: str | None = None
    socid: int | None = None
    project_id: int | None = None
    assigned_user_id: int | None = None
    author_user_id: int | None = None
    progress: int | None = None
    origin_email: str | None = None
    created_at: int | None = None
    read_at: int | None = None
    closed_at: int | None = None
    last_msg_at: int | None = None
    modified_at: int | None = None  # Dolibarr's tms

    @property
    def status_name(self) -> str:
        return ticket_status_name(self.status)


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Record):
    """A ticket message: an agenda event with a TICKET_MSG* code (id = the event id)."""

    ticket_id: int
    code: str
    private: bool
    text: str = ""
    label: str = ""
    author_user_id: int | None = None
    created_at: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InterventionLine(Record):
    intervention_id: int
    description: str = ""
    date: int | None = None
    duration: int = 0  # seconds
    rank: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Intervention(Record):
    ref: str
    ref_client: str | None = None
    socid: int | None = None
    project_id: int | None = None
    status: int = 0
    description: str = ""
    duration: int = 0  # seconds, sum of the lines
    author_user_id: int | None = None
    created_at: int | None = None
    validated_at: int | None = None
    modified_at: int | None = None  # Dolibarr's datem (tms is null in its JSON)
    lines: tuple[InterventionLine, ...] = ()
    # ticket ids linked to this intervention; None when the answer carried no link data
    # (list items never do: only a single GET shows linkedObjectsIds)
    linked_ticket_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ThirdParty(Record):
    name: str
    name_alias: str | None = None
    code_client: str | None = None
    email: str | None = None
    phone: str | None = None
    town: str | None = None
    country_code: str | None = None
    status: int = 1  # 1 open, 0 closed
    client: int = 0  # 1 customer, 2 prospect, 3 both
    modified_at: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class User(Record):
    login: str
    firstname: str | None = None
    lastname: str | None = None
    email: str | None = None
    active: bool = True
    admin: bool = False
    modified_at: int | None = None

    @property
    def fullname(self) -> str:
        return " ".join(part for part in (self.firstname, self.lastname) if part) or self.login
