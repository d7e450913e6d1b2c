"""The simulator's tables: named and shaped like Dolibarr's (``llx_*``), in SQLite.

Only the columns the API reads or filters on exist. Datetimes are server-local wall-clock TEXT
``YYYY-MM-DD HH:MM:SS`` like MariaDB's, so filters compare them the way Dolibarr does; their
columns are declared ``DATETIME_TEXT`` (TEXT affinity in SQLite; the type name tells the
sqlfilters translator to compare them as MariaDB compares DATETIMEs). Ids are AUTOINCREMENT:
like MariaDB's AUTO_INCREMENT, an id is never reused after a delete or a rolled-back insert.
``COLUMNS`` gives each table's column types to the sqlfilters translator (unknown -> 503).
A user's rights are stored by name (``rights.RIGHTS``), not as ids of ``llx_rights_def``.
"""

from __future__ import annotations

from typing import Final

DDL: Final[str] = """
CREATE TABLE llx_user (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, entity INTEGER DEFAULT 1, login TEXT NOT NULL,
    api_key TEXT, pass TEXT, lastname TEXT, firstname TEXT, email TEXT, job TEXT,
    admin INTEGER DEFAULT 0, employee INTEGER DEFAULT 1, statut INTEGER DEFAULT 1,
    fk_soc INTEGER, datelastpassvalidation DATETIME_TEXT, flagdelsessionsbefore DATETIME_TEXT,
    datec DATETIME_TEXT, tms DATETIME_TEXT
);
CREATE TABLE llx_user_rights (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, fk_user INTEGER NOT NULL, name TEXT NOT NULL
);
CREATE TABLE llx_societe_commerciaux (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, fk_soc INTEGER NOT NULL, fk_user INTEGER NOT NULL
);
CREATE TABLE llx_societe (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, entity INTEGER DEFAULT 1, nom TEXT NOT NULL,
    name_alias TEXT, status INTEGER DEFAULT 1, client INTEGER DEFAULT 0,
    fournisseur INTEGER DEFAULT 0, code_client TEXT, email TEXT, phone TEXT, address TEXT,
    zip TEXT, town TEXT, fk_pays INTEGER, fk_user_creat INTEGER, fk_user_modif INTEGER,
    datec DATETIME_TEXT, tms DATETIME_TEXT
);
CREATE TABLE llx_projet (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, entity INTEGER DEFAULT 1, ref TEXT, title TEXT,
    fk_soc INTEGER, fk_statut INTEGER DEFAULT 0, datec DATETIME_TEXT, tms DATETIME_TEXT
);
CREATE TABLE llx_ticket (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, entity INTEGER DEFAULT 1, ref TEXT NOT NULL,
    track_id TEXT NOT NULL, fk_soc INTEGER, fk_project INTEGER, fk_contract INTEGER,
    origin_email TEXT, origin_replyto TEXT, origin_references TEXT, fk_user_create INTEGER,
    fk_user_assign INTEGER, subject TEXT, message TEXT, fk_statut INTEGER DEFAULT 0,
    resolution INTEGER, progress INTEGER DEFAULT 0, timing TEXT, type_code TEXT,
    category_code TEXT, severity_code TEXT, datec DATETIME_TEXT, date_read DATETIME_TEXT,
    date_last_msg_sent DATETIME_TEXT, date_close DATETIME_TEXT, notify_tiers_at_create INTEGER,
    email_msgid TEXT, email_date DATETIME_TEXT, ip TEXT, tms DATETIME_TEXT, import_key TEXT,
    model_pdf TEXT, extraparams TEXT
);
CREATE TABLE llx_fichinter (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, entity INTEGER DEFAULT 1, ref TEXT NOT NULL,
    ref_ext TEXT, ref_client TEXT, fk_soc INTEGER NOT NULL, fk_projet INTEGER,
    fk_contrat INTEGER DEFAULT 0, datec DATETIME_TEXT, date_valid DATETIME_TEXT,
    datei DATETIME_TEXT, dateo DATETIME_TEXT, datee DATETIME_TEXT, datet DATETIME_TEXT,
    fk_user_author INTEGER, fk_user_modif INTEGER, fk_user_valid INTEGER,
    fk_statut INTEGER DEFAULT 0, duree INTEGER, description TEXT, note_private TEXT,
    note_public TEXT, model_pdf TEXT, last_main_doc TEXT, import_key TEXT, extraparams TEXT,
    signed_status INTEGER DEFAULT 0, tms DATETIME_TEXT
);
CREATE TABLE llx_fichinterdet (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, fk_fichinter INTEGER NOT NULL,
    fk_parent_line INTEGER, date DATETIME_TEXT, description TEXT, duree INTEGER,
    rang INTEGER DEFAULT 0, extraparams TEXT
);
CREATE TABLE llx_actioncomm (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ref TEXT, entity INTEGER DEFAULT 1,
    datep DATETIME_TEXT, datep2 DATETIME_TEXT, fk_action INTEGER DEFAULT 40, code TEXT,
    datec DATETIME_TEXT, tms DATETIME_TEXT, fk_user_author INTEGER, fk_user_mod INTEGER,
    fk_project INTEGER, fk_soc INTEGER, fk_contact INTEGER, fk_user_action INTEGER,
    transparency INTEGER DEFAULT 0, priority INTEGER DEFAULT 0, fulldayevent INTEGER DEFAULT 0,
    percent INTEGER DEFAULT -1, location TEXT DEFAULT '', durationp INTEGER, label TEXT,
    note TEXT, email_msgid TEXT, fk_element INTEGER, elementtype TEXT, ip TEXT
);
CREATE TABLE llx_element_element (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, fk_source INTEGER NOT NULL,
    sourcetype TEXT NOT NULL, fk_target INTEGER NOT NULL, targettype TEXT NOT NULL,
    relationtype TEXT
);
CREATE TABLE llx_webhook_target (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, ref TEXT, label TEXT, type INTEGER DEFAULT 0,
    url TEXT, trigger_codes TEXT, status INTEGER DEFAULT 1, fk_user_creat INTEGER,
    datec DATETIME_TEXT, tms DATETIME_TEXT
);
CREATE TABLE llx_c_ticket_type (
    rowid INTEGER PRIMARY KEY, entity INTEGER DEFAULT 1, code TEXT, pos TEXT, label TEXT,
    active INTEGER DEFAULT 1, use_default INTEGER DEFAULT 0, description TEXT
);
CREATE TABLE llx_c_ticket_category (
    rowid INTEGER PRIMARY KEY, entity INTEGER DEFAULT 1, code TEXT, pos TEXT, label TEXT,
    active INTEGER DEFAULT 1, use_default INTEGER DEFAULT 0, description TEXT
);
CREATE TABLE llx_c_ticket_severity (
    rowid INTEGER PRIMARY KEY, entity INTEGER DEFAULT 1, code TEXT, pos TEXT, label TEXT,
    color TEXT DEFAULT '', active INTEGER DEFAULT 1, use_default INTEGER DEFAULT 0,
    description TEXT
);
"""

# Built after bulk loads (seeding drops and recreates them: one sorted build beats 100,000
# incremental inserts). Keyset paging uses (tms, rowid); agenda polling uses (elementtype, id).
INDEXES: Final[tuple[str, ...]] = (
    "CREATE INDEX idx_ticket_tms_rowid ON llx_ticket (tms, rowid)",
    "CREATE INDEX idx_ticket_fk_soc ON llx_ticket (fk_soc)",
    "CREATE UNIQUE INDEX idx_ticket_track_id ON llx_ticket (track_id)",
    "CREATE INDEX idx_ticket_ref ON llx_ticket (ref)",
    "CREATE INDEX idx_fichinter_tms_rowid ON llx_fichinter (tms, rowid)",
    "CREATE INDEX idx_fichinter_fk_soc ON llx_fichinter (fk_soc)",
    "CREATE INDEX idx_fichinterdet_fk_fichinter ON llx_fichinterdet (fk_fichinter)",
    "CREATE INDEX idx_actioncomm_element ON llx_actioncomm (elementtype, fk_element)",
    "CREATE INDEX idx_actioncomm_elementtype_id ON llx_actioncomm (elementtype, id)",
    "CREATE INDEX idx_element_source ON llx_element_element (sourcetype, fk_source)",
    "CREATE INDEX idx_element_target ON llx_element_element (targettype, fk_target)",
)

# The dictionaries of a fresh Dolibarr 20/22 install, plus what the captured servers had:
# ticket type PROBLEM switched on and the categories ONSITE and REMOTE added.
# (rowid, code, pos, label, active, use_default)
TICKET_TYPES: Final = (
    (1, "COM", "10", "Commercial question", 1, 0),
    (2, "HELP", "15", "Request for functionnal help", 1, 0),
    (3, "ISSUE", "20", "Issue or bug", 1, 0),
    (4, "PROBLEM", "22", "Problem", 1, 0),
    (5, "REQUEST", "25", "Change or enhancement request", 1, 0),
    (6, "PROJECT", "30", "Project", 0, 0),
    (7, "OTHER", "40", "Other", 1, 1),
)
TICKET_CATEGORIES: Final = (
    (1, "OTHER", "10", "Other", 1, 1),
    (2, "ONSITE", "1", "On-site intervention required", 1, 0),
    (3, "REMOTE", "2", "Remote support", 1, 0),
)
TICKET_SEVERITIES: Final = (
    (1, "LOW", "10", "Low", 1, 0),
    (2, "NORMAL", "20", "Normal", 1, 1),
    (3, "HIGH", "30", "High", 1, 0),
    (4, "BLOCKING", "40", "Critical / blocking", 1, 0),
)
DICTIONARY_TABLES: Final[dict[str, str]] = {
    "ticket_types": "llx_c_ticket_type",
    "ticket_categories": "llx_c_ticket_category",
    "ticket_severities": "llx_c_ticket_severity",
}


_TYPES: Final[dict[str, str]] = {
    "INTEGER": "int",
    "REAL": "real",
    "TEXT": "text",
    "DATETIME_TEXT": "datetime",
}


def table_columns(ddl: str = DDL) -> dict[str, dict[str, str]]:
    """Column name -> sqlfilters column type (int, real, text, datetime) of every table."""
    columns: dict[str, dict[str, str]] = {}
    for statement in ddl.split(";"):
        head, _, body = statement.partition("(")
        words = head.split()
        if words[:2] != ["CREATE", "TABLE"]:
            continue
        definitions = [part.split() for part in body.rsplit(")", 1)[0].split(",") if part.strip()]
        columns[words[2]] = {words[0]: _TYPES[words[1]] for words in definitions}
    return columns


COLUMNS: Final[dict[str, dict[str, str]]] = table_columns()
