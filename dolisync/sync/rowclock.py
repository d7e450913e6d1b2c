"""The server's "now" in the frame of the rows' modification epochs, for ``cursor.settle``.

What this module knows: Dolibarr's ``tms`` epochs are the database's wall clock (MariaDB's
NOW(), in the database's zone) read back in PHP's zone, while ``/status`` tells the true
time (``timestamp_now_utc``). When the two zones differ, every ``tms`` is shifted from true
time by ``shift = DB offset - PHP offset`` (+5 h for PHP in America/New_York over a UTC
database, -1 h for Europe/Paris in winter: dolibarr-api.md §4). Nothing Dolibarr answers
says the database's zone or its NOW(), and date literals cannot reveal it either (they go
through PHP's zone both ways). Two facts pin it down instead:

* ``shift`` is a whole number of quarter hours (every UTC offset in use is);
* a row listed at instant ``t`` was committed before ``t``, so its epoch is at most
  ``t + shift``; ``t`` is at most ``/status``'s time plus the seconds we measured since we
  sent ``/status``.

So each listed row gives a lower bound of ``shift``, still a lower bound once rounded *up* to
the quarter-hour grid, and equal to ``shift`` as soon as one row had changed less than about
15 minutes before it was listed (the newest rows of a poll, on any live instance). The cap
``server_now + bound`` therefore never lies after the true "now" of the rows (the
same-second protection holds). When the bound falls short of ``shift`` (the newest row was
older than 15 minutes), a new row is held back only if its age lies within a few seconds
below a whole number of quarter hours, and then it is re-read once, by the next poll:
nothing is re-read on every poll. It costs no request: the rows are those the walk lists
anyway.

Assumed: PHP's and the database's clocks agree within ``CLOCK_TOLERANCE`` (same host, or
NTP). Around a DST change of one zone but not the other the shift moves by an hour and, for
that hour, the bound may overshoot it: the same-second protection may then not apply (as
with a production server, which does not tell its time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from dolisync.clock import Clock

QUARTER_HOUR = 15 * 60
# UTC offsets lie in -12 h .. +14 h: no database and PHP zone differ by more than 26 h, so
# a row further in the future is a bad value, not evidence.
MAX_SHIFT = 26 * 3600
# Seconds the database's clock may run ahead of PHP's before the bound could overshoot.
CLOCK_TOLERANCE = 5


class RowClock:
    """One run's "now" at its start, in the frame of the row epochs it lists.

    ``server_now`` is ``/status``'s ``timestamp_now_utc`` (None: the server did not tell, and
    then nothing is capped), ``asked_at`` our ``clock.monotonic()`` just before ``/status``
    was sent. Walks report each listed page's epochs to ``observe``.
    """

    def __init__(self, server_now: int | None, *, clock: Clock, asked_at: float) -> None:
        self._server_now = server_now
        self._clock = clock
        self._asked_at = asked_at
        self._evidence: int | None = None  # highest lower bound of the shift seen so far

    def observe(self, epochs: Iterable[int | None]) -> None:
        """Modification epochs of rows just listed (call after their answer arrived)."""
        if self._server_now is None:
            return
        elapsed = max(0, math.ceil(self._clock.monotonic() - self._asked_at))
        latest = self._server_now + elapsed  # no row read so far was committed after this
        for epoch in epochs:
            if epoch is None:
                continue
            bound = epoch - latest - CLOCK_TOLERANCE
            if bound <= MAX_SHIFT and (self._evidence is None or bound > self._evidence):
                self._evidence = bound

    @property
    def shift(self) -> int | None:
        """Row epochs minus true time, as far as the rows seen prove it (a lower bound, on the
        quarter-hour grid; -26 h before any row). None when the server did not tell its time.
        """
        if self._server_now is None:
            return None
        if self._evidence is None:
            return -MAX_SHIFT
        return max(-MAX_SHIFT, _ceil_to_grid(self._evidence))

    def now(self) -> int | None:
        """The run's start in the rows' frame: no row modified at or after it was settled
        when read (``cursor.settle`` caps below it). None when the server did not tell."""
        shift = self.shift
        if self._server_now is None or shift is None:
            return None
        return self._server_now + shift


def _ceil_to_grid(seconds: int) -> int:
    return -(-seconds // QUARTER_HOUR) * QUARTER_HOUR
