"""Interventions and their lines as Dolibarr renders them, from ``llx_fichinter`` rows.

Variants (captures): a single GET has ``contacts_ids: []`` and ``linkedObjectsIds`` (``[]`` or a
map); list items have ``null`` for both. Validate/close/reopen/PUT answer the in-memory object:
statuses as ints, some values stale, and extra keys ``elementtype``/``trackid`` on some.
The modification time is ``datem`` (``tms`` stays null in the JSON).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dolisync.simulator.database import Row
from dolisync.simulator.localtime import LocalTime
from dolisync.simulator.templates import Templates, render
from dolisync.simulator.ticket_render import text


def _hours(seconds: int) -> float | int:
    """Line ``qty``: hours with 2 decimals; PHP's json_encode writes 1.0 as 1."""
    hours = round(seconds / 3600, 2)
    return int(hours) if hours == int(hours) else hours


class InterventionRenderer:
    def __init__(self, templates: Templates, clock: LocalTime) -> None:
        self.templates = templates
        self.clock = clock

    def values(self, row: Row, lines: list[Row]) -> dict[str, Any]:
        epoch = self.clock.to_epoch
        status = str(row["fk_statut"])
        return {
            "id": str(row["rowid"]),
            "entity": str(row["entity"]),
            "import_key": row["import_key"],
            "fk_project": text(row["fk_projet"]),
            "ref": row["ref"],
            "ref_ext": None,
            "statut": status,
            "status": status,
            "note_public": row["note_public"],
            "note_private": row["note_private"],
            "last_main_doc": row["last_main_doc"],
            "lines": [self.line(line) for line in lines],
            "user_creation_id": text(row["fk_user_author"]),
            "socid": str(row["fk_soc"]),
            "datec": epoch(row["datec"]),
            "datev": epoch(row["date_valid"]) or "",
            "dateo": epoch(row["dateo"]) or "",
            "datee": epoch(row["datee"]) or "",
            "datet": epoch(row["datet"]) or "",
            "datem": epoch(row["tms"]),
            "duration": text(row["duree"]),
            "description": row["description"],
            "fk_contrat": text(row["fk_contrat"]),
            "ref_client": row["ref_client"],
            "user_author_id": None,
        }

    def line(self, line: Row) -> dict[str, Any]:
        date = self.clock.to_epoch(line["date"])
        values = {
            "id": str(line["rowid"]),
            "desc": line["description"],
            "qty": _hours(line["duree"] or 0),
            "fk_fichinter": str(line["fk_fichinter"]),
            "date": date,
            "datei": date,
            "duration": str(line["duree"]),
            "rang": str(line["rang"]),
        }
        return render(self.templates["intervention_line"], values)

    def get(self, row: Row, lines: list[Row], links: dict[str, dict[str, str]]) -> dict[str, Any]:
        template = self.templates["intervention"]
        values = self.values(row, lines)
        values["linkedObjectsIds"] = links or []
        if template["contacts_ids"] == []:  # 22.0.4 loads contacts on GET; 20.0.2 has no such list
            values.update(contacts_ids=[], contacts_ids_internal=[])
        return render(template, values)

    def list_item(
        self, row: Row, lines: list[Row], properties: Collection[str] | None
    ) -> dict[str, Any]:
        values = self.values(row, lines)
        values.update(contacts_ids=None, contacts_ids_internal=None, linkedObjectsIds=None)
        return render(self.templates["intervention"], values, properties)

    def action_answer(
        self,
        kind: str,
        before: Row,
        lines: list[Row],
        links: dict[str, dict[str, str]],
        overrides: dict[str, Any],
    ) -> dict[str, Any]:
        """The answer of validate / close / reopen / PUT: the object as it was in memory."""
        values = self.values(before, lines)
        values.update(contacts_ids=None, contacts_ids_internal=None, linkedObjectsIds=links or [])
        values.update(elementtype="", trackid=f"int{before['rowid']}")
        values.update(overrides)
        return render(self.templates[kind], values)
