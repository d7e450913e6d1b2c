"""The baseline dolisync is measured against: the loop anyone would write by hand.

``python -m benchmarks.baseline_sync URL DB_FILE`` (API key in ``DOLISYNC_API_KEY``) pages
Dolibarr's tickets by rowid (``sortfield=t.rowid&sqlfilters=(t.rowid:>:N)&limit=100``) with
one ``requests`` session, parses each page's JSON and ``executemany``-inserts
(id, ref, subject, status, tms, raw JSON) into a fresh SQLite file, committing each page
(as dolisync does: a crash loses one page at most) with dolisync's SQLite settings (WAL,
synchronous=NORMAL). It prints one JSON object: rows,
requests, bytes and the loop's seconds (imports and start-up excluded).

Deliberately naive: no retries, no change detection, no schema beyond one table. It is the
floor a real client can hope to approach, not a competitor.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import requests

API_SUFFIX = "/api/index.php"
PAGE_SIZE = 100


def api_root(url: str) -> str:
    """``http://host/dolibarr`` or ``.../api/index.php`` -> the API root."""
    url = url.rstrip("/")
    return url if url.endswith(API_SUFFIX) else url + API_SUFFIX


def open_db(path: Path) -> sqlite3.Connection:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    # dolisync's store settings: the comparison is about client work, not the disk's fsync.
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE tickets (id INTEGER PRIMARY KEY, ref TEXT, subject TEXT,"
        " status INTEGER, tms INTEGER, raw TEXT)"
    )
    return db


def as_row(ticket: dict[str, Any]) -> tuple[int, str, str, int, int | None, str]:
    status = ticket.get("fk_statut", ticket.get("status"))
    tms = ticket.get("tms") or ticket.get("date_modification")
    return (
        int(ticket["id"]),
        str(ticket.get("ref") or ""),
        str(ticket.get("subject") or ""),
        int(status or 0),
        int(tms) if tms not in (None, "") else None,
        json.dumps(ticket),
    )


def sync(url: str, api_key: str, db_path: Path, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """Copy every ticket into a fresh ``db_path``; the counts and the seconds it took."""
    started = time.perf_counter()
    db = open_db(db_path)
    session = requests.Session()
    session.headers.update({"DOLAPIKEY": api_key, "Accept": "application/json"})
    endpoint = api_root(url) + "/tickets"
    last_id, rows, calls, size = 0, 0, 0, 0
    try:
        while True:
            params = {
                "sortfield": "t.rowid",
                "sortorder": "ASC",
                "limit": str(page_size),
                "sqlfilters": f"(t.rowid:>:{last_id})",
            }
            answer = session.get(endpoint, params=params, timeout=60)
            calls += 1
            size += len(answer.content)
            if answer.status_code == 404:  # Dolibarr < 19 answers 404 for an empty list
                break
            answer.raise_for_status()
            page = answer.json()
            if not page:
                break
            db.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?)", map(as_row, page))
            db.commit()
            rows += len(page)
            last_id = int(page[-1]["id"])
            if len(page) < page_size:
                break
    finally:
        session.close()
        db.close()
    seconds = time.perf_counter() - started
    return {"rows": rows, "requests": calls, "bytes": size, "seconds": seconds}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.baseline_sync URL DB_FILE", file=sys.stderr)
        return 2
    api_key = os.environ.get("DOLISYNC_API_KEY", "")
    if not api_key:
        print("set DOLISYNC_API_KEY to the Dolibarr API key", file=sys.stderr)
        return 2
    print(json.dumps(sync(argv[0], api_key, Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
