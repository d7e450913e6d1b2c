"""Where a first load leaves the cursor, so that no change made while it ran is missed.

What this module knows: a first load (no high-water mark yet) walks by id, the cheap order
for Dolibarr (its primary key; ``llx_ticket.tms`` has no index, so every page of a walk by
(tms, rowid) makes the server sort the whole table). A walk by id does not see a row that
changes after the walk passed it, so the cursor it leaves must lie below every such change:

* every row changed after the walk started carries an epoch at or after the walk's start,
  which is at or after the newest epoch the server held then (``newest_at_start``, one
  request sorted by tms) and at or after the run's start in the rows' frame (``rows_now``:
  ``RowClock.now``, when the server tells its time);
* so the **bound** is the smaller of the two known values: rows read with an epoch below it
  were final when read, and the cursor is the newest of them (``cursor_after``), or just
  below the bound. The next poll, ``overlap`` before that, lists every later change.

A row at ``newest_at_start`` itself counts as final only when its second had ended before
the run began (``newest_at_start < rows_now``): a same-second change would otherwise keep its
(id, tms) and be skipped as known. Production servers do not tell their time: such rows are
then re-read once by the next poll.

A first load that is interrupted resumes after the last id it committed; the bound of its
first attempt is kept in the store (``Store.begin_first_load``) and still applies.
"""

from __future__ import annotations

from dolisync.store.results import Position as StoredPosition
from dolisync.sync.cursor import has_high_water


def load_bound(newest_at_start: int | None, rows_now: int | None) -> int | None:
    """The epoch below which a row read by the walk is final (None: nothing is known, the
    server holds no row and does not tell its time)."""
    known: list[int] = []
    if newest_at_start is not None:
        known.append(newest_at_start + 1 if rows_now is not None else newest_at_start)
    if rows_now is not None:
        known.append(rows_now)
    return min(known) if known else None


def is_final(modified_at: int | None, bound: int | None) -> bool:
    """Whether a row read with this epoch may carry the cursor (see ``load_bound``)."""
    return modified_at is not None and (bound is None or modified_at < bound)


def cursor_after(newest_final: StoredPosition, bound: int | None) -> StoredPosition:
    """The high-water mark a completed first load leaves: the newest final row read, or just
    below the bound when none was read (``NO_CURSOR``: nothing is known at all)."""
    if has_high_water(newest_final) or bound is None:
        return newest_final
    return (bound - 1, 0)
