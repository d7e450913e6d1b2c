"""The two answers a bad sqlfilters string gets from Dolibarr: 400 with a reason, or 503."""

from __future__ import annotations


class SqlFiltersError(Exception):
    """Root of what :func:`~dolisync.simulator.sqlfilters.translate` raises."""


class SqlFiltersSyntaxError(SqlFiltersError):
    """Dolibarr refuses the string: answer ``400 Bad Request: Error when validating parameter
    sqlfilters -> <reason>``. ``reason`` is Dolibarr's own text, e.g. ``Bad syntax of the
    search string: (t.tms:between:'2024-01-01')``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SqlFiltersQueryError(SqlFiltersError):
    """Dolibarr accepts the string but MariaDB rejects the SQL it forges: answer 503
    ("Error when retrieve <object> list", no detail). ``detail`` is for logs only."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownColumn(SqlFiltersQueryError):
    """A filter names a column the table does not have (e.g. ``t.date_creation``) -> 503."""

    def __init__(self, column: str) -> None:
        super().__init__(f"Unknown column '{column}' in 'where clause'")
        self.column = column
