"""Intervention (``fichinter``) operations: create (with its ticket link), lines, validate,
close, reopen, update, delete — moving ``tms`` (shown as ``datem``) the way Dolibarr does.

Adding a line recomputes the intervention's ``duree`` and ``dateo``/``datee`` (the days of its
first and last line), which changes the row and so moves ``tms``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dolisync.simulator.backend import ADMIN_ID, Backend
from dolisync.simulator.database import Row

DRAFT, VALIDATED, DONE = 0, 1, 3


def intervention(backend: Backend, intervention_id: int) -> Row | None:
    return backend.db.one("SELECT * FROM llx_fichinter WHERE rowid = ?", (intervention_id,))


def create(backend: Backend, fields: Mapping[str, Any], user_id: int = ADMIN_ID) -> int:
    """Insert a draft ``(PROV<id>)``; ``origin``/``origin_id`` link it to its ticket."""
    now = backend.now_db()
    with backend.db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO llx_fichinter (ref, ref_client, fk_soc, fk_projet, description,"
            " note_private, note_public, fk_user_author, datec, tms)"
            " VALUES ('(PROV)', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fields.get("ref_client"),
                int(fields["socid"]),
                int(fields.get("fk_project") or 0),
                fields.get("description"),
                fields.get("note_private"),
                fields.get("note_public"),
                user_id,
                now,
                backend.tms_now(),
            ),
        )
        new_id = int(cursor.lastrowid or 0)
        conn.execute(
            "UPDATE llx_fichinter SET ref = ? WHERE rowid = ?", (f"(PROV{new_id})", new_id)
        )
        origin, origin_id = fields.get("origin"), fields.get("origin_id")
        if origin and str(origin_id or "").isdigit():
            conn.execute(
                "INSERT INTO llx_element_element (fk_source, sourcetype, fk_target, targettype)"
                " VALUES (?, ?, ?, 'fichinter')",
                (int(str(origin_id)), str(origin), new_id),
            )
    return new_id


def add_line(
    backend: Backend, intervention_id: int, *, description: str, date: Any, duration: int
) -> int:
    """Insert a line, then recompute the totals of the intervention (which moves its tms)."""
    with backend.db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO llx_fichinterdet (fk_fichinter, date, description, duree, rang)"
            " VALUES (?, ?, ?, ?, 0)",
            (intervention_id, backend.to_db_date(date), description, int(duration)),
        )
        totals = conn.execute(
            "SELECT SUM(duree), MIN(date), MAX(date) FROM llx_fichinterdet WHERE fk_fichinter = ?",
            (intervention_id,),
        ).fetchone()
        conn.execute(
            "UPDATE llx_fichinter SET duree = ?, dateo = ?, datee = ?, tms = ? WHERE rowid = ?",
            (totals[0], _day(totals[1]), _day(totals[2]), backend.tms_now(), intervention_id),
        )
        return int(cursor.lastrowid or 0)


def _day(value: str | None) -> str | None:
    return None if value is None else value[:10] + " 00:00:00"


def lines(backend: Backend, intervention_ids: list[int]) -> dict[int, list[Row]]:
    """The lines of several interventions at once (one query for a whole list page)."""
    found: dict[int, list[Row]] = {key: [] for key in intervention_ids}
    if not intervention_ids:
        return found
    marks = ",".join("?" * len(intervention_ids))
    for row in backend.db.all(
        f"SELECT * FROM llx_fichinterdet WHERE fk_fichinter IN ({marks})"
        " ORDER BY rang, date, rowid",
        intervention_ids,
    ):
        found[row["fk_fichinter"]].append(row)
    return found


def links(backend: Backend, intervention_id: int) -> dict[str, dict[str, str]]:
    """``linkedObjectsIds``: element type -> {link id: object id}, both directions."""
    found: dict[str, dict[str, str]] = {}
    for row in backend.db.all(
        "SELECT rowid, fk_source, sourcetype, fk_target, targettype FROM llx_element_element"
        " WHERE (targettype = 'fichinter' AND fk_target = ?)"
        " OR (sourcetype = 'fichinter' AND fk_source = ?) ORDER BY rowid",
        (intervention_id, intervention_id),
    ):
        if row["targettype"] == "fichinter" and row["fk_target"] == intervention_id:
            found.setdefault(row["sourcetype"], {})[str(row["rowid"])] = str(row["fk_source"])
        else:
            found.setdefault(row["targettype"], {})[str(row["rowid"])] = str(row["fk_target"])
    return found


def set_status(backend: Backend, row: Row, status: int, *, event: str | None = None) -> None:
    """A plain status change; tms moves only if the status really changes."""
    assignments = "fk_statut = ?"
    params: list[Any] = [status]
    if status == VALIDATED:
        assignments += ", date_valid = ?, fk_user_valid = ?"
        params += [backend.now_db(), ADMIN_ID]
        if row["ref"].startswith("(PROV"):
            number = backend.next_number(
                "fichinter",
                "SELECT MAX(CAST(substr(ref, 8) AS INTEGER)) FROM llx_fichinter"
                " WHERE ref LIKE 'FI%'",
            )
            assignments += ", ref = ?"
            params.append(f"FI{backend.yymm()}-{number:04d}")
    if row["fk_statut"] != status:
        assignments += ", tms = ?"
        params.append(backend.tms_now())
    with backend.db.write() as conn:
        conn.execute(
            f"UPDATE llx_fichinter SET {assignments} WHERE rowid = ?", [*params, row["rowid"]]
        )
        if event is not None:
            _event(backend, conn, row["rowid"], event)


def update(backend: Backend, row: Row, fields: Mapping[str, Any], user_id: int = ADMIN_ID) -> None:
    """PUT (22.0.4): description, notes and ref_client are stored; the row is rewritten."""
    values = {
        "description": fields.get("description", row["description"]),
        "note_public": fields.get("note_public", row["note_public"]),
        "note_private": fields.get("note_private", row["note_private"]),
        "ref_client": fields.get("ref_client", row["ref_client"]),
        "duree": row["duree"] or 0,
        "fk_user_modif": user_id,
    }
    if any(str(row[key]) != str(value) for key, value in values.items()):
        values["tms"] = backend.tms_now()
    with backend.db.write() as conn:
        assignments = ", ".join(f"{key} = ?" for key in values)
        conn.execute(
            f"UPDATE llx_fichinter SET {assignments} WHERE rowid = ?",
            [*values.values(), row["rowid"]],
        )
        _event(backend, conn, row["rowid"], "MODIFY")


def delete(backend: Backend, intervention_id: int) -> None:
    """Lines and links go with it; ``AC_FICHINTER_DELETE`` is logged first (it names the ref),
    as on 20.0.2 and 22.0.4 (seen by the live suite)."""
    with backend.db.write() as conn:
        _event(backend, conn, intervention_id, "DELETE")
        conn.execute("DELETE FROM llx_fichinterdet WHERE fk_fichinter = ?", (intervention_id,))
        conn.execute(
            "DELETE FROM llx_element_element WHERE (targettype = 'fichinter' AND fk_target = ?)"
            " OR (sourcetype = 'fichinter' AND fk_source = ?)",
            (intervention_id, intervention_id),
        )
        conn.execute("DELETE FROM llx_fichinter WHERE rowid = ?", (intervention_id,))


def _event(backend: Backend, conn: Any, intervention_id: int, action: str) -> None:
    row = conn.execute(
        "SELECT ref, fk_soc FROM llx_fichinter WHERE rowid = ?", (intervention_id,)
    ).fetchone()
    words = {
        "VALIDATE": "validated",
        "MODIFY": "modified",
        "UNVALIDATE": "unvalidated",
        "DELETE": "deleted",
    }
    label = f"Intervention {row['ref']} {words.get(action, action.lower())}"
    backend.insert_event(
        conn,
        f"AC_FICHINTER_{action}",
        ("fichinter", intervention_id),
        label=label,
        note=label,
        socid=row["fk_soc"],
        user_id=ADMIN_ID,
    )
