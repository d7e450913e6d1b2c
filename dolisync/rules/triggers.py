"""What makes a rule look at a ticket: the change-log event (or schedule tick) behind an evaluation.

Rules list the triggers they listen to in ``on``:

* ``ticket.created`` — the ticket appeared in the mirror;
* ``ticket.updated`` — any field of the ticket changed;
* ``ticket.changed.<field>`` — that field changed (``ticket.changed.status``);
* ``ticket.message`` — a new message was added to the ticket;
* ``schedule`` — a periodic tick, for time conditions (``age``, ``idle``).

A ``Trigger`` is one such event. ``own_write`` marks changes that came back from dolisync's
own writes: no rule ever fires on those (the loop guard). ``version`` identifies the event for
``repeat = "on_change"`` (a rule may fire again for each new version).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from dolisync.records import Ticket
from dolisync.rules.fields import CHANGEABLE_FIELDS
from dolisync.rules.problems import Problems, did_you_mean, item, type_name

TriggerKind = Literal["created", "updated", "message", "schedule"]

CREATED: Final = "ticket.created"
UPDATED: Final = "ticket.updated"
MESSAGE: Final = "ticket.message"
SCHEDULE: Final = "schedule"
CHANGED_PREFIX: Final = "ticket.changed."
TRIGGER_NAMES: Final[tuple[str, ...]] = (
    CREATED,
    UPDATED,
    MESSAGE,
    SCHEDULE,
    *(CHANGED_PREFIX + name for name in CHANGEABLE_FIELDS),
)
_KINDS: Final = f"{CREATED}, {UPDATED}, {MESSAGE}, {SCHEDULE} or {CHANGED_PREFIX}<field>"
_BY_KIND: Final[dict[str, str]] = {
    "created": CREATED,
    "updated": UPDATED,
    "message": MESSAGE,
    "schedule": SCHEDULE,
}


@dataclass(frozen=True, slots=True)
class Trigger:
    """One event about one ticket. Build with the class methods."""

    kind: TriggerKind
    changed: frozenset[str] = frozenset()
    own_write: bool = False
    version: str = ""
    message_id: int | None = None
    # Every ``on`` entry this trigger satisfies, computed once: rules are looked up by it.
    names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {_BY_KIND[self.kind]}
        if self.kind == "updated":
            names.update(CHANGED_PREFIX + name for name in self.changed)
        object.__setattr__(self, "names", frozenset(names))

    @classmethod
    def created(cls, *, own_write: bool = False) -> Trigger:
        return cls("created", own_write=own_write, version="created")

    @classmethod
    def updated(
        cls, changed: Iterable[str], *, seq: int | None = None, own_write: bool = False
    ) -> Trigger:
        """``changed``: the field names the change log lists; ``seq`` identifies the change."""
        return cls(
            "updated",
            frozenset(changed),
            own_write,
            f"change:{seq}" if seq is not None else "change",
        )

    @classmethod
    def message(cls, message_id: int, *, own_write: bool = False) -> Trigger:
        return cls(
            "message", own_write=own_write, version=f"message:{message_id}", message_id=message_id
        )

    @classmethod
    def schedule(cls, ticket: Ticket) -> Trigger:
        """A tick; its version is the ticket's state, so ``on_change`` rules fire once per state."""
        return cls("schedule", version=f"state:{ticket.modified_at}")

    @classmethod
    def named(
        cls,
        name: str,
        ticket: Ticket,
        *,
        changed: Iterable[str] = (),
        message_id: int | None = None,
        own_write: bool = False,
    ) -> Trigger:
        """The trigger an ``on`` entry names (for ``explain`` and ``rules test``)."""
        if name == CREATED:
            return cls.created(own_write=own_write)
        if name == MESSAGE:
            return cls.message(message_id or 0, own_write=own_write)
        if name == SCHEDULE:
            return cls.schedule(ticket)
        if name.startswith(CHANGED_PREFIX):
            changed = [*changed, name.removeprefix(CHANGED_PREFIX)]
        elif name != UPDATED:
            raise ValueError(f"unknown trigger {name!r}; use {_KINDS}")
        return cls.updated(changed, own_write=own_write)

    def matching(self, on: Iterable[str]) -> str | None:
        """The first ``on`` entry this trigger satisfies (as the audit log records it), or None."""
        names = self.names
        for name in on:
            if name in names:
                return name
        return None

    def describe(self) -> str:
        if self.kind == "updated" and self.changed:
            return f"{UPDATED} ({', '.join(sorted(self.changed))})"
        return _BY_KIND[self.kind]


class ChangeEntry(Protocol):
    """One change-log entry, as ``dolisync.store.Change`` has it."""

    @property
    def seq(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def entity(self) -> str: ...
    @property
    def object_id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def changes(self) -> Mapping[str, Any]: ...
    @property
    def at(self) -> float: ...


def trigger_for_change(change: ChangeEntry, *, own_write: bool = False) -> Trigger | None:
    """The trigger a change-log entry makes, or None (deletions, other entities).

    Tickets: ``created`` and ``updated`` (with the changed fields; the change's ``seq`` is
    the trigger version). Messages: ``created`` is ``ticket.message`` (the message id is the
    version; the caller finds its ticket). ``own_write``: the outbox recognised the change as
    dolisync's own write.
    """
    if change.entity == "tickets" and change.kind == "created":
        return Trigger.created(own_write=own_write)
    if change.entity == "tickets" and change.kind == "updated":
        return Trigger.updated(change.changes.keys(), seq=change.seq, own_write=own_write)
    if change.entity == "messages" and change.kind == "created":
        return Trigger.message(change.object_id, own_write=own_write)
    return None


def parse_on(raw: object, path: str, problems: Problems) -> tuple[str, ...]:
    """The validated ``on`` list; problems are added for bad entries."""
    if isinstance(raw, str):
        problems.add(path, f'must be a list, like on = ["{raw}"]')
        return ()
    if not isinstance(raw, list) or not raw:
        problems.add(path, f"must be a non-empty list of triggers: {_KINDS}")
        return ()
    names: list[str] = []
    for index, entry in enumerate(raw):
        entry_path = item(path, index)
        if not isinstance(entry, str):
            problems.add(entry_path, f"must be a text, not {type_name(entry)}")
        elif entry in names:
            problems.add(entry_path, f"lists {entry!r} twice")
        elif entry not in TRIGGER_NAMES:
            problems.add(entry_path, _unknown(entry))
        else:
            names.append(entry)
    return tuple(names)


def _unknown(entry: str) -> str:
    if entry.startswith(CHANGED_PREFIX):
        name = entry.removeprefix(CHANGED_PREFIX)
        return (
            f"cannot watch field {name!r}{did_you_mean(name, CHANGEABLE_FIELDS)}; "
            f"fields: {', '.join(CHANGEABLE_FIELDS)}"
        )
    hint = did_you_mean(entry, TRIGGER_NAMES[:4])
    return f"unknown trigger {entry!r}{hint}; use {_KINDS}"
