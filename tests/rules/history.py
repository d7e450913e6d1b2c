"""A small mirror history in a real store, for the backtest and CLI tests.

Days count back from ``now`` (NOW by default); the change log's ``at`` is the sync time:

* -40d  first sync: tickets 1, 2, 3 created (all not_read, opened 45 days ago)
* -10d  ticket 1: not_read -> in_progress, assigned to user 5
* -5d   ticket 1: in_progress -> closed; ticket 2: category -> ONSITE
* -2d   a customer message on ticket 3
* -1d   ticket 4 created
"""

from __future__ import annotations

import dataclasses

from dolisync.records import Message, User
from dolisync.store import Store
from tests.rules.builders import NOW, SOURCE, ticket

DAY = 86_400.0

RULES = """
[[rules]]
name = "started"
on = ["ticket.changed.status"]
[rules.when]
status = "in_progress"
[[rules.then]]
action = "post_message"
text = "now {ticket.status}"

[[rules]]
name = "onsite"
on = ["ticket.created", "ticket.updated"]
[rules.when]
category_code = "ONSITE"
[[rules.then]]
action = "create_intervention"

[[rules]]
name = "reply"
on = ["ticket.message"]
[rules.when]
message.from_customer = true
[[rules.then]]
action = "set_status"
status = "read"

[[rules]]
name = "new"
on = ["ticket.created"]
[[rules.then]]
action = "assign"
user = "tech1"

[[rules]]
name = "stale"
on = ["schedule"]
[rules.when]
status = "not_read"
age = { over = "7d" }
[[rules.then]]
action = "set_severity"
severity = "HIGH"

[[rules]]
name = "never"
on = ["ticket.created"]
enabled = false
[[rules.then]]
action = "set_type"
type = "ISSUE"
"""


def fill(store: Store, now: float = NOW) -> None:
    """Write the history, dated back from ``now``."""
    opened = int(now - 45 * DAY)
    first = [ticket(id=n, created_at=opened, modified_at=opened) for n in (1, 2, 3)]
    store.apply_page(
        SOURCE,
        "users",
        [User(source=SOURCE, id=5, login="tech1")],
        position=None,
        synced_at=now - 40 * DAY,
    )
    store.apply_page(SOURCE, "tickets", first, position=None, synced_at=now - 40 * DAY)
    started = dataclasses.replace(
        first[0], status=3, assigned_user_id=5, modified_at=int(now - 10 * DAY)
    )
    store.apply_page(SOURCE, "tickets", [started], position=None, synced_at=now - 10 * DAY)
    closed = dataclasses.replace(started, status=8, modified_at=int(now - 5 * DAY))
    onsite = dataclasses.replace(first[1], category_code="ONSITE", modified_at=int(now - 5 * DAY))
    store.apply_page(SOURCE, "tickets", [closed, onsite], position=None, synced_at=now - 5 * DAY)
    reply = Message(
        source=SOURCE,
        id=70,
        ticket_id=3,
        code="TICKET_MSG",
        private=False,
        text="still broken",
        created_at=int(now - 2 * DAY),
    )
    store.apply_page(SOURCE, "messages", [reply], position=None, synced_at=now - 2 * DAY)
    fresh = ticket(id=4, created_at=int(now - DAY), modified_at=int(now - DAY))
    store.apply_page(SOURCE, "tickets", [fresh], position=None, synced_at=now - DAY)
