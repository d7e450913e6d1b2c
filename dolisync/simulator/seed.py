"""Seeded data: customers, technicians, tickets of every status/type/category/severity, their
messages and automatic agenda events, and interventions linked to on-site tickets.

Deterministic for a given seed and clock. Built as plain tuples and written with one
``executemany`` per table inside one transaction, so 100,000 tickets load in seconds.
Rows get ids in chronological order (older tickets and events have lower ids), as on a real
server, so id cursors over agenda events behave as they would there.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from dolisync.simulator import seed_words as words
from dolisync.simulator.backend import ADMIN_ID, Backend, automatic_end

T = TypeVar("T")

DAY: Final = 86_400
HISTORY_DAYS: Final = 365
# (status, weight, progress)
STATUSES: Final = ((0, 10, 0), (1, 8, 0), (2, 10, 10), (3, 25, 40), (5, 8, 50), (7, 4, 50),
                   (8, 30, 100), (9, 5, 100))  # fmt: skip
TYPES: Final = ("ISSUE", "HELP", "REQUEST", "COM", "PROBLEM", "OTHER")
TYPE_WEIGHTS: Final = (40, 20, 15, 10, 10, 5)
CATEGORIES: Final = ("ONSITE", "REMOTE", "OTHER")
CATEGORY_WEIGHTS: Final = (35, 45, 20)
SEVERITIES: Final = ("LOW", "NORMAL", "HIGH", "BLOCKING")
SEVERITY_WEIGHTS: Final = (25, 45, 22, 8)


@dataclass
class _Rows:
    """Everything to insert, and the agenda events to number in time order."""

    backend: Backend
    rng: random.Random
    now: int
    customers: list[tuple[int, str]] = field(default_factory=list)  # (id, email)
    technicians: list[int] = field(default_factory=list)
    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)  # (epoch, ...row)
    interventions: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[Any, ...]] = field(default_factory=list)


def seed(backend: Backend, *, tickets: int, seed: int) -> None:
    """Fill a fresh simulator with ``tickets`` tickets and everything around them."""
    rng = random.Random(seed)
    now = int(backend.clock.now())
    customers = _customers(backend, rng, max(3, min(tickets // 20, 5000)), now)
    technicians = _technicians(backend, rng, max(2, min(tickets // 1000 + 2, 40)), now)
    rows = _Rows(backend, rng, now, customers, technicians)
    _tickets(rows, tickets)
    _write(backend, rows)
    backend.forget_counters()


def _customers(backend: Backend, rng: random.Random, count: int, now: int) -> list[tuple[int, str]]:
    """Third parties (customers); returns (id, email) per customer."""
    rows = []
    created = backend.localtime.to_db(now - HISTORY_DAYS * DAY - DAY)
    modified = backend.db_localtime.to_db(now - HISTORY_DAYS * DAY - DAY)
    yymm = created[2:4] + created[5:7]
    for number in range(1, count + 1):
        surname = words.SURNAMES[(number - 1) % len(words.SURNAMES)]
        business = rng.choice(words.BUSINESSES)
        name = f"{business} {surname}" + (f" {number}" if number > len(words.SURNAMES) else "")
        zip_code, town = rng.choice(words.TOWNS)
        email = f"contact{number}@{surname.lower()}.example.test"
        rows.append(
            (name, 1, f"CU{yymm}-{number:05d}", email, f"+3314{rng.randrange(10**7):07d}",
             f"{rng.randint(1, 120)} {rng.choice(words.STREETS)}", zip_code, town, 1,
             ADMIN_ID, ADMIN_ID, created, modified)
        )  # fmt: skip
    with backend.db.write() as conn:
        conn.executemany(
            "INSERT INTO llx_societe (nom, client, code_client, email, phone, address, zip, town,"
            " fk_pays, fk_user_creat, fk_user_modif, datec, tms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        ids = [row[0] for row in conn.execute("SELECT rowid FROM llx_societe ORDER BY rowid")]
    return [(customer_id, row[3]) for customer_id, row in zip(ids, rows, strict=True)]


def _technicians(backend: Backend, rng: random.Random, count: int, now: int) -> list[int]:
    created = backend.localtime.to_db(now - HISTORY_DAYS * DAY - DAY)
    modified = backend.db_localtime.to_db(now - HISTORY_DAYS * DAY - DAY)
    rows = []
    for number in range(1, count + 1):
        first = words.FIRSTNAMES[(number - 1) % len(words.FIRSTNAMES)]
        last = rng.choice(words.SURNAMES)
        job = "Field technician" if number % 2 else "Support technician"
        email = f"{first.lower()}.{last.lower()}{number}@example.test"
        rows.append((f"tech{number}", first, last, email, job, created, modified))
    with backend.db.write() as conn:
        conn.executemany(
            "INSERT INTO llx_user (login, firstname, lastname, email, job, datec, tms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return [row[0] for row in conn.execute("SELECT rowid FROM llx_user WHERE admin = 0")]


def _tickets(rows: _Rows, count: int) -> None:
    rng, now, customers, technicians = rows.rng, rows.now, rows.customers, rows.technicians
    to_db, tms_to_db = rows.backend.localtime.to_db, rows.backend.db_localtime.to_db
    draw = rng.random
    statuses = rng.choices(STATUSES, weights=[s[1] for s in STATUSES], k=count)
    types = rng.choices(TYPES, weights=TYPE_WEIGHTS, k=count)
    categories = rng.choices(CATEGORIES, weights=CATEGORY_WEIGHTS, k=count)
    severities = rng.choices(SEVERITIES, weights=SEVERITY_WEIGHTS, k=count)
    # older first, more tickets recently (squared uniform leans towards "now")
    ages = sorted(
        (int(rng.random() ** 2 * HISTORY_DAYS * DAY) + 60 for _ in range(count)), reverse=True
    )
    for index in range(count):
        ticket_id = index + 1
        status, _weight, progress = statuses[index]
        created = now - ages[index]
        modified = created if status == 0 else created + int(draw() * (now - created))
        customer = _pick(draw, customers) if draw() < 0.92 else None
        assigned = _pick(draw, technicians) if status >= 2 or draw() < 0.1 else None
        equipment = _pick(draw, words.EQUIPMENT)
        problem = _pick(draw, words.PROBLEMS).format(code=10 + int(draw() * 90))
        subject = f"{equipment.capitalize()} {problem}"
        datec = to_db(created)
        ref = f"TS{datec[2:4]}{datec[5:7]}-{ticket_id:04d}"
        closed = to_db(modified) if status in (8, 9) else None
        read = to_db(created + (modified - created) // 4) if status >= 1 else None
        rows.tickets.append(
            (ticket_id, ref, f"{rng.getrandbits(64):016x}",  # hex: a subset of Dolibarr's a-z0-9
             customer[0] if customer else None, customer[1] if customer else None, ADMIN_ID,
             assigned, subject, f"Our {equipment} {problem}. Please help.", status, progress,
             severities[index] if modified > created else None, types[index], categories[index],
             severities[index], datec, read, closed, tms_to_db(modified))
        )  # fmt: skip
        socid = customer[0] if customer else None
        _ticket_events(rows, (ticket_id, ref, subject, socid), created, modified)
        if categories[index] == "ONSITE" and status in (3, 5, 7, 8) and socid and draw() < 0.5:
            _intervention(rows, (ticket_id, ref, socid, status), created)


def _ticket_events(
    rows: _Rows, ticket: tuple[int, str, str, int | None], created: int, modified: int
) -> None:
    """The automatic created/modified events and 0-3 messages (public or private)."""
    rng, now = rows.rng, rows.now
    ticket_id, ref, subject, socid = ticket
    label = f"Ticket {ref} created"
    rows.events.append((created, "AC_TICKET_CREATE", label, label, socid, ticket_id, "ticket"))
    if modified > created:
        label = f"Ticket {ref} modified"
        rows.events.append((modified, "AC_TICKET_MODIFY", label, label, socid, ticket_id, "ticket"))
    draw = rng.random
    for _ in range(_pick(draw, (0, 0, 1, 1, 2, 3))):
        when = created + int(draw() * (now - created))
        if draw() < 0.25:
            code, note = "TICKET_MSG_PRIVATE", _pick(draw, words.PRIVATE_NOTES)
        else:
            code, note = "TICKET_MSG", _pick(draw, words.REPLIES)
        if "{" in note:
            note = note.format(day=_pick(draw, words.DAYS), equipment=_pick(draw, words.EQUIPMENT))
        rows.events.append((when, code, subject, note, socid, ticket_id, "ticket"))


def _intervention(rows: _Rows, ticket: tuple[int, str, int, int], created: int) -> None:
    """An intervention made from an on-site ticket: 1-2 lines, linked to the ticket."""
    rng, now = rows.rng, rows.now
    to_db, tms_to_db = rows.backend.localtime.to_db, rows.backend.db_localtime.to_db
    ticket_id, ref, socid, ticket_status = ticket
    intervention_id = len(rows.interventions) + 1
    start = created + int(rng.random() * (now - created) / 2)
    status = 3 if ticket_status == 8 else rng.choice((0, 1))
    total = 0
    days = []
    for _ in range(rng.randint(1, 2)):
        when = start + rng.randint(1, 10) * DAY // 4
        duration = rng.choice((1800, 3600, 5400, 7200))
        total += duration
        days.append(to_db(when)[:10] + " 00:00:00")
        rows.lines.append((intervention_id, to_db(when), f"On-site work for {ref}", duration))
    validated = to_db(start + 3600) if status else None
    rows.interventions.append(
        (intervention_id, socid, f"On-site visit for ticket {ref}", status, total, min(days),
         max(days), validated, to_db(start), tms_to_db(min(start + DAY, now)))
    )  # fmt: skip
    rows.links.append((ticket_id, intervention_id))


def _pick(draw: Callable[[], float], choices: Sequence[T]) -> T:
    """``random.choice`` without its overhead (this runs millions of times for 100k tickets)."""
    return choices[int(draw() * len(choices))]


def _write(backend: Backend, rows: _Rows) -> None:
    to_db, tms_to_db = backend.localtime.to_db, backend.db_localtime.to_db
    events = sorted(rows.events, key=lambda event: event[0])
    with backend.db.bulk_load() as conn:
        conn.executemany(
            "INSERT INTO llx_ticket (rowid, ref, track_id, fk_soc, origin_email, fk_user_create,"
            " fk_user_assign, subject, message, fk_statut, progress, timing, type_code,"
            " category_code, severity_code, datec, date_read, date_close, tms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows.tickets,
        )
        conn.executemany(
            "INSERT INTO llx_actioncomm (id, ref, datep, datep2, code, datec, tms,"
            " fk_user_author, fk_user_action, label, note, fk_soc, fk_element, elementtype,"
            f" durationp) VALUES (?, ?, ?, ?, ?, ?, ?, {ADMIN_ID}, {ADMIN_ID}, ?, ?, ?, ?, ?, -1)",
            (_event_row(number, event, to_db, tms_to_db) for number, event in enumerate(events, 1)),
        )
        _write_interventions(conn, rows)


def _event_row(
    number: int,
    event: tuple[Any, ...],
    to_db: Callable[[float], str],
    tms_to_db: Callable[[float], str],
) -> tuple[Any, ...]:
    """One ``llx_actioncomm`` row of a seeded event (``number`` is its id)."""
    when, code, label, note, socid, element, kind = event
    text = to_db(when)
    end = automatic_end(code, text)
    tms = tms_to_db(when)  # MariaDB's clock: its own zone
    return (number, str(number), text, end, code, text, tms, label, note, socid, element, kind)


def _write_interventions(conn: Any, rows: _Rows) -> None:
    validated = 0
    records = []
    for row in rows.interventions:
        intervention_id, socid, description, status, total, first, last, valid, datec, tms = row
        if status:
            validated += 1
            ref = f"FI{valid[2:4]}{valid[5:7]}-{validated:04d}"
        else:
            ref = f"(PROV{intervention_id})"
        records.append((intervention_id, ref, socid, description, status, total, first, last,
                        valid, ADMIN_ID, datec, tms))  # fmt: skip
    conn.executemany(
        "INSERT INTO llx_fichinter (rowid, ref, fk_soc, fk_projet, description, fk_statut, duree,"
        " dateo, datee, date_valid, fk_user_author, datec, tms)"
        " VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        records,
    )
    conn.executemany(
        "INSERT INTO llx_fichinterdet (fk_fichinter, date, description, duree, rang)"
        " VALUES (?, ?, ?, ?, 0)",
        rows.lines,
    )
    conn.executemany(
        "INSERT INTO llx_element_element (fk_source, sourcetype, fk_target, targettype)"
        " VALUES (?, 'ticket', ?, 'fichinter')",
        rows.links,
    )
