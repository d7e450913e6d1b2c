"""What a rule evaluation sees of a ticket, gathered from the mirror.

What this module knows: which related records a ``TicketView`` needs (customer, assignee,
messages) and where the mirror keeps them. The driver and the conflict check both use it, so
a rule is evaluated the same way at enqueue time and just before the write.
"""

from __future__ import annotations

from dolisync.records import Ticket
from dolisync.rules.view import TicketView
from dolisync.store import Store


def ticket_view(
    store: Store, source: str, ticket: Ticket, message_id: int | None = None
) -> TicketView:
    """The ticket with its customer, assignee and messages as the mirror has them."""
    customer = store.get_thirdparty(source, ticket.socid) if ticket.socid else None
    assignee = store.get_user(source, ticket.assigned_user_id) if ticket.assigned_user_id else None
    return TicketView.build(
        ticket,
        customer=customer,
        assignee=assignee,
        messages=store.messages_for(source, ticket.id),
        message_id=message_id,
    )
