"""The live suite's own data in the real Dolibarr: made by the suite, named by the run id.

What this module knows: how to create a customer, tickets, messages and interventions the
way a Dolibarr user (not dolisync) would, through the plain REST API and without dolisync's
``caller`` tag; how to read them back; and what Dolibarr lets the suite delete afterwards.
Every object carries the run id (customer name, ticket subjects, message texts), and the
suite only ever acts on objects it created: the customer is new, so everything attached to
it is the suite's own.

Clean-up, at the end of the session: interventions are deleted (their lines and links go
with them); each ticket is deleted where Dolibarr allows it, which 20.0.2 and 22.0.4 do not
(``DELETE /tickets/{id}`` answers 500 and keeps the ticket): there it is closed instead and
stays, with the customer it belongs to; last, every agenda event of the customer is deleted.
What could not be removed is listed in ``leftovers`` and printed at the end of the run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dolisync.dolibarr import DolibarrClient
from dolisync.errors import DolibarrError
from dolisync.records import Intervention, Ticket

STATUS_CLOSED = 8
WAIT_STEP = 0.2


@dataclass
class LiveWorld:
    """Creates the suite's objects in Dolibarr and remembers them for clean-up."""

    client: DolibarrClient
    run_id: str
    tickets: list[int] = field(default_factory=list)
    interventions: set[int] = field(default_factory=set)
    leftovers: list[str] = field(default_factory=list)
    _customer: int | None = None

    # -- creating ------------------------------------------------------------------------

    @property
    def customer_name(self) -> str:
        return f"dolisync-live {self.run_id}"

    def customer(self) -> int:
        """The run's own customer (created on first use)."""
        if self._customer is None:
            answer = self.client.transport.post(
                "/thirdparties", {"name": self.customer_name, "client": 1}
            )
            self._customer = int(answer)
        return self._customer

    def subject(self, label: str) -> str:
        return f"[{self.run_id}] {label}"

    def ticket(
        self,
        label: str,
        *,
        message: str = "Created by the dolisync live suite.",
        category: str | None = None,
        severity: str | None = None,
        type_code: str | None = None,
    ) -> Ticket:
        """A new ticket of the run's customer, as a user would open it; read back."""
        body: dict[str, Any] = {
            "subject": self.subject(label),
            "message": message,
            "fk_soc": self.customer(),
        }
        optional = {"category_code": category, "severity_code": severity, "type_code": type_code}
        body.update({key: value for key, value in optional.items() if value is not None})
        ticket_id = int(self.client.transport.post("/tickets", body))
        self.tickets.append(ticket_id)
        return self.client.get_ticket(ticket_id)

    def edit_ticket(self, ticket_id: int, fields: Mapping[str, Any]) -> None:
        """A user's change (PUT), without dolisync's caller tag."""
        self._own_ticket(ticket_id)
        self.client.transport.put(f"/tickets/{ticket_id}", dict(fields))

    def message(self, ticket: Ticket, text: str, *, private: bool) -> None:
        """A message on one of the run's tickets (an agenda event in Dolibarr)."""
        self._own_ticket(ticket.id)
        body = {"track_id": ticket.track_id, "message": text, "private": 1 if private else 0}
        self.client.transport.post("/tickets/newmessage", body)

    def intervention(self, ticket: Ticket, description: str) -> int:
        """An intervention for one of the run's tickets, linked to it as the UI does."""
        self._own_ticket(ticket.id)
        body = {
            "socid": self.customer(),
            "fk_project": 0,
            "description": description,
            "origin": "ticket",
            "origin_id": ticket.id,
        }
        intervention_id = int(self.client.transport.post("/interventions", body))
        self.interventions.add(intervention_id)
        return intervention_id

    # -- reading -------------------------------------------------------------------------

    def interventions_of_customer(self) -> list[Intervention]:
        """Every intervention of the run's customer, whoever made it (dolisync included)."""
        rows = self.client.list_page(
            "/interventions",
            sortfield="t.rowid",
            limit=0,
            extra_params={"thirdparty_ids": self.customer()},
        )
        found = [self.client.get_intervention(int(row["id"])) for row in rows]
        self.interventions.update(item.id for item in found)
        return found

    def agenda_events(self, ticket_id: int) -> list[dict[str, Any]]:
        """The agenda events of one of the run's tickets, oldest first (raw JSON)."""
        self._own_ticket(ticket_id)
        filters = f"(t.elementtype:=:'ticket') and (t.fk_element:=:{int(ticket_id)})"
        return self.client.list_page("/agendaevents", sqlfilters=filters, sortfield="t.id", limit=0)

    def server_now(self) -> int:
        info = self.client.status()
        if info.timestamp_now_utc is None:
            return int(time.time())  # production mode: the server does not tell its time
        return info.timestamp_now_utc

    def wait_until_after(self, epoch: int | None) -> None:
        """Wait until the server's clock has left the second ``epoch``: a sync started
        then reads every change made so far as settled (Dolibarr's ``tms`` has 1 s steps)."""
        if epoch is None:
            return
        while self.server_now() <= epoch:
            time.sleep(WAIT_STEP)

    # -- cleaning up ---------------------------------------------------------------------

    def clean_up(self) -> None:
        """Remove what Dolibarr lets the suite remove; note the rest in ``leftovers``."""
        if self._customer is None:
            return
        try:
            self.interventions_of_customer()
        except DolibarrError as error:
            self.leftovers.append(f"could not list the run's interventions: {error.message}")
        for intervention_id in sorted(self.interventions):
            self._delete(f"/interventions/{intervention_id}", "intervention")
        kept = [ticket_id for ticket_id in self.tickets if not self._remove_ticket(ticket_id)]
        self._remove_agenda_events()  # last: every step above adds events of the customer
        if kept:
            self.leftovers.append(
                f"{len(kept)} tickets '[{self.run_id}] …' (closed: DELETE /tickets answered an "
                f"error) and their customer {self.customer_name!r}"
            )
        else:
            self._delete(f"/thirdparties/{self._customer}", "customer")

    def _remove_ticket(self, ticket_id: int) -> bool:
        """Delete the ticket; 20.0.2 and 22.0.4 answer 500 and keep it: then close it.
        True when the ticket is gone."""
        try:
            self.client.transport.delete(f"/tickets/{ticket_id}")
        except DolibarrError:
            self._close_ticket(ticket_id)
            return False
        return True

    def _remove_agenda_events(self) -> None:
        """Every agenda event of the run's customer: its tickets' messages and history, the
        customer's creation, the interventions' history."""
        try:
            events = self.client.list_page(
                "/agendaevents",
                sqlfilters=f"(t.fk_soc:=:{self.customer()})",
                sortfield="t.id",
                limit=0,
            )
        except DolibarrError as error:
            self.leftovers.append(f"could not list the run's agenda events: {error.message}")
            return
        for event in events:
            self._delete(f"/agendaevents/{int(event['id'])}", "agenda event")

    def _close_ticket(self, ticket_id: int) -> None:
        body = {"status": STATUS_CLOSED, "fk_statut": STATUS_CLOSED, "progress": 100}
        try:
            self.client.transport.put(f"/tickets/{ticket_id}", body)
        except DolibarrError as error:
            self.leftovers.append(f"could not close ticket {ticket_id}: {error.message}")

    def _delete(self, path: str, what: str) -> None:
        try:
            self.client.transport.delete(path)
        except DolibarrError as error:
            self.leftovers.append(f"could not delete {what} ({path}): {error.message}")

    def _own_ticket(self, ticket_id: int) -> None:
        # A guard against a test bug ever touching a ticket the suite did not create.
        if ticket_id not in self.tickets:
            raise AssertionError(f"ticket {ticket_id} is not one of this run's tickets")
