"""The simulated Dolibarr's state and its ticket/agenda operations (what the API and the control
API both call).

Times come from an injectable ``Clock`` and are stored as server-local text (``LocalTime``):
dates PHP writes in PHP's zone (``now_db``), ``tms`` in the database's (``tms_now``, MariaDB's
NOW()). Writes move modification times the way MariaDB does: ``tms`` is set on a real change
only.
"""

from __future__ import annotations

import random
import string
import threading
from collections.abc import Mapping
from typing import Any, Final

from dolisync.clock import Clock, SystemClock
from dolisync.simulator.database import Database, Row
from dolisync.simulator.localtime import LocalTime
from dolisync.simulator.options import SimulatorOptions
from dolisync.simulator.templates import Templates

ADMIN_ID: Final[int] = 1
TRACK_ID_ALPHABET: Final[str] = string.ascii_lowercase + string.digits

# llx_ticket columns a client may set through POST/PUT (the rest are managed by Dolibarr)
TICKET_WRITABLE: Final[frozenset[str]] = frozenset(
    {
        "fk_soc", "fk_project", "fk_contract", "origin_email", "origin_replyto",
        "origin_references", "fk_user_assign", "subject", "message", "resolution", "progress",
        "type_code", "category_code", "severity_code", "date_read", "date_last_msg_sent",
        "date_close", "notify_tiers_at_create", "email_msgid", "email_date", "ip",
    }
)  # fmt: skip
TICKET_DATE_COLUMNS: Final[frozenset[str]] = frozenset(
    {"date_read", "date_last_msg_sent", "date_close", "email_date"}
)


class Backend:
    """One simulated Dolibarr instance: database, version, clock and reference counters."""

    def __init__(self, options: SimulatorOptions, clock: Clock | None = None) -> None:
        self.options = options
        self.clock: Clock = clock or SystemClock()
        self.localtime = LocalTime(options.timezone)  # PHP's: JSON epochs, dates PHP writes
        self.db_localtime = LocalTime(options.db_timezone or options.timezone)  # MariaDB's
        self.templates = Templates(options.version)
        self.db = Database()
        self.random = random.Random(options.seed)
        self._counter_lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self.insert_admin()

    # -- time -------------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock.now())

    def now_db(self) -> str:
        """PHP's ``$db->idate(dol_now())``: now, as PHP writes a date (``datec``, ...)."""
        return self.localtime.to_db(self.clock.now())

    def tms_now(self) -> str:
        """MariaDB's NOW(), which fills ``tms`` columns: now in the database's zone."""
        return self.db_localtime.to_db(self.clock.now())

    def to_db_date(self, value: Any) -> str | None:
        """A date sent by a client (epoch or ``YYYY-MM-DD HH:MM:SS``) as stored text."""
        if value in (None, ""):
            return None
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            return self.localtime.to_db(int(value))
        return str(value)[:19]

    # -- references ----------------------------------------------------------------------------
    def next_number(self, name: str, sql: str) -> int:
        """The next value of a reference counter (initialised once from the database)."""
        with self._counter_lock:
            known = name in self._counters
        # query outside the counter lock: a writer holding the database lock may want it
        initial = 0 if known else int(self.db.scalar(sql) or 0)
        with self._counter_lock:
            self._counters[name] = self._counters.get(name, initial) + 1
            return self._counters[name]

    def forget_counters(self) -> None:
        with self._counter_lock:
            self._counters.clear()

    def yymm(self) -> str:
        return self.now_db()[2:4] + self.now_db()[5:7]

    def new_ticket_ref(self) -> str:
        number = self.next_number(
            "ticket", "SELECT MAX(CAST(substr(ref, 8) AS INTEGER)) FROM llx_ticket"
        )
        return f"TS{self.yymm()}-{number:04d}"

    def new_track_id(self) -> str:
        return "".join(self.random.choices(TRACK_ID_ALPHABET, k=16))

    # -- users ------------------------------------------------------------------------------------
    def insert_admin(self) -> None:
        now = self.now_db()
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO llx_user (rowid, entity, login, api_key, pass, lastname, firstname,"
                " email, job, admin, datelastpassvalidation, flagdelsessionsbefore, datec, tms)"
                " VALUES (?, 0, 'admin', ?, ?, 'SuperAdmin', '', '', '', 1, ?, ?, ?, ?)",
                (
                    ADMIN_ID,
                    self.options.api_key,
                    self.options.admin_password,
                    now,
                    now,
                    now,
                    self.tms_now(),
                ),
            )

    # -- tickets ---------------------------------------------------------------------------------
    def ticket(self, ticket_id: int) -> Row | None:
        return self.db.one("SELECT * FROM llx_ticket WHERE rowid = ?", (ticket_id,))

    def ticket_by(self, column: str, value: str) -> Row | None:
        assert column in ("ref", "track_id")
        return self.db.one(f"SELECT * FROM llx_ticket WHERE {column} = ?", (value,))

    def create_ticket(self, fields: Mapping[str, Any], user_id: int = ADMIN_ID) -> int:
        """Insert a ticket and its ``AC_TICKET_CREATE`` agenda event; returns the new id."""
        row = {key: fields[key] for key in TICKET_WRITABLE if key in fields}
        for key in TICKET_DATE_COLUMNS & row.keys():
            row[key] = self.to_db_date(row[key])
        now = self.now_db()
        row.update(
            ref=fields.get("ref") or self.new_ticket_ref(),
            track_id=fields.get("track_id") or self.new_track_id(),
            fk_statut=fields.get("fk_statut", 0),
            progress=row.get("progress") or 0,
            fk_user_create=user_id,
            datec=now,
            tms=self.tms_now(),
        )
        with self.db.write() as conn:
            names = ", ".join(row)
            marks = ", ".join("?" * len(row))
            cursor = conn.execute(
                f"INSERT INTO llx_ticket ({names}) VALUES ({marks})", list(row.values())
            )
            ticket_id = int(cursor.lastrowid or 0)
            label = f"Ticket {row['ref']} created"
            self.insert_event(
                conn,
                "AC_TICKET_CREATE",
                ("ticket", ticket_id),
                label=label,
                note=label,
                socid=row.get("fk_soc"),
                user_id=user_id,
            )
        return ticket_id

    def update_ticket(
        self,
        ticket_id: int,
        changes: Mapping[str, Any],
        user_id: int = ADMIN_ID,
        *,
        touch: bool = False,
    ) -> None:
        """Apply ``changes`` (column -> value) and log ``AC_TICKET_MODIFY``.

        Dolibarr's update rewrites the whole row and sets ``timing`` to the last code that is
        set among type, category and severity (``_timing``); MariaDB then moves ``tms`` only if
        some value really changed (``touch`` moves it anyway).
        """
        current = self.ticket(ticket_id)
        if current is None:
            raise KeyError(ticket_id)
        row = dict(changes)
        for key in TICKET_DATE_COLUMNS & row.keys():
            row[key] = self.to_db_date(row[key])
        row["timing"] = _timing({**dict(zip(current.keys(), current, strict=True)), **row})
        if touch or any(_differs(current[key], value) for key, value in row.items()):
            row["tms"] = self.tms_now()
        with self.db.write() as conn:
            assignments = ", ".join(f"{key} = ?" for key in row)
            conn.execute(
                f"UPDATE llx_ticket SET {assignments} WHERE rowid = ?", [*row.values(), ticket_id]
            )
            label = f"Ticket {current['ref']} modified"
            self.insert_event(
                conn,
                "AC_TICKET_MODIFY",
                ("ticket", ticket_id),
                label=label,
                note=label,
                socid=current["fk_soc"],
                user_id=user_id,
            )

    def add_message(
        self, ticket: Row, message: str, *, private: bool = False, user_id: int = ADMIN_ID
    ) -> int:
        """A ticket message: an agenda event only; the ticket row is not touched."""
        code = "TICKET_MSG_PRIVATE" if private else "TICKET_MSG"
        with self.db.write() as conn:
            return self.insert_event(
                conn,
                code,
                ("ticket", ticket["rowid"]),
                label=ticket["subject"],
                note=message,
                socid=ticket["fk_soc"],
                user_id=user_id,
            )

    def ticket_events(self, ticket_id: int) -> list[Row]:
        return self.db.all(
            "SELECT * FROM llx_actioncomm WHERE elementtype = 'ticket' AND fk_element = ?"
            " ORDER BY datep DESC, id ASC",
            (ticket_id,),
        )

    # -- agenda ------------------------------------------------------------------------------------
    def insert_event(
        self,
        conn: Any,
        code: str,
        element: tuple[str, int] | tuple[None, None],
        *,
        label: str,
        note: str,
        socid: Any,
        user_id: int,
    ) -> int:
        """Log an agenda event on ``element`` (elementtype, id); returns the event id.

        ``element`` may be ``(None, None)`` (a third party's creation names no element).
        """
        elementtype, element_id = element
        now = self.now_db()
        cursor = conn.execute(
            "INSERT INTO llx_actioncomm (datep, datep2, code, datec, tms, fk_user_author,"
            " fk_user_action, fk_soc, label, note, fk_element, elementtype, durationp)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,-1)",
            (
                now,
                automatic_end(code, now),
                code,
                now,
                self.tms_now(),
                user_id,
                user_id,
                socid,
                label,
                note,
                element_id,
                elementtype,
            ),
        )
        event_id = int(cursor.lastrowid or 0)
        conn.execute("UPDATE llx_actioncomm SET ref = ? WHERE id = ?", (str(event_id), event_id))
        return event_id

    def close(self) -> None:
        self.db.close()


def automatic_end(code: str, start: str) -> str | None:
    """The end date (``datep2``, JSON ``datef``) of a new event: Dolibarr's agenda trigger
    gives its automatic ``AC_*`` events an end equal to their start; ticket messages have
    none (``datef: ""``). Seen on 20.0.2 and 22.0.4 (tests/fixtures/live-captures/)."""
    return start if code.startswith("AC_") else None


def _timing(ticket: Mapping[str, Any]) -> Any:
    """What ``Ticket::update`` stores in ``timing``: its own value, overwritten in turn by the
    type, the category and the severity code, each when set (PHP ``isset``: not NULL). Seen on
    20.0.2 and 22.0.4: a ticket with only a category gets ``timing`` = that category."""
    timing = ticket["timing"]
    for column in ("type_code", "category_code", "severity_code"):
        if ticket.get(column) is not None:
            timing = ticket[column]
    return timing


def _differs(old: Any, new: Any) -> bool:
    """MariaDB's view: does storing ``new`` change a column holding ``old``?"""
    if old is None or new is None:
        return old is not new
    return str(old) != str(new)
