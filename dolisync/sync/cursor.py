"""Sync cursors: where the next walk of an entity starts, and when a cursor may move.

What this module knows: the store keeps one cursor per entity as ``(modified_at, last_id)``
(the high-water mark of committed rows; ``modified_at`` is None for the agenda-event id
cursor of messages), while the client pages with ``KeysetPosition`` / ``IdPosition``.
Incremental walks restart ``overlap`` seconds *before* the high-water mark, because
Dolibarr's ``tms`` has 1 s resolution and a slow transaction can commit a row older than
rows already seen; de-duplication by (id, modified_at) makes the re-read cheap. A cursor
only ever moves forward.

**Same-second changes.** De-duplication trusts (id, modified_at), but a row read during
second S and changed again later in that same second keeps modified_at S. So a cursor is
never stored at or after the second the run started in (``settle``), that second taken in
the frame of the rows' epochs: ``/status``'s true time plus the shift between Dolibarr's
database and PHP zones (``rowclock.RowClock``). Everything at or below a stored mark was
read after its second had ended, and rows above it are re-fetched once by the next run even
when their (id, modified_at) is known. Production servers do not tell their time; then the
mark is not capped and such a change waits for the row's next change or a ``--full`` run.
"""

from __future__ import annotations

import math

from dolisync.dolibarr.pagination import IdPosition, KeysetPosition, Position
from dolisync.store.results import Position as StoredPosition

NO_CURSOR: StoredPosition = (None, None)


def to_stored(position: Position) -> StoredPosition:
    """The store's form of a client position."""
    if isinstance(position, KeysetPosition):
        return (position.modified_at, position.last_id)
    return (None, position.last_id)


def _order_key(position: StoredPosition) -> tuple[float, int]:
    modified_at, last_id = position
    return (-math.inf if modified_at is None else modified_at, last_id or 0)


def is_ahead(candidate: StoredPosition, current: StoredPosition) -> bool:
    """Whether ``candidate`` lies strictly after ``current`` (no cursor sorts first)."""
    return _order_key(candidate) > _order_key(current)


def later(first: StoredPosition, second: StoredPosition) -> StoredPosition:
    return second if is_ahead(second, first) else first


def has_high_water(position: StoredPosition) -> bool:
    """Whether a (modified_at, id) high-water mark was stored (False: never synced)."""
    return position[0] is not None


def settle(position: StoredPosition, server_now: int | None) -> StoredPosition:
    """``position`` capped below ``server_now``: when the run started, in the rows' frame
    (``RowClock.now``)."""
    modified_at = position[0]
    if server_now is None or modified_at is None or modified_at < server_now:
        return position
    return (server_now - 1, 0)


def overlap_start(position: StoredPosition, overlap: float) -> KeysetPosition | None:
    """Where an incremental walk starts: ``overlap`` seconds before the high-water mark,
    every row of that second included (None: no high-water mark, start from the beginning).
    """
    modified_at = position[0]
    if modified_at is None:
        return None
    # last_id 0: the keyset filter becomes "tms >= T", i.e. the whole first second.
    return KeysetPosition(modified_at=modified_at - math.ceil(overlap), last_id=0)


def id_start(position: StoredPosition) -> IdPosition:
    """Where an id-cursor walk (messages) continues."""
    return IdPosition(last_id=position[1] or 0)
