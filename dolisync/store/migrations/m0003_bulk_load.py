"""Migration 0003: cheaper bulk loads, and first loads that resume safely.

* Drops four ticket indexes nothing reads (``status``, ``modified_at``, ``socid``,
  ``track_id``): every reader goes by id, by ref, or through the whole table in id order
  (rules), and the one track-id lookup (``find_ticket``, a CLI command) is a last resort
  after ref and id. Their keys are scattered (``track_id`` is random), so each inserted row
  dirtied another index page: on a 100k-ticket first load they made the writes grow with
  the table's size and cost more than the rows themselves.
* Adds ``sync_state.first_load_bound``: while a first load (a walk by id) is unfinished,
  the row epoch at or before its start below which its final cursor will be set; kept
  across a crash so the resumed walk still leaves a cursor that misses nothing changed
  since the FIRST attempt began.

Frozen as released, like 0001 and 0002.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

NAME = "0003_bulk_load"

_DROPPED = (
    "ix_tickets_status",
    "ix_tickets_modified_at",
    "ix_tickets_socid",
    "ix_tickets_track_id",
)


def apply(conn: Connection) -> None:
    """Drop the unread ticket indexes; add the first load's cursor bound."""
    for index in _DROPPED:
        conn.execute(text(f"DROP INDEX IF EXISTS {index}"))
    conn.execute(text("ALTER TABLE sync_state ADD COLUMN first_load_bound BIGINT"))
