"""What one rule evaluation sees: a ticket with its customer, assignee and current message.

The caller (the service, ``explain``, ``backtest``, ``rules test``) gathers these records; the
rules never read the store themselves. ``TicketView.build`` picks the message conditions and
templates read: the message that triggered the evaluation, else the latest public one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dolisync.records import Message, ThirdParty, Ticket, User


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket as rules see it. ``message`` None means "the ticket's own opening message"."""

    ticket: Ticket
    customer: ThirdParty | None = None
    assignee: User | None = None
    message: Message | None = None

    @classmethod
    def build(
        cls,
        ticket: Ticket,
        *,
        customer: ThirdParty | None = None,
        assignee: User | None = None,
        messages: Iterable[Message] = (),
        message_id: int | None = None,
    ) -> TicketView:
        """A view whose message is ``message_id`` (a message trigger) or the latest public one."""
        return cls(
            ticket=ticket,
            customer=customer,
            assignee=assignee,
            message=pick_message(messages, message_id),
        )


def pick_message(messages: Iterable[Message], message_id: int | None = None) -> Message | None:
    """The message with ``message_id``; without one, the latest public message (None if none)."""
    latest: Message | None = None
    for message in messages:
        if message_id is not None:
            if message.id == message_id:
                return message
            continue
        if not message.private and (latest is None or _order(message) >= _order(latest)):
            latest = message
    return latest


def _order(message: Message) -> tuple[int, int]:
    return (message.created_at or 0, message.id)
