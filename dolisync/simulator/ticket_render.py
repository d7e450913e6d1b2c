"""Tickets and their ``messages[]`` as Dolibarr renders them, from ``llx_ticket`` rows.

GET answers give ids, statuses and counters as strings, dates as epochs, and ``""`` for an
empty date; ``fk_user_assign_string`` exists only when the ticket is assigned.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dolisync.simulator.database import Row
from dolisync.simulator.localtime import LocalTime
from dolisync.simulator.lookups import Lookups
from dolisync.simulator.templates import Templates, render

PRIVATE_CODES = frozenset({"TICKET_MSG_PRIVATE", "TICKET_MSG_PRIVATE_SENTBYMAIL"})


def text(value: Any) -> str | None:
    return None if value is None else str(value)


class TicketRenderer:
    """Turns ticket rows into the JSON objects of one Dolibarr version."""

    def __init__(self, templates: Templates, clock: LocalTime) -> None:
        self.templates = templates
        self.clock = clock

    def values(self, row: Row, lookups: Lookups) -> dict[str, Any]:
        epoch = self.clock.to_epoch
        status = text(row["fk_statut"])
        socid = text(row["fk_soc"])
        created = epoch(row["datec"])
        modified = epoch(row["tms"])
        read = epoch(row["date_read"]) or ""
        values: dict[str, Any] = {
            "id": str(row["rowid"]),
            "entity": str(row["entity"]),
            "import_key": row["import_key"],
            "fk_project": text(row["fk_project"]),
            "ref": row["ref"],
            "status": status,
            "fk_statut": status,
            "date_creation": created,
            "datec": created,
            "date_validation": read,
            "date_read": read,
            "date_modification": modified,
            "tms": modified,
            "track_id": row["track_id"],
            "fk_soc": socid,
            "socid": socid,
            "fk_contract": text(row["fk_contract"]),
            "origin_email": row["origin_email"],
            "origin_replyto": row["origin_replyto"],
            "origin_references": row["origin_references"],
            "fk_user_create": text(row["fk_user_create"]),
            "fk_user_assign": text(row["fk_user_assign"]),
            "subject": row["subject"],
            "message": row["message"],
            "resolution": text(row["resolution"]),
            "progress": text(row["progress"]),
            "timing": row["timing"],
            "type_code": row["type_code"],
            "category_code": row["category_code"],
            "severity_code": row["severity_code"],
            "type_label": lookups.type_labels.get(row["type_code"]),
            "category_label": lookups.category_labels.get(row["category_code"]),
            "severity_label": lookups.severity_labels.get(row["severity_code"]),
            "date_last_msg_sent": epoch(row["date_last_msg_sent"]) or "",
            "date_close": epoch(row["date_close"]) or "",
            "notify_tiers_at_create": row["notify_tiers_at_create"],
            "email_msgid": row["email_msgid"],
            "email_date": epoch(row["email_date"]) or "",
            "ip": row["ip"],
        }
        return values

    def ticket(
        self,
        row: Row,
        lookups: Lookups,
        *,
        properties: Collection[str] | None = None,
        messages: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A list item (``messages`` None) or a single GET (with its messages)."""
        values = self.values(row, lookups)
        rendered = render(self.templates["ticket"], values, properties)
        self._finish(rendered, row, lookups, properties, messages)
        return rendered

    def put_answer(
        self, row: Row, lookups: Lookups, extra: dict[str, Any], messages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """PUT answers the in-memory object: unknown sent keys show up before ``trackid``."""
        values = self.values(row, lookups)
        values["trackid"] = row["track_id"]
        rendered: dict[str, Any] = {}
        for key, constant in self.templates["ticket_put"].items():
            if key == "trackid":
                rendered.update(extra)
            if key not in ("fk_user_assign_string", "messages"):
                rendered[key] = values.get(key, constant)
        self._finish(rendered, row, lookups, None, messages)
        return rendered

    def _finish(
        self,
        rendered: dict[str, Any],
        row: Row,
        lookups: Lookups,
        properties: Collection[str] | None,
        messages: list[dict[str, Any]] | None,
    ) -> None:
        rendered.pop("fk_user_assign_string", None)
        rendered.pop("messages", None)
        assigned = row["fk_user_assign"]
        if assigned and (properties is None or "fk_user_assign_string" in properties):
            rendered["fk_user_assign_string"] = lookups.user_names.get(assigned, "")
        if messages is not None and (properties is None or "messages" in properties):
            rendered["messages"] = messages

    def message(self, event: Row, lookups: Lookups) -> dict[str, Any]:
        """One entry of ``messages[]``: an agenda event of the ticket."""
        author = event["fk_user_author"]
        values = {
            "id": str(event["id"]),
            "fk_user_action": text(author),
            "fk_user_action_socid": None,
            "fk_user_action_string": lookups.user_names.get(author, "") if author else "",
            "message": event["note"],
            "datec": self.clock.to_epoch(event["datep"]),
            "private": 1 if event["code"] in PRIVATE_CODES else 0,
        }
        return render(self.templates["ticket_message"], values)

    def specimen(self, now: int) -> dict[str, Any]:
        """The fake ticket 20.0.2 answers for any ref or track_id (its lookup bug)."""
        dates = ("tms", "datec", "date_read", "date_last_msg_sent", "date_close")
        template = self.templates["ticket_specimen"]
        return render(template, {key: now for key in dates if key in template})
