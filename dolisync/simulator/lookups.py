"""Small tables every answer needs: dictionary labels and user display names.

Read per request (they hold a handful of rows) so writes through the API or the control API
are seen at once without cache invalidation.
"""

from __future__ import annotations

from dataclasses import dataclass

from dolisync.simulator.database import Database


@dataclass(frozen=True, slots=True)
class Lookups:
    type_labels: dict[str, str]
    category_labels: dict[str, str]
    severity_labels: dict[str, str]
    user_names: dict[int, str]

    @classmethod
    def load(cls, db: Database) -> Lookups:
        def labels(table: str) -> dict[str, str]:
            return {row[0]: row[1] for row in db.all(f"SELECT code, label FROM {table}")}

        names = {
            row[0]: display_name(row[1], row[2])
            for row in db.all("SELECT rowid, firstname, lastname FROM llx_user")
        }
        return cls(
            labels("llx_c_ticket_type"),
            labels("llx_c_ticket_category"),
            labels("llx_c_ticket_severity"),
            names,
        )


def display_name(firstname: str | None, lastname: str | None) -> str:
    """Dolibarr's getFullName(): "First Last", or just the one that is set."""
    return " ".join(part for part in (firstname, lastname) if part)
